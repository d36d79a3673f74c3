"""The only module that knows YAML: text in, `ParsedFile` (model + YAML problems) out.

It composes the text with ruamel.yaml's C parser (`CParser` from ruamel.yaml.clib, which keeps the start
and end marks of every node and both sides of a duplicate key) and turns the node tree into the typed model
of `barrier_lint.model`. The pure-Python parser is used only when the C extension is missing.

Hostile input is handled here, once:
- invalid UTF-8 and NUL bytes become problems with a position (`decode`);
- nesting deeper than `MAX_DEPTH` is refused before composing (the C composer recurses on the C stack and
  would crash the interpreter);
- aliases are shared nodes, and every walk tracks what it has visited or spends from a budget, so an
  alias bomb costs linear time;
- the cyclic garbage collector is paused while composing: the parse allocates millions of small objects
  and the collector's passes over them would dominate the time on large files.
"""

from __future__ import annotations

import bisect
import gc
import re
from dataclasses import dataclass, field

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import BaseResolver

from .model import (
    BarrierPosition,
    Declaration,
    Document,
    DocumentKind,
    MultiDeployment,
    Path,
    Pipeline,
    Span,
    Stage,
    StepGroup,
    Strategy,
    Text,
    When,
)

try:  # the C parser; ruamel.yaml >= 0.19 no longer pulls it in by itself
    from _ruamel_yaml import CParser as _Parser  # type: ignore[import-not-found]

    C_PARSER = True
except ImportError:  # pragma: no cover - exercised only without ruamel.yaml.clib
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.parser import Parser
    from ruamel.yaml.reader import Reader
    from ruamel.yaml.scanner import Scanner

    C_PARSER = False

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream, loader=self)
            Scanner.__init__(self, loader=self)
            Parser.__init__(self, loader=self)
            Composer.__init__(self, loader=self)


MAX_DEPTH = 400  # collections nested deeper than this are refused (real pipelines nest about 30 deep)
MIN_VISIT_BUDGET = 100_000  # model-building steps any document may take
VISITS_PER_NODE = 8  # beyond that, a document may take this many steps per distinct mapping or sequence

_HARNESS_MARKER = re.compile(r"^(?:pipeline|template|inputSet|overlayInputSet)\s*:|^\s*barrierRef\s*:", re.M)
_BLOCK_PREFIX = re.compile(r"^[ ?-]*", re.M)


class _Composer(_Parser, BaseResolver):  # type: ignore[misc, valid-type]
    """The C parser with the base resolver: every scalar stays a string, no implicit typing work."""

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        BaseResolver.__init__(self, loadumper=self)

    # The composer asks the resolver about every node. Every value stays a string here, so the answers
    # are constants: skipping ruamel's general resolver saves a Python call per node.
    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_DEFAULT_TAGS = {ScalarNode: "tag:yaml.org,2002:str", SequenceNode: "tag:yaml.org,2002:seq", MappingNode: "tag:yaml.org,2002:map"}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why (part of) the text could not be read as YAML; reported as BL000."""

    span: Span
    message: str
    document: int | None = None


@dataclass(slots=True)
class ParsedFile:
    text: str
    documents: list[Document] = field(default_factory=list)
    problems: list[YamlProblem] = field(default_factory=list)

    @property
    def is_harness(self) -> bool:
        return any(doc.kind is not DocumentKind.OTHER for doc in self.documents)


@dataclass(frozen=True, slots=True)
class Comment:
    line: int
    col: int
    text: str  # from the `#` to the end of the line


# ---------------------------------------------------------------------------------------------- decoding


def decode(data: bytes) -> tuple[str, YamlProblem | None]:
    """Decode file bytes as UTF-8 (a BOM is dropped). On failure, the text is empty and a problem says where."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start)
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace"))
        bad = data[exc.start : exc.start + 1].hex()
        return "", YamlProblem(
            Span(line, col, line, col + 1),
            f"the file is not valid UTF-8 (byte 0x{bad} at offset {exc.start}); save it as UTF-8",
        )
    return strip_bom(text), None


def strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def looks_like_harness(text: str) -> bool:
    """A cheap guess for text that does not parse: does it look like Harness YAML at all?"""
    return _HARNESS_MARKER.search(text) is not None


def _offset_to_span(text: str, offset: int) -> Span:
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset)
    col = offset - (text.rfind("\n", 0, offset) + 1)
    return Span(line, col, line, col + 1)


def _control_character_problem(text: str) -> YamlProblem | None:
    nul = text.find("\x00")
    if nul >= 0:
        return YamlProblem(_offset_to_span(text, nul), "the file contains a NUL byte; is it a binary file?")
    return None


# ---------------------------------------------------------------------------------------------- parsing


def parse(text: str) -> ParsedFile:
    """Read every document of `text` into the model. Never raises on bad input."""
    text = strip_bom(text)
    parsed = ParsedFile(text)
    spans = _Spans(text)
    problem = _control_character_problem(text)
    if problem is None:
        problem = _depth_problem(text, spans)
    if problem is not None:
        parsed.problems.append(problem)
        return parsed
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        _read_documents(text, parsed, spans)
    finally:
        if gc_was_enabled:
            gc.enable()
    return parsed


def _read_documents(text: str, parsed: ParsedFile, spans: _Spans) -> None:
    nodes, problem = _compose_all(text, spans)
    for number, node in enumerate(nodes):
        if node is None:
            continue
        index, problems = _index_mappings(node, number, spans)
        parsed.problems.extend(problems)
        builder = _Builder(number, index, spans)
        parsed.documents.append(builder.document(node))
        if builder.problem is not None:
            parsed.problems.append(builder.problem)
    if problem is not None:
        parsed.problems.append(problem)


def _compose_all(text: str, spans: _Spans) -> tuple[list[Node | None], YamlProblem | None]:
    nodes: list[Node | None] = []
    composer = _Composer(text)
    try:
        while composer.check_node():
            nodes.append(composer.get_node())
    except MarkedYAMLError as exc:
        return nodes, _marked_problem(text, exc, len(nodes), spans)
    except YAMLError as exc:
        return nodes, _reader_problem(text, exc, len(nodes))
    finally:
        composer.dispose()
    return nodes, None


def _marked_problem(text: str, exc: MarkedYAMLError, document: int, spans: _Spans) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line, col = spans.point(mark) if mark is not None else (0, 0)
    problem = (exc.problem or "invalid YAML").strip()
    message = f"YAML syntax error: {problem}"
    context_line = spans.point(exc.context_mark)[0] if exc.context_mark is not None else line
    if exc.context and context_line != line:
        message += f" ({exc.context.strip()} at line {context_line + 1})"
    lines = text.splitlines()
    at_tab = line < len(lines) and lines[line][col : col + 1] == "\t"
    if "tab" in problem or at_tab:
        message += "; indent with spaces, YAML does not allow tabs for indentation"
    return YamlProblem(Span(line, col, line, col + 1), message, document)


def _reader_problem(text: str, exc: YAMLError, document: int) -> YamlProblem:
    position = getattr(exc, "position", 0) or 0
    character = getattr(exc, "character", None)
    if isinstance(character, str) and character:
        what = f"the character U+{ord(character):04X}"
    elif isinstance(character, int):
        what = f"the character U+{character:04X}"
    else:
        what = "a character"
    reason = getattr(exc, "reason", None) or "it is not allowed in YAML"
    return YamlProblem(
        _offset_to_span(text, position), f"the file contains {what}, which YAML does not allow ({reason})", document
    )


def _depth_problem(text: str, spans: _Spans) -> YamlProblem | None:
    """Refuse nesting deeper than MAX_DEPTH without composing (the C composer would overflow the stack).

    A cheap upper bound comes first: block nesting is bounded by the indentation-and-dash prefix of a line,
    flow nesting by the number of opening brackets. Only when that bound is too high is the exact depth
    measured on the event stream.
    """
    block_bound = max((len(prefix) for prefix in _BLOCK_PREFIX.findall(text)), default=0) + 1
    flow_bound = text.count("[") + text.count("{")
    if flow_bound > MAX_DEPTH:
        depth = flow_bound = 0
        for match in re.finditer(r"[\[\]{}]", text):
            depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
            flow_bound = max(flow_bound, depth)
    if 2 * block_bound + flow_bound <= MAX_DEPTH:
        return None
    return _measure_depth(text, spans)


def _measure_depth(text: str, spans: _Spans) -> YamlProblem | None:
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, StreamEndEvent

    parser = _Composer(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, StreamEndEvent):
                return None
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = spans.point(event.start_mark)
                    return YamlProblem(
                        Span(line, col, line, col + 1),
                        f"the document nests collections more than {MAX_DEPTH} levels deep; "
                        "barrier-lint does not read documents this deep",
                    )
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return None  # the syntax error is reported when composing
    finally:
        parser.dispose()


Index = dict[int, dict[str, tuple[Node, Node]]]  # id(mapping node) -> key -> (key node, value node)


def _index_mappings(root: Node, document: int, spans: _Spans) -> tuple[Index, list[YamlProblem]]:
    """Index every mapping of a document by key (the last of duplicate keys wins, as in Harness) and
    report each duplicate key. One pass over the distinct nodes: an alias is visited once."""
    index: Index = {}
    problems = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, MappingNode):
            if id(node) in index:
                continue
            keys: dict[str, tuple[Node, Node]] = {}
            index[id(node)] = keys
            for pair in node.value:
                key, value = pair
                if isinstance(key, ScalarNode):
                    earlier = keys.get(key.value)
                    if earlier is not None and key.value != "<<":
                        problems.append(
                            YamlProblem(
                                spans(key),
                                f"duplicate key '{key.value}' (first at line {spans.point(earlier[0].start_mark)[0] + 1}); "
                                "YAML forbids duplicate keys and Harness keeps only the last one",
                                document,
                            )
                        )
                    keys[key.value] = pair
                else:
                    stack.append(key)
                if isinstance(value, (MappingNode, SequenceNode)):
                    stack.append(value)
        elif isinstance(node, SequenceNode):
            if id(node) in index:
                continue
            index[id(node)] = {}  # marks the sequence as visited
            stack.extend(child for child in node.value if isinstance(child, (MappingNode, SequenceNode)))
    problems.sort(key=lambda p: (p.span.start_line, p.span.start_col))
    return index, problems


# ---------------------------------------------------------------------------------------------- comments


def find_comments(text: str) -> list[Comment]:
    """Every YAML comment, found between scanner tokens so a `#` inside a scalar is never taken for one.

    Returns what could be scanned: on a syntax error, the comments before it.
    """
    text = strip_bom(text)
    if "#" not in text:
        return []
    lines = text.splitlines()
    comments: list[Comment] = []
    scanner = _Composer(text)
    prev_line, prev_col = 0, 0

    def scan_gap(end_line: int, end_col: int) -> None:
        # The gap between two tokens holds only white space, line breaks and comments.
        for line in range(prev_line, min(end_line, len(lines) - 1) + 1):
            start = prev_col if line == prev_line else 0
            stop = end_col if line == end_line else len(lines[line])
            hash_at = lines[line].find("#", start, stop)
            if hash_at >= 0:
                comments.append(Comment(line, hash_at, lines[line][hash_at:].rstrip()))

    try:
        while True:
            token = scanner.get_token()
            if token is None:
                break
            scan_gap(token.start_mark.line, token.start_mark.column)
            if getattr(token, "style", None) in ("|", ">"):
                # A block scalar's token starts at its `|` or `>` and ends after its content: a comment on
                # its header line (`key: |  # why`) is inside the token. Nothing but indicators, spaces and
                # a comment may follow the `|` on that line.
                header = lines[token.start_mark.line] if token.start_mark.line < len(lines) else ""
                hash_at = header.find("#", token.start_mark.column)
                if hash_at >= 0:
                    comments.append(Comment(token.start_mark.line, hash_at, header[hash_at:].rstrip()))
            prev_line, prev_col = token.end_mark.line, token.end_mark.column
    except YAMLError:
        pass
    finally:
        scanner.dispose()
    return comments


# ---------------------------------------------------------------------------------------------- model


class _Spans:
    """Turns node marks into model spans.

    libyaml also breaks lines at U+0085, U+2028 and U+2029, which editors, the LSP and people do not: when
    the text holds any of them, lines and columns come from the mark's code-point offset instead.
    A block collection's end mark lies at the next token, past blank lines and comments, so its span
    ends where its last value ends.
    """

    def __init__(self, text: str) -> None:
        self.line_starts: list[int] | None = None
        if "\x85" in text or "\u2028" in text or "\u2029" in text:
            self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def point(self, mark) -> tuple[int, int]:
        if self.line_starts is None:
            return mark.line, mark.column
        line = bisect.bisect_right(self.line_starts, mark.index) - 1
        return line, mark.index - self.line_starts[line]

    def __call__(self, node: Node) -> Span:
        end = node
        while isinstance(end, (MappingNode, SequenceNode)) and end.value and not end.flow_style:
            last = end.value[-1]
            end = last[1] if isinstance(end, MappingNode) else last
        start_line, start_col = self.point(node.start_mark)
        end_line, end_col = self.point(end.end_mark)
        return Span(start_line, start_col, end_line, end_col)


_PART_TEMPLATES = {
    "Stage": DocumentKind.STAGE_TEMPLATE,
    "StepGroup": DocumentKind.STEP_GROUP_TEMPLATE,
    "Step": DocumentKind.STEP_TEMPLATE,
}


class _TooLarge(Exception):
    pass


class _Builder:
    """Builds the model of one document from its node tree."""

    def __init__(self, number: int, index: Index, spans: _Spans) -> None:
        self.number = number
        self.index = index
        self.span = spans
        # Aliases can make the tree far larger than its text; a real pipeline visits each node about once.
        self.budget = max(MIN_VISIT_BUDGET, VISITS_PER_NODE * len(index))
        self.pipeline: Pipeline | None = None
        self.problem: YamlProblem | None = None

    # -- node access -----------------------------------------------------------------------------------

    def _spend(self) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise _TooLarge

    def items(self, node: Node | None) -> list[tuple[Node, Node]]:
        """The key/value pairs of a mapping, own keys first, then what merge keys (`<<: *x`) bring in."""
        if not isinstance(node, MappingNode):
            return []
        keys = self.index.get(id(node), {})
        if "<<" not in keys:
            return node.value
        own = [(k, v) for k, v in node.value if not (isinstance(k, ScalarNode) and k.value == "<<")]
        return own + [pair for source in self._merge_sources(node) for pair in source.value]

    @staticmethod
    def _merge_sources(node: MappingNode) -> list[MappingNode]:
        sources = []
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == "<<":
                for source in v.value if isinstance(v, SequenceNode) else [v]:
                    if isinstance(source, MappingNode) and source is not node:
                        sources.append(source)
        return sources

    def entry(self, node: Node | None, key: str) -> tuple[Node, Node] | None:
        """The (key node, value node) for `key`: the last own one, else the first merged one."""
        if not isinstance(node, MappingNode):
            return None
        keys = self.index.get(id(node))
        if keys is None:
            return None
        found = keys.get(key)
        if found is None and "<<" in keys:
            for source in self._merge_sources(node):
                found = self.index.get(id(source), {}).get(key)
                if found is not None:
                    break
        return found

    def get(self, node: Node | None, key: str) -> Node | None:
        pair = self.entry(node, key)
        return pair[1] if pair else None

    def text(self, node: Node | None, key: str) -> Text | None:
        value = self.get(node, key)
        if isinstance(value, ScalarNode):
            return Text(value.value, self.span(value), bool(value.style))
        return None

    @staticmethod
    def seq(node: Node | None) -> list[Node]:
        return node.value if isinstance(node, SequenceNode) else []

    # -- documents ---------------------------------------------------------------------------------------

    def document(self, root: Node) -> Document:
        doc = Document(self.number, DocumentKind.OTHER, self.span(root))
        if not isinstance(root, MappingNode):
            return doc
        try:
            self._classify_and_build(root, doc)
        except _TooLarge:
            doc.pipeline = None  # the kind stays: it is Harness YAML we could not read
            self.problem = YamlProblem(
                self.span(root),
                "aliases in this document expand to far more nodes than it holds; barrier-lint does not expand "
                "alias bombs, write the repeated parts out",
                self.number,
            )
        return doc

    def _classify_and_build(self, root: MappingNode, doc: Document) -> None:
        if self.get(root, "inputSet") is not None or self.get(root, "overlayInputSet") is not None:
            doc.kind = DocumentKind.INPUT_SET
            return
        pair = self.entry(root, "pipeline")
        if pair is not None and isinstance(pair[1], MappingNode):
            key, body = pair
            if self._is_v1(root, body):
                doc.kind = DocumentKind.V1_PIPELINE
                return
            doc.kind = DocumentKind.PIPELINE
            doc.pipeline = self._pipeline(key, body, ())
            return
        pair = self.entry(root, "template")
        if pair is None or not isinstance(pair[1], MappingNode):
            return
        key, template = pair
        kind = self.text(template, "type")
        spec = self.get(template, "spec")
        if kind is None or not isinstance(spec, MappingNode):
            return
        path: Path = (("template", None), ("spec", None))
        if kind.value == "Pipeline":
            doc.kind = DocumentKind.PIPELINE_TEMPLATE
            doc.pipeline = self._pipeline(key, spec, path, identity=template)
            return
        if kind.value not in _PART_TEMPLATES:
            return  # another kind of template (a secret manager, a deployment type, ...): not ours
        doc.kind = _PART_TEMPLATES[kind.value]
        doc.pipeline = self.pipeline = Pipeline(
            self.text(template, "identifier"), self.text(template, "name"), self.span(key), self.span(template)
        )
        if doc.kind is DocumentKind.STAGE_TEMPLATE:
            self._stage_body(key, spec, spec, path, identifier_node=template)
        elif doc.kind is DocumentKind.STEP_GROUP_TEMPLATE:
            self._step_group_body(key, spec, template, path, stage=None, parent=None, rollback=False)
        else:
            self._step(spec, path, stage=None, groups=(), rollback=False, identity=template)

    def _is_v1(self, root: MappingNode, body: MappingNode) -> bool:
        version = self.text(root, "version")
        if version is not None and version.value.strip() == "1":
            return True
        barriers = self.get(body, "barriers")
        if isinstance(barriers, SequenceNode) and any(isinstance(b, ScalarNode) for b in barriers.value):
            return True
        for entry in self.seq(self.get(body, "stages")):
            if not isinstance(entry, MappingNode):
                continue
            parallel = self.get(entry, "parallel")
            if isinstance(parallel, MappingNode):
                return True
            if not any(self.get(entry, k) is not None for k in ("stage", "parallel", "insert", "template")):
                if self.get(entry, "steps") is not None or self.get(entry, "id") is not None:
                    return True
        return False

    # -- pipeline ----------------------------------------------------------------------------------------

    def _pipeline(self, key: Node, body: MappingNode, path: Path, identity: Node | None = None) -> Pipeline:
        identity = identity if identity is not None else body
        pipeline = Pipeline(self.text(identity, "identifier"), self.text(identity, "name"), self.span(key), self.span(body))
        self.pipeline = pipeline
        flow = self.entry(body, "flowControl")
        if flow is not None:
            pipeline.flow_control_key = self.span(flow[0])
            barriers = self.entry(flow[1], "barriers")
            if barriers is not None:
                pipeline.barriers_key = self.span(barriers[0])
                for entry in self.seq(barriers[1]):
                    pipeline.declarations.append(
                        Declaration(self.text(entry, "identifier"), self.text(entry, "name"), self.span(entry))
                    )
        self._stage_list(self.get(body, "stages"), path + (("stages", None),))
        template = self.get(body, "template")
        if isinstance(template, MappingNode):  # the whole pipeline comes from a template
            pipeline.uses_templates = True
            inputs = self.get(template, "templateInputs")
            tpath = path + (("template", None), ("templateInputs", None))
            self._stage_list(self.get(inputs, "stages"), tpath + (("stages", None),))
        return pipeline

    def _stage_list(self, node: Node | None, path: Path) -> None:
        """`stages:` (or `parallel:` / `insert.stages:` inside it). `path` ends with the list's own segment."""
        name = path[-1][0]
        for index, entry in enumerate(self.seq(node)):
            self._spend()
            here = path[:-1] + ((name, index),)
            stage = self.entry(entry, "stage")
            if stage is not None:
                self._stage(stage[0], stage[1], here + (("stage", None),))
                continue
            parallel = self.get(entry, "parallel")
            if parallel is not None:
                self._stage_list(parallel, here + (("parallel", None),))
                continue
            insert = self.get(entry, "insert")
            if insert is not None:
                self._stage_list(self.get(insert, "stages"), here + (("insert", None), ("stages", None)))

    def _stage(self, key: Node, node: Node, path: Path) -> None:
        if not isinstance(node, MappingNode):
            return
        body, body_path, template_ref = self._template_use(node, path)
        self._stage_body(key, node, body, body_path, identifier_node=node, template_ref=template_ref)

    def _stage_body(
        self,
        key: Node,
        node: MappingNode,
        body: Node | None,
        path: Path,
        identifier_node: Node,
        template_ref: Text | None = None,
    ) -> None:
        assert self.pipeline is not None
        stage_type = self.text(body, "type") or self.text(node, "type")
        depends = self.get(node, "dependsOn")
        stage = Stage(
            identifier=self.text(identifier_node, "identifier"),
            name=self.text(identifier_node, "name"),
            type=stage_type,
            key=self.span(key),
            span=self.span(node),
            path=path,
            depends_on=None
            if depends is None
            else tuple(d.value for d in self.seq(depends) if isinstance(d, ScalarNode)),
            strategy=self._strategy(node) or self._strategy(body),
            when=self._when(node, "pipelineStatus") or self._when(body, "pipelineStatus"),
            template_ref=template_ref,
        )
        self.pipeline.stages.append(stage)
        if stage_type is not None and stage_type.value == "Pipeline":
            # A chained pipeline: what its inputs hold belongs to the child pipeline.
            self.pipeline.chained_stages.append(stage)
            return
        spec = self.get(body, "spec")
        if isinstance(spec, MappingNode):
            stage.deployments = self._deployments(spec)
            self._find_step_lists(spec, path + (("spec", None),), stage, (), rollback=False)

    def _find_step_lists(
        self, node: Node, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool
    ) -> None:
        """Walk the mappings of a stage spec for `steps` / `rollbackSteps` lists (execution, provisioner, ...)."""
        for key, value in self.items(node):
            self._spend()
            if not isinstance(key, ScalarNode):
                continue
            if key.value in ("steps", "rollbackSteps") and isinstance(value, SequenceNode):
                self._step_list(value, path + ((key.value, None),), stage, groups, rollback or key.value == "rollbackSteps")
            elif key.value in ("template", "when", "strategy", "failureStrategies"):
                continue
            elif isinstance(value, MappingNode):
                self._find_step_lists(value, path + ((key.value, None),), stage, groups, rollback)
            elif isinstance(value, SequenceNode):
                # Older or unusual layouts (`executions: [ {parallel: [ {steps: [...]} ]} ]`) keep step
                # lists inside other lists; Harness finds Barrier steps there too.
                for index, item in enumerate(value.value):
                    if isinstance(item, MappingNode):
                        self._find_step_lists(item, path + ((key.value, index),), stage, groups, rollback)

    def _step_list(
        self, node: Node, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool
    ) -> None:
        name = path[-1][0]
        for index, entry in enumerate(self.seq(node)):
            self._spend()
            here = path[:-1] + ((name, index),)
            step = self.get(entry, "step")
            if step is not None:
                self._step(step, here + (("step", None),), stage, groups, rollback)
                continue
            pair = self.entry(entry, "stepGroup")
            if pair is not None:
                self._step_group(pair[0], pair[1], here + (("stepGroup", None),), stage, groups, rollback)
                continue
            parallel = self.get(entry, "parallel")
            if parallel is not None:
                self._step_list(parallel, here + (("parallel", None),), stage, groups, rollback)
                continue
            insert = self.get(entry, "insert")
            if insert is not None:
                self._step_list(self.get(insert, "steps"), here + (("insert", None), ("steps", None)), stage, groups, rollback)

    def _step_group(
        self, key: Node, node: Node, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool
    ) -> None:
        if not isinstance(node, MappingNode):
            return
        body, body_path, template_ref = self._template_use(node, path)
        self._step_group_body(key, body, node, body_path, stage, groups[-1] if groups else None, rollback, groups, template_ref)

    def _step_group_body(
        self,
        key: Node,
        body: Node | None,
        identity: Node,
        path: Path,
        stage: Stage | None,
        parent: StepGroup | None,
        rollback: bool,
        groups: tuple[StepGroup, ...] = (),
        template_ref: Text | None = None,
    ) -> None:
        assert self.pipeline is not None
        group = StepGroup(
            identifier=self.text(identity, "identifier"),
            name=self.text(identity, "name"),
            key=self.span(key),
            span=self.span(identity),
            path=path,
            stage=stage,
            parent=parent,
            strategy=self._strategy(identity) or self._strategy(body),
            when=self._when(identity, "stageStatus") or self._when(body, "stageStatus"),
            template_ref=template_ref,
        )
        self.pipeline.step_groups.append(group)
        inner = groups + (group,)
        for list_key in ("steps", "rollbackSteps"):
            steps = self.get(body, list_key)
            if steps is not None:
                self._step_list(steps, path + ((list_key, None),), stage, inner, rollback or list_key == "rollbackSteps")

    def _step(
        self,
        node: Node,
        path: Path,
        stage: Stage | None,
        groups: tuple[StepGroup, ...],
        rollback: bool,
        identity: Node | None = None,
    ) -> None:
        if not isinstance(node, MappingNode):
            return
        assert self.pipeline is not None
        identity = identity if identity is not None else node
        body, _, template_ref = self._template_use(node, path)
        step_type = self.text(body, "type")
        if step_type is None or step_type.value != "Barrier":
            return
        strategy = self.entry(node, "strategy") or self.entry(body, "strategy")
        self.pipeline.positions.append(
            BarrierPosition(
                type=step_type,
                ref=self.text(self.get(body, "spec"), "barrierRef"),
                identifier=self.text(identity, "identifier"),
                name=self.text(identity, "name"),
                span=self.span(node),
                path=path,
                stage=stage,
                groups=groups,
                rollback=rollback,
                strategy_key=self.span(strategy[0]) if strategy is not None else None,
                timeout=self.text(body, "timeout") or self.text(node, "timeout"),
                when=self._when(node, "stageStatus") or self._when(body, "stageStatus"),
                template_ref=template_ref,
            )
        )

    # -- small parts -------------------------------------------------------------------------------------

    def _template_use(self, node: MappingNode, path: Path) -> tuple[Node | None, Path, Text | None]:
        """For a stage, step group or step that uses a template, what its `templateInputs` show (with
        their path and the template reference); for any other, the node itself."""
        template = self.get(node, "template")
        if not isinstance(template, MappingNode):
            return node, path, None
        assert self.pipeline is not None
        self.pipeline.uses_templates = True
        inputs_path = path + (("template", None), ("templateInputs", None))
        return self.get(template, "templateInputs"), inputs_path, self.text(template, "templateRef")

    def _strategy(self, node: Node | None) -> Strategy | None:
        pair = self.entry(node, "strategy")
        if pair is None or not isinstance(pair[1], MappingNode):
            return None
        strategy = Strategy(self.span(pair[0]), None)
        for kind in ("matrix", "repeat", "parallelism"):
            value = self.get(pair[1], kind)
            if value is not None:
                strategy.kind = kind
                limit = self.entry(value, "maxConcurrency")
                if limit is not None:
                    strategy.max_concurrency_key = self.span(limit[0])
                    if isinstance(limit[1], ScalarNode):
                        strategy.max_concurrency = Text(limit[1].value, self.span(limit[1]))
                break
        return strategy if strategy.kind is not None else None

    def _when(self, node: Node | None, status_key: str) -> When | None:
        pair = self.entry(node, "when")
        if pair is None or not isinstance(pair[1], MappingNode):
            return None
        return When(self.span(pair[0]), self.text(pair[1], status_key), self.text(pair[1], "condition"))

    def _deployments(self, spec: MappingNode) -> list[MultiDeployment]:
        found = []
        for kind in ("services", "environments"):
            block = self.get(spec, kind)
            values = self.entry(block, "values")
            if values is None:
                continue
            count = len(values[1].value) if isinstance(values[1], SequenceNode) else 0
            found.append(MultiDeployment(kind, self.span(values[0]), count, self.text(self.get(block, "metadata"), "parallel")))
        return found
