"""Replaying the reading of a template use: each template body read once for all the uses that are alike.

A repository's pipelines use the same templates with the same inputs again and again (the same stage
template in every service's release pipeline). Reading a use costs the merge of its `templateInputs` into
every template it nests and the walk of everything they bring, several times the lines of the use itself.
What the reader makes of a use, though, is a function of what the use writes and of the templates: two
uses that write the same keys, values and quoting make the same stages, step groups, Barrier steps and
nested uses, at another place. Three kinds of value are set aside: their own `identifier` and `name`, and
every `barrierRef` and `timeout` they give (`HOLES`, `VALUE_HOLES`), which the reader only copies into the
model (the last two after asking whether they are `<+input>`); and the values of keys no reading looks up
(`READ_KEYS`: a service, an environment, a variable), which never reach the model at all. Uses of one
template that differ only in those (each pipeline its own service and barrier) are alike.

So the first reading of a use is recorded: what it appended to the pipeline, with every span in the
analysed file replaced by the place, in a walk of the use, of the node it is the span of; every path made
relative to the use's; the stage and step groups it sits in by their place. A use alike is then not read:
the recording is copied, each place given the span of the new use's node there (and its value, for the
values set aside), each path put under the new use's, each `Origin` given the new use
as `via`. The copy is what reading the use would have made (`tests/test_replay.py` compares the two for
every workspace the tests hold).

A kind of use is recorded when a second use of it is met, since most kinds have one use (a template's own
uses, inputs that differ per pipeline); but when first met, where at least half the kinds met so far were
met again (`FIRST_SIGHT`: pipelines that use their templates alike), which saves the second reading.

Only a use written in the analysed file is recorded (what it nests is part of its reading), and only when a
recording can stand for another: a use whose nodes are aliases or merge keys, one that chains a pipeline,
one whose reading already computed a line of the analysed file, is read each time. A recording holds while
no template identifier its reading looked up (nested uses included) is defined, changed or removed anywhere
in the workspace (`WorkspaceIndex.template_changes`): an edit of one template leaves the recordings of
uses of other templates standing, which the language server replays for every open pipeline it re-reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from operator import add, attrgetter, itemgetter

from ..model import (
    BarrierPosition,
    FixedTemplateInput,
    MultiDeployment,
    Origin,
    Span,
    Stage,
    StepGroup,
    Strategy,
    TemplateCycle,
    TemplateUse,
    Text,
    When,
)
from ..syntax import (
    CollectionNode,
    MappingNode,
    Node,
    ScalarNode,
    lazy_parts,
    node_position,
    node_span,
    origin_span,
    origin_text,
    scalar_span,
    scalar_text,
)

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from .v0 import Builder

# What a use's reading appends to the pipeline; and what it must not, for a recording to stand for it (a
# chained pipeline's reading looks pipelines up and rewrites its Barrier steps' references afterwards).
APPENDED = ("stages", "step_groups", "positions", "template_uses", "fixed_template_inputs", "template_cycles")
NOT_REPLAYED = ("chained_stages", "chain_uses", "declarations")
HOLES = ("identifier", "name")  # the use's own values that the reader copies and never looks at
# Values the reader copies into a `Text` wherever they are in a use, and looks at only for whether they are
# `<+input>` (the merge keeps the template's value for one): a use alike but for a barrier or a timeout it
# fills in (each pipeline its own barrier) is replayed with its own values.
VALUE_HOLES = ("barrierRef", "timeout")
# Every key a v0 reading looks up by name (`readers.v0`, `readers`, `workspace.merge`, the resolver;
# `tests/test_replay.py` checks it against every key-like word their code writes and every key they look up
# in the tests' workspaces and the corpus): the value of a scalar under any other key is never read, so
# uses that differ in it alone (a service, an environment, a variable each pipeline gives its template)
# read alike, and its value is left out of their signature.
READ_KEYS = frozenset((
    "barrierRef", "barriers", "chain", "condition", "dependsOn", "environments", "failureStrategies",
    "flowControl", "group", "id", "identifier", "inputSet", "inputs", "insert", "matrix", "maxConcurrency",
    "metadata", "name", "needs", "org", "orgIdentifier", "overlayInputSet", "parallel", "parallelism",
    "pipeline", "pipelineStatus", "project", "projectIdentifier", "repeat", "rollbackSteps", "services",
    "spec", "stage", "stageStatus", "stages", "step", "stepGroup", "steps", "strategy", "template",
    "templateInputs", "templateOverrides", "templateRef", "timeout", "type", "values", "version",
    "versionLabel", "when",
))
# What `_walk` does with the value of a scalar by its key: keeps it, leaves it out (a value no reading looks
# at), or takes it as a hole (`VALUE_HOLES`, and `HOLES` in the use's own mapping).
_READ, _UNREAD, _VALUE_HOLE, _OWN_HOLE = object(), object(), object(), object()
_VALUE_ROLES = (
    {key: _READ for key in READ_KEYS} | {key: _VALUE_HOLE for key in VALUE_HOLES} | {key: _OWN_HOLE for key in HOLES}
)
# The model's classes a reading makes and a replay copies; any other value is shared (strings, the syntax).
COPIED = frozenset((Stage, StepGroup, BarrierPosition, TemplateUse, FixedTemplateInput, TemplateCycle, When,
                    Strategy, MultiDeployment, Origin))
_OWN = frozenset((Stage, StepGroup, BarrierPosition, TemplateUse, FixedTemplateInput, TemplateCycle))
# A kind of use is recorded when first met, rather than when met again, once this many kinds were met and
# at least one in this many was met again: recording costs about half a reading, and saves the second
# reading of each kind met again, so it pays where a third of the kinds recur (docs/workspace.md).
FIRST_SIGHT = (32, 2)
MAX_RECORDINGS = 20_000  # a long-lived language server forgets them all past this many
_NONE = object()
_SEEN = object()  # a use read once: recorded when one alike comes


class Unreplayable(Exception):
    """The reading holds something a recording cannot stand for."""


class Readings:
    """The recordings of one workspace's template uses. `generation()` says the state of its templates (a
    count of their changes), `changes` when each template identifier last changed (in that count)."""

    def __init__(self, generation: Callable[[], int], changes: Mapping[str, int]) -> None:
        self._generation = generation
        self._changes = changes
        self._recorded: dict[tuple, object] = {}  # signature -> _SEEN, a `_Recording`, or None (not recordable)
        self.replayed = 0  # uses copied from a recording instead of read (what tests and benchmarks count)
        # Kinds of use met, and how many of them were met again, in pipelines [0] and in templates read on
        # their own [1]: where most are (pipelines that use the same templates alike), a kind is recorded
        # when first met (`FIRST_SIGHT`).
        self.kinds, self.recurring = [0, 0], [0, 0]

    def clear(self) -> None:
        self._recorded.clear()

    def read(
        self, builder: Builder, kind: str, key: Node | None, node: MappingNode, path: tuple,
        stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool, read: Callable[[], None],
    ) -> None:
        """Read the use `node` of a `kind` template (by calling `read`), or replay the recording of one alike."""
        walked = _walk(key, node)
        if walked is None:
            read()
            return
        signature, nodes, holes = walked
        if len(self._recorded) > MAX_RECORDINGS:
            self._recorded.clear()
        name = (kind, signature, builder.scope, tuple(builder.nesting), builder.nesting_root, rollback,
                stage is None, len(groups))
        recording = self._recorded.get(name, _NONE)
        within = builder.nesting_root  # (1 in a template read on its own)
        if recording is _NONE:  # the first use of its kind
            kinds = self.kinds[within] = self.kinds[within] + 1
            if kinds >= FIRST_SIGHT[0] and self.recurring[within] * FIRST_SIGHT[1] >= kinds:
                recording = _Recording.of(builder, nodes, holes, path, stage, groups, read, self._generation())
                self._recorded[name] = recording
                if recording is not None:
                    recording.recurred = False  # (counted in `recurring` when first replayed)
            else:  # most are the only one of their kind: a template's own uses, inputs that differ per pipeline
                self._recorded[name] = _SEEN
                read()
        elif recording is _SEEN or recording is not None and recording.stale(self._changes, self._generation()):
            # the second (worth recording), or one whose templates changed since it was recorded
            self.recurring[within] += recording is _SEEN
            self._recorded[name] = _Recording.of(builder, nodes, holes, path, stage, groups, read, self._generation())
        elif recording is not None and recording.replay(builder, nodes, path, stage, groups):
            self.replayed += 1
            if not recording.recurred:
                recording.recurred = True
                self.recurring[within] += 1
        else:
            read()


def _walk(key: Node | None, node: MappingNode) -> tuple[tuple, list[Node], frozenset[int]] | None:
    """The use as the reader sees it: its structure, keys, values and quoting, with None for the values of its
    own `identifier` and `name` and of its barriers and timeouts (their expression, for one), `_UNREAD` for
    a value no reading looks at; its nodes in the order of that walk (`key`, the `stage` or `stepGroup` key
    it is written under, first); and the places of the values set aside. None when the walk meets a
    collection twice (an alias to one: it may be recursive, or expand far beyond the text) or a merge key.

    Every node it meets is of the analysed file: a use is recorded only where it is written there, and an
    alias names a node of its own document. A scalar met twice (an alias to one) is at two places, each the
    node reading reaches there."""
    nodes: list[Node] = [] if key is None else [key]
    holes: list[int] = []
    signature: list = []
    add, place = signature.append, nodes.append
    seen: set[int] = set()
    stack: list[CollectionNode] = [node]
    top = True
    while stack:
        current = stack.pop()
        if id(current) in seen:
            return None
        seen.add(id(current))
        place(current)
        pairs = current.value
        if type(current) is MappingNode:
            add(2 * len(pairs))  # (counts: even for a mapping, odd for a sequence)
            for k, v in pairs:
                scalar_key = type(k) is ScalarNode
                if scalar_key:
                    name = k[0]
                    if name == "<<":
                        return None
                    add(name)
                    add(k[3])
                    place(k)
                else:
                    add(None)  # (a collection as a key: walked in its turn)
                    stack.append(k)
                if type(v) is ScalarNode:
                    role = _VALUE_ROLES.get(name, _UNREAD) if scalar_key else _READ
                    if role is _READ or role is _OWN_HOLE and not top:
                        add(v[0])
                    elif role is _UNREAD:
                        add(_UNREAD)
                    elif role is _VALUE_HOLE:  # (an expression as it is: whether it is `<+input>` matters)
                        holes.append(len(nodes))
                        add(v[0] if "<+" in v[0] else None)
                    else:
                        holes.append(len(nodes))
                        add(None)
                    add(v[3])
                    place(v)
                else:
                    add(False)  # (a collection: walked in its turn)
                    stack.append(v)
        else:
            add(2 * len(pairs) + 1)
            for v in pairs:
                if type(v) is ScalarNode:
                    add(v[0])
                    add(v[3])
                    place(v)
                else:
                    add(False)
                    stack.append(v)
        top = False
    return tuple(signature), nodes, frozenset(holes)


_FIELDS = {kind: attrgetter(*kind.__record_names__) for kind in COPIED}  # (every one has several fields)


class _Plan:
    """A recording compiled to the steps that make its objects again for another use: each step calls a
    constructor (a model class, `Text`, `origin_span`, ...) on values made by earlier steps, on constants (the
    template's strings and spans, shared by every use) and on what the new use brings (its nodes, its path,
    the stage and step groups it sits in). Making the copy is then one loop over the steps: copying the
    objects field by field, as a first version did, cost as much as reading the use."""

    def __init__(self, home: object, nodes: list[Node], holes: frozenset[int], path: tuple, outer: int) -> None:
        self.home, self.holes, self.prefix, self.nodes = home, holes, path, nodes
        self.places: dict[int, int] = {}
        for place, node in enumerate(nodes):
            position = node_position(node)
            self.places[position] = -1 if position in self.places else place  # -1: two nodes at one position
        self.constants: list = []
        self._places_of_constants: dict[int, tuple] = {}  # id -> its symbol
        self.needed: list[int] = []  # the places of the use's nodes the steps read
        self.steps: list[tuple] = []  # (function, symbolic arguments)
        self.made: dict[int, tuple] = {}  # id of an object of the recording -> the value that makes it
        self._in_texts: dict[int, tuple] = {}  # id of a span made with the `Text` that holds it -> that Text
        self.own: set[int] = set()  # ids of what the reading appended: no other element may be copied
        self.outer = outer  # how many enclosing elements: the stage, then each step group
        self.files: set[str] = set()  # the files of the origins recorded

    # -- symbolic values: ("c", k) a constant, ("p",) the use's path, ("o", k) an enclosing element,
    # ("n", k) the k-th needed node, ("s", k) what step k makes

    def constant(self, value) -> tuple:
        """One place for each object, however many steps take it (half the constants are None, False, a
        file's `Spans`, ...): the fewer values, the less a replay copies and goes through."""
        symbol = self._places_of_constants.get(id(value))  # (the list keeps the object, so its id is its own)
        if symbol is None:
            symbol = self._places_of_constants[id(value)] = ("c", len(self.constants))
            self.constants.append(value)
        return symbol

    def step(self, function, *arguments: tuple) -> tuple:
        self.steps.append((function, arguments))
        return ("s", len(self.steps) - 1)

    def node(self, place: int) -> tuple:
        self.needed.append(place)
        return ("n", len(self.needed) - 1)

    def value(self, value) -> tuple:
        kind = type(value)
        if kind is str or value is None or kind is bool or kind is int:
            return self.constant(value)
        made = self.made.get(id(value))
        if made is not None:
            return made
        if kind is Text:
            made = self.text(value)
        elif kind is tuple or kind is list:
            made = self.step(_make_tuple if kind is tuple else _make_list, *[self.value(v) for v in value])
        elif isinstance(value, Span):
            made = self.span(value)
        elif kind in COPIED:
            if kind in _OWN and id(value) not in self.own:
                raise Unreplayable  # another element of the pipeline than the use's own
            roles = _FIELD_ROLES[kind]
            made = self.step(kind, *[
                self.value(v) if role is None else role(self, v) for role, v in zip(roles, _FIELDS[kind](value))
            ])
        else:
            made = self.constant(value)  # immutable and shared: the syntax, a v1 use's opaque inputs
        self.made[id(value)] = made
        return made

    def text(self, value: Text) -> tuple:
        """A `Text` and its span in one step where the span is lazy and met first here (most values: a third
        of a replay's steps made a span only for the `Text` of the next)."""
        span = value.span
        parts = lazy_parts(span)
        if parts is not None and parts[2] is None and parts[0] is self.home:
            place = self._place(parts[1])
            if place in self.holes:  # the use's own identifier or name: the new use's value
                return self.step(_hole_text, self.node(place), self.constant(value.quoted))
            if type(self.nodes[place]) is ScalarNode:
                return self.step(scalar_text, self.constant(value.value), self.node(place), self.constant(value.quoted))
            return self.step(Text, self.constant(value.value), self._node_span(place), self.constant(value.quoted))
        if parts is not None and parts[2] is not None and id(span) not in self.made:
            source, position, origin = parts
            self.files.add(origin.file)
            made = self.step(origin_text, self.constant(value.value), self.constant(source), self.constant(position),
                             self.value(origin), self.constant(value.quoted))
            self._in_texts[id(span)] = made  # (the span, should another object hold it too: `span`)
            return made
        return self.step(Text, self.constant(value.value), self.value(span), self.constant(value.quoted))

    def span(self, value: Span) -> tuple:
        text = self._in_texts.get(id(value))
        if text is not None:  # made by the step that makes a `Text` holding it: the same object
            return self.step(_span_of, text)
        parts = lazy_parts(value)
        if parts is not None:
            source, position, origin = parts
            if origin is not None:
                self.files.add(origin.file)
                return self.step(origin_span, self.constant(source), self.constant(position), self.value(origin))
            if source is not self.home:
                return self.constant(value)  # (in another file and read without a use: shared)
            return self._node_span(self._place(position))
        if value.origin is None:
            raise Unreplayable  # a span of the analysed file whose line is known: no node to map it by
        self.files.add(value.origin.file)
        lines = [self.constant(n) for n in (value.start_line, value.start_col, value.end_line, value.end_col)]
        return self.step(Span, *lines, self.value(value.origin))

    def _node_span(self, place: int) -> tuple:
        """The span of the use's node at `place` (a use alike has a node of the same kind there)."""
        return self.step(scalar_span if type(self.nodes[place]) is ScalarNode else node_span, self.node(place))

    def _place(self, position: int) -> int:
        place = self.places.get(position, -1)
        if place < 0:
            raise Unreplayable  # not a node of the use, or two of its nodes at one position
        return place

    def path(self, value: tuple) -> tuple:
        if not value:
            return self.constant(value)
        if value[: len(self.prefix)] != self.prefix:
            raise Unreplayable
        rest = value[len(self.prefix):]
        return ("p",) if not rest else self.step(add, ("p",), self.constant(rest))

    def compile(self, appended: list[tuple[str, list]]) -> _Steps:
        """The steps for what the reading appended (list name, its new items), with absolute indices: the
        values are one list, constants first, then the use's path, enclosing elements and nodes, then what
        each step makes."""
        results = [(name, [self.value(item) for item in items]) for name, items in appended]
        base = {"c": 0, "p": len(self.constants), "o": len(self.constants) + 1}
        base["n"] = base["o"] + self.outer
        base["s"] = base["n"] + len(self.needed)
        at: dict[tuple, int] = {}  # symbol -> its index (most are taken several times)
        for symbol in self._places_of_constants.values():
            at[symbol] = symbol[1]
        at[("p",)] = base["p"]
        at.update((("o", k), base["o"] + k) for k in range(self.outer))
        at.update((("n", k), base["n"] + k) for k in range(len(self.needed)))
        at.update((("s", k), base["s"] + k) for k in range(len(self.steps)))
        functions = tuple(function for function, _ in self.steps)
        getters = tuple(_getter(tuple(map(at.__getitem__, arguments))) for _, arguments in self.steps)
        return _Steps(
            self.constants, tuple(self.needed), functions, getters,
            [(name, [at[v] for v in values]) for name, values in results],
        )


# How `_Plan.value` makes a copied record's field again, by the field's name: None for a value like any
# other; a path is put under the new use's; `at`, where a template says who it is in its own file, is the
# same for every use.
_FIELD_ROLES = {
    kind: tuple({"path": _Plan.path, "at": _Plan.constant}.get(name) for name in kind.__record_names__)
    for kind in COPIED
}


# One getter for every list of indices, for all recordings: most steps read a few places, among the first
# or the last, and the recordings a workspace replays in turn are that much less memory to go through.
_GETTERS: dict[tuple[int, ...], tuple[Callable, bool]] = {}


def _getter(indices: tuple[int, ...]) -> tuple[Callable, bool]:
    """What gives a step its arguments from the values, and whether that is a tuple of them (`itemgetter`
    of one index gives the value itself)."""
    getter = _GETTERS.get(indices)
    if getter is None:
        if len(_GETTERS) > MAX_RECORDINGS:
            _GETTERS.clear()
        getter = _GETTERS[indices] = (itemgetter(*indices) if indices else _nothing, len(indices) != 1)
    return getter


def _make_tuple(*items):
    return items


def _make_list(*items):
    return list(items)


def _nothing(values: list) -> tuple:
    return ()


def _hole_text(node: ScalarNode, quoted: bool) -> Text:
    return scalar_text(node[0], node, quoted)


_span_of = attrgetter("span")


class _Steps:
    """A compiled recording (`_Plan.compile`)."""

    __slots__ = ("constants", "functions", "getters", "needed", "results")

    def __init__(self, constants: list, needed: tuple[int, ...], functions: tuple, getters: tuple, results: list) -> None:
        self.constants = constants
        self.needed = _picker(needed)  # the use's nodes the steps read, from all of them
        self.functions, self.getters = functions, getters  # (the steps: each function, and its `_getter`)
        self.results = [(name, _picker(tuple(indices))) for name, indices in results]  # (list name, its items)

    def run(self, nodes: list[Node], path: tuple, outer: tuple) -> list[tuple[str, tuple]]:
        values = self.constants.copy()
        values.append(path)
        values.extend(outer)
        values.extend(self.needed(nodes))
        append = values.append
        for function, (get, many) in zip(self.functions, self.getters):
            append(function(*get(values)) if many else function(get(values)))
        return [(name, pick(values)) for name, pick in self.results]


def _picker(indices: tuple[int, ...]) -> Callable[[list], tuple]:
    """The items of a list at `indices`, as a tuple (`itemgetter`'s, which gives one item itself)."""
    if len(indices) > 1:
        return itemgetter(*indices)
    if indices:
        (index,) = indices
        return lambda items: (items[index],)
    return _nothing


class _Recording:
    """What the reading of one use appended to the pipeline, as steps that make it again, and what replaying
    it must check and redo."""

    __slots__ = ("depth", "generation", "granted", "identifiers", "outer", "reads", "recurred", "spent", "steps")

    @classmethod
    def of(
        cls, builder: Builder, nodes: list[Node], holes: frozenset[int], path: tuple, stage: Stage | None,
        groups: tuple, read: Callable[[], None], generation: int,
    ) -> _Recording | None:
        """Read the use (`read`), and record its reading, made in the templates' state `generation`; None
        when no recording can stand for it."""
        pipeline = builder.pipeline
        assert pipeline is not None
        before = {name: len(getattr(pipeline, name)) for name in APPENDED + NOT_REPLAYED}
        resolver = builder.resolver
        outer_reads, resolver.reads = resolver.reads, set()
        outer_identifiers, resolver.looked_up = resolver.looked_up, set()
        lookups = resolver.pipeline_lookups
        budget, granted, depth = builder.budget, builder.granted, builder.depth
        try:
            read()
        finally:
            reads, identifiers = resolver.reads, resolver.looked_up
            outer_reads |= reads  # (in place: a copy of the outermost sets, every read of the run, costs more
            outer_identifiers |= identifiers  # than the recording)
            resolver.reads, resolver.looked_up = outer_reads, outer_identifiers
        if resolver.pipeline_lookups != lookups or any(len(getattr(pipeline, n)) != before[n] for n in NOT_REPLAYED):
            return None
        appended = [(name, getattr(pipeline, name)[before[name]:]) for name in APPENDED]
        appended = [(name, items) for name, items in appended if items]
        outer = (stage, *groups) if stage is not None else groups
        plan = _Plan(builder.spans, nodes, holes, path, len(outer))
        plan.own = {id(item) for _, items in appended for item in items}
        plan.made.update((id(element), ("o", place)) for place, element in enumerate(outer))
        try:
            steps = plan.compile(appended)
        except Unreplayable:
            return None
        if builder.home in plan.files or builder.home in reads:
            return None
        recording = cls()
        recording.steps = steps
        recording.outer = stage is not None
        recording.granted = builder.granted - granted
        recording.spent = budget + recording.granted - builder.budget
        recording.depth = depth
        recording.reads = frozenset(reads)
        recording.identifiers = frozenset(identifiers)
        recording.generation = generation
        recording.recurred = True
        return recording

    def stale(self, changes: Mapping[str, int], generation: int) -> bool:
        """Whether a template identifier the reading looked up was defined, changed or removed since (none
        was when no template was: the templates' state `generation` is the recording's)."""
        if generation == self.generation:
            return False
        return any(changes.get(identifier, -1) > self.generation for identifier in self.identifiers)

    def replay(self, builder: Builder, nodes: list[Node], path: tuple, stage: Stage | None, groups: tuple) -> bool:
        """Append to the pipeline what reading the use `nodes` would; False (nothing done) when reading it
        might not make that: from deeper, with less of the walk's budget left, or in a file it reads."""
        if builder.depth > self.depth or builder.budget < self.spent or builder.home in self.reads:
            return False
        pipeline = builder.pipeline
        for name, items in self.steps.run(nodes, path, (stage, *groups) if self.outer else groups):
            getattr(pipeline, name).extend(items)
        pipeline.uses_templates = True  # type: ignore[union-attr]
        builder.budget += self.granted - self.spent
        builder.granted += self.granted
        builder.resolver.reads |= self.reads
        builder.resolver.looked_up |= self.identifiers
        return True
