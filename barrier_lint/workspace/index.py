"""The workspace index: every Harness YAML file of the workspace, composed once, keyed by what it says.

- templates by identifier, then scope (the org and project ids they carry) and `versionLabel` as written;
- pipelines by org, project and identifier;
- input sets by the pipeline they name.

Identity comes from the YAML, never from the path (harness-barriers.md section 5). Adding, changing or
removing one file touches only that file's entries, so the language server can keep the index current on
every edit.
"""

from __future__ import annotations

from collections import defaultdict

from ..model import Span
from ..parse import Composed, compose
from ..readers import V1_TEMPLATE_PATH
from ..records import field, record
from ..syntax import Index, MappingNode, Node, ScalarNode, Tree, collections_in, key_names, keys_of

TEMPLATE_TYPES = ("Pipeline", "Stage", "StepGroup", "Step")


@record(frozen=True, slots=True)
class Scope:
    """The org and project a file says it belongs to (None: it does not say)."""

    org: str | None
    project: str | None

    @property
    def level(self) -> str:
        if self.org and self.project:
            return "project"
        return "org" if self.org else "account"


@record(slots=True)
class TemplateEntry:
    identifier: str
    version: str | None  # versionLabel as written
    type: str
    scope: Scope
    file: str
    number: int  # the document in its file
    template: MappingNode  # the `template:` mapping
    spec: Node | None
    size: int
    at: Span | None = None  # where it says who it is (computed on first use)
    v1: bool = False  # a v1 template file: identity from its path, its body read with the use's `with`

    @property
    def label(self) -> str:
        return f"{self.identifier}@{self.version}" if self.version is not None else self.identifier


@record(slots=True)
class PipelineEntry:
    identifier: str
    scope: Scope
    file: str
    number: int
    key: Node  # the `pipeline` key
    body: MappingNode
    size: int


@record(slots=True)
class InputSetEntry:
    identifier: str | None
    pipeline: str | None  # the pipeline identifier it names
    scope: Scope
    file: str
    number: int
    body: MappingNode  # the `inputSet` / `overlayInputSet` mapping
    overlay: bool = False


@record(slots=True)
class IndexedFile:
    name: str
    composed: Composed
    templates: list[TemplateEntry] = field(default_factory=list)
    pipelines: list[PipelineEntry] = field(default_factory=list)
    input_sets: list[InputSetEntry] = field(default_factory=list)
    # What it names in other files, by identifier: templates (`templateRef`, a v1 `uses`) and pipelines (a
    # Pipeline stage's `spec.pipeline`). A superset of what its analysis reads: the reverse dependency map.
    # Found when the map is first asked (`WorkspaceIndex.readers_of`): a command-line run rarely asks it.
    names_templates: set[str] = field(default_factory=set)
    names_pipelines: set[str] = field(default_factory=set)
    shared: bool = True  # whether its mappings' keys are in `WorkspaceIndex.node_keys`

    def find_names(self) -> None:
        """Fill `names_templates` and `names_pipelines` in (from every mapping's keys)."""
        for _, _, index, _ in self.composed.documents:
            _names(self, index)


class WorkspaceIndex:
    def __init__(self) -> None:
        self.files: dict[str, IndexedFile] = {}
        self.templates: dict[str, list[TemplateEntry]] = defaultdict(list)
        self.pipelines: dict[str, list[PipelineEntry]] = defaultdict(list)
        self.input_sets: dict[str, list[InputSetEntry]] = defaultdict(list)
        # Files read but not composed yet: a directory run composes most of them when it lints them, so
        # they are composed here only when a lookup needs them (a child pipeline, an input set's pipeline).
        # Their text, or the bytes of an ASCII file (its text, not decoded until it is composed).
        self.pending: dict[str, str | bytes] = {}
        # Every composed mapping's keys, by node, across files: readers look spliced nodes up here. Only
        # templates' when `shares_all` is off: no other file's nodes are spliced where nothing looks a
        # pipeline up (`Workspace.load`), and a file's own nodes are looked up faster in its own index.
        self.node_keys: dict = {}  # (the entries of `syntax.Index`es)
        self.shares_all = True
        self.generation = 0  # how many times a file was added, changed or removed: what lookups remember by
        # How many times a file that defines templates (before or after) was added, changed or removed: what
        # template lookups and the readings of template uses depend on (`templates` changes with it alone).
        self.template_generation = 0
        # Template identifier -> the `template_generation` at which a file defining it (before or after) was
        # last added, changed or removed: what a recorded reading that looked it up depends on (`replay`).
        self.template_changes: dict[str, int] = {}
        # The reverse dependency map, kept by put and remove: identifier -> the files that name it. The files
        # put since it was last asked are added to it then (`_name_all`): most command-line runs never ask.
        self.template_users: dict[str, set[str]] = defaultdict(set)
        self.pipeline_parents: dict[str, set[str]] = defaultdict(set)
        self.unnamed: dict[str, IndexedFile] = {}

    def share_all(self) -> None:
        """Have every file's mappings in `node_keys` from now on (those composed already too)."""
        self.shares_all = True
        for indexed in self.files.values():
            if not indexed.shared:
                indexed.shared = True
                for _, _, index, _ in indexed.composed.documents:
                    self.node_keys.update(index)

    def put_later(self, name: str, text: str | bytes) -> None:
        self.remove(name)
        self.pending[name] = text

    def flush(self) -> None:
        """Compose every file still pending (before a lookup that must see them all)."""
        while self.pending:
            name, text = next(iter(self.pending.items()))
            self.put(name, text)

    def put(self, name: str, text: str | bytes) -> IndexedFile:
        """Index (or re-index) the file `name` with this text (or the bytes of an ASCII one)."""
        if type(text) is bytes:
            text = text.decode("ascii")
        self.remove(name)
        self.generation += 1
        indexed = IndexedFile(name, compose(text, name))
        for number, root, index, _ in indexed.composed.documents:
            _classify(indexed, number, root, Tree(index, indexed.composed.spans), collections_in(index))
        indexed.shared = self.shares_all or bool(indexed.templates)
        if indexed.shared:
            for _, _, index, _ in indexed.composed.documents:
                self.node_keys.update(index)
        self.unnamed[name] = indexed
        self.files[name] = indexed
        if indexed.templates:
            self.template_generation += 1
        for entry in indexed.templates:
            self.templates[entry.identifier].append(entry)
            self.template_changes[entry.identifier] = self.template_generation
        for entry in indexed.pipelines:
            self.pipelines[entry.identifier].append(entry)
        for entry in indexed.input_sets:
            if entry.pipeline is not None:
                self.input_sets[entry.pipeline].append(entry)
        return indexed

    def remove(self, name: str) -> None:
        self.pending.pop(name, None)
        old = self.files.pop(name, None)
        if old is None:
            return
        self.generation += 1
        if old.templates:
            self.template_generation += 1
            for entry in old.templates:
                self.template_changes[entry.identifier] = self.template_generation
        if old.shared:
            for _, _, index, _ in old.composed.documents:
                for node in index:
                    self.node_keys.pop(node, None)
        if self.unnamed.pop(name, None) is None:  # (else it is not in the reverse dependency map yet)
            for table, identifiers in ((self.template_users, old.names_templates), (self.pipeline_parents, old.names_pipelines)):
                for identifier in identifiers:
                    table[identifier].discard(name)
                    if not table[identifier]:
                        del table[identifier]
        for table, entries, key in (
            (self.templates, old.templates, lambda e: e.identifier),
            (self.pipelines, old.pipelines, lambda e: e.identifier),
            (self.input_sets, old.input_sets, lambda e: e.pipeline),
        ):
            for entry in entries:
                bucket = table.get(key(entry))
                if bucket is not None:
                    bucket[:] = [e for e in bucket if e.file != name]
                    if not bucket:
                        del table[key(entry)]

    def readers_of(self, name: str) -> set[str]:
        """The files whose analysis may read file `name`, from the reverse dependency map alone (no file is
        read): the files naming a template it defines, the pipelines chaining a pipeline it defines, the input
        sets running it, and, transitively, whatever may read those (a pipeline using a stage template that
        uses this step template; the parent of a child using it). A superset of the real readers: the map
        goes by identifier, not by scope or version. Files still pending are not seen: `flush` first."""
        self._name_all()
        found: set[str] = set()
        todo = [name]
        while todo:
            indexed = self.files.get(todo.pop())
            if indexed is None:
                continue
            users: set[str] = set()
            for template in indexed.templates:
                users |= self.template_users.get(template.identifier, set())
            for pipeline in indexed.pipelines:
                users |= self.pipeline_parents.get(pipeline.identifier, set())
                users.update(entry.file for entry in self.input_sets.get(pipeline.identifier, ()))
            if indexed.pipelines:  # an overlay that names no pipeline runs the pipeline of what it layers
                users.update(f for f, other in self.files.items() for e in other.input_sets if e.overlay and e.pipeline is None)
            for user in users - found:
                found.add(user)
                todo.append(user)
        found.discard(name)
        return found

    def _name_all(self) -> None:
        """Add the files put since the last call to the reverse dependency map."""
        for name, indexed in self.unnamed.items():
            indexed.find_names()
            for identifier in indexed.names_templates:
                self.template_users[identifier].add(name)
            for identifier in indexed.names_pipelines:
                self.pipeline_parents[identifier].add(name)
        self.unnamed.clear()


NAMING_KEYS = frozenset(("templateRef", "uses", "pipeline"))


def _names(indexed: IndexedFile, index: Index) -> None:
    """What the file names in others (`IndexedFile.names_templates`, `names_pipelines`), from its mappings' keys."""
    targets = (("templateRef", indexed.names_templates), ("uses", indexed.names_templates),
               ("pipeline", indexed.names_pipelines))
    for node, entry in index.keyed():
        if NAMING_KEYS.isdisjoint(key_names(entry)):  # (most mappings: one test in C instead of three lookups)
            continue
        keys = keys_of(node, entry)
        for key, into in targets:
            pair = keys.get(key)
            if pair is not None and isinstance(pair[1], ScalarNode) and isinstance(pair[1].value, str):
                value = pair[1].value.strip().partition("@")[0] if key == "uses" else pair[1].value.strip()
                head, _, rest = value.partition(".")
                into.add(rest if key != "pipeline" and rest and head in ("org", "account") else value)


def _text(tree: Tree, node: Node | None, key: str) -> str | None:
    """A scalar's value (no span: nothing here is reported)."""
    found = tree.get(node, key)
    return found.value if type(found) is ScalarNode else None


def _scope(tree: Tree, node: Node | None) -> Scope:
    return Scope(_text(tree, node, "orgIdentifier") or None, _text(tree, node, "projectIdentifier") or None)


def _classify(indexed: IndexedFile, number: int, root: Node, tree: Tree, size: int) -> None:
    if not isinstance(root, MappingNode):
        return
    name = indexed.name
    template = tree.get(root, "template")
    if isinstance(template, MappingNode):
        identifier, kind = _text(tree, template, "identifier"), _text(tree, template, "type")
        if identifier is None and kind is None:
            _classify_v1_template(indexed, number, tree, template, size)
            return
        if identifier and kind in TEMPLATE_TYPES:
            indexed.templates.append(
                TemplateEntry(
                    identifier, _text(tree, template, "versionLabel"), kind, _scope(tree, template), name, number,
                    template, tree.get(template, "spec"), size,
                )
            )
        return
    pipeline = tree.get(root, "pipeline")
    if isinstance(pipeline, MappingNode):
        identifier = _text(tree, pipeline, "identifier")
        if identifier:
            key = tree.entry(root, "pipeline")[0]  # type: ignore[index]
            indexed.pipelines.append(PipelineEntry(identifier, _scope(tree, pipeline), name, number, key, pipeline, size))
        return
    for key, overlay in (("inputSet", False), ("overlayInputSet", True)):
        body = tree.get(root, key)
        if isinstance(body, MappingNode):
            named = _text(tree, tree.get(body, "pipeline"), "identifier") or _text(tree, body, "pipelineIdentifier")
            indexed.input_sets.append(
                InputSetEntry(_text(tree, body, "identifier"), named, _scope(tree, body), name, number, body, overlay)
            )
            return


V1_BODIES = {"pipeline": "Pipeline", "stage": "Stage", "step": "Step"}


def _classify_v1_template(indexed: IndexedFile, number: int, tree: Tree, template: MappingNode, size: int) -> None:
    """A v1 template file (`template: {inputs, stage | step | pipeline}`) carries no identifier or version:
    they come from its path, `.harness/templates/<id>/<version>.yaml` (harness-barriers.md section 8)."""
    match = V1_TEMPLATE_PATH.search(indexed.name.replace("\\", "/"))
    body_key = next((k for k in V1_BODIES if isinstance(tree.get(template, k), MappingNode)), None)
    if match is None or body_key is None:
        return
    body = tree.get(template, body_key)
    kind = V1_BODIES[body_key]
    if kind == "Step" and isinstance(tree.get(body, "group"), MappingNode):
        kind = "StepGroup"
    indexed.templates.append(
        TemplateEntry(match["id"], match["version"], kind, Scope(None, None), indexed.name, number, template, body,
                      size, v1=True)
    )
