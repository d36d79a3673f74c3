"""Readers: one per Harness syntax, each building the one typed model of `barrier_lint.model`.

- `v0`: `pipeline:` and `template: {type, spec}` documents in the syntax most pipelines are written in.
- `v1`: the simplified syntax (`harness-barriers.md` section 8).

`read_document` is the single entry point: it decides what a composed document is (a v0 or v1 pipeline, a
template and of which type, an input set, Harness YAML of neither syntax, or not Harness YAML) and hands it
to the reader of its syntax.

v1 is told from v0 by its shape, never by a `version:` key alone (Harness's own v1 cases have none). A
document whose shape has marks of both syntaxes fits neither: it is `UNRECOGNISED`, with a note saying which
marks were found, and the rules report that instead of analysing it by a guess.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..model import V0, V1, Document, DocumentKind, Pipeline, Span, Text
from ..patterns import pattern
from ..syntax import UNNAMED, Index, MappingNode, Node, ScalarNode, SequenceNode, Spans, TooLarge, Tree, YamlProblem
from .hooks import Resolver
from .v0 import TEMPLATE_KINDS, Builder

# The v1 reader (`.v1`) is imported when a document turns out to need it: a v0 pipeline does not, and the
# module (with the `contextlib` it imports) costs a cold start about 2%.
TYPE_CHECKING = False  # annotations only (never evaluated)
if TYPE_CHECKING:
    from .v1 import Reader

# `.harness/templates/<id>/<version>.yaml`, also under `.harness/orgs/<org>/[projects/<p>/]`.
# Where a v1 template file lives: its path is its identity (harness-barriers.md section 8).
V1_TEMPLATE_PATH = pattern(r"(?:^|/)\.harness/(?:[^/]+/)*?templates/(?P<id>[^/]+)/(?P<version>[^/]+)\.ya?ml$")


def read_document(
    number: int, root: Node, index: Index, spans: Spans, home: str = UNNAMED, resolver: Resolver | None = None,
    inputs: Mapping[str, str] | None = None,
) -> tuple[Document, YamlProblem | None]:
    """The model of document `number` of a file, and the problem that kept it from being read, if any.

    `home` is the file's mark name, its path in the workspace (a v1 template's identity comes from it);
    `resolver` (the workspace) resolves v0 template uses, else they stay unresolved; `inputs` are the values
    of a v1 template use's `with`, for the workspace to read a v1 template body with its `${{ inputs.x }}`
    references substituted.
    """
    doc = Document(number, DocumentKind.OTHER, spans(root))
    if not isinstance(root, MappingNode):
        return doc, None
    tree = Tree(index, spans, home)
    try:
        _classify_and_read(tree, root, doc, Readers(number, index, spans, home, resolver, inputs))
    except TooLarge:
        doc.pipeline = None  # the kind stays: it is Harness YAML we could not read
        return doc, YamlProblem(
            spans(root),
            "aliases in this document expand far deeper, or to far more nodes, than it is written; barrier-lint "
            "does not expand alias bombs, write the repeated parts out",
            number,
        )
    return doc, None


class Readers:
    """What each reader is built with."""

    def __init__(self, number: int, index: Index, spans: Spans, home: str, resolver: Resolver | None,
                 inputs: Mapping[str, str] | None) -> None:
        self.number, self.index, self.spans, self.home, self.resolver, self.inputs = number, index, spans, home, resolver, inputs

    def v0(self) -> Builder:
        return Builder(self.number, self.index, self.spans, self.home, self.resolver)

    def v1(self) -> Reader:
        from .v1 import Reader

        return Reader(self.index, self.spans, self.home, self.inputs, self.resolver)


def _classify_and_read(tree: Tree, root: MappingNode, doc: Document, readers: Readers) -> None:
    if tree.get(root, "inputSet") is not None or tree.get(root, "overlayInputSet") is not None:
        doc.kind = DocumentKind.INPUT_SET
        return
    pair = tree.entry(root, "pipeline")
    if pair is not None:
        key, body = pair
        if isinstance(body, ScalarNode) and not body.value:
            return  # `pipeline:` with nothing under it yet
        if not isinstance(body, MappingNode):
            _unrecognised(doc, tree, key, "its `pipeline:` is not a mapping")
            return
        v0_marks, v1_marks = _pipeline_marks(tree, root, body)
        if v0_marks and v1_marks:
            _unrecognised(doc, tree, key, f"it has v0's {_described(v0_marks[0])} and v1's {_described(v1_marks[0])}")
        elif v1_marks:
            doc.kind, doc.syntax = DocumentKind.V1_PIPELINE, V1
            doc.pipeline = readers.v1().read_pipeline(key, body)
        else:
            doc.kind, doc.syntax = DocumentKind.PIPELINE, V0
            doc.pipeline = readers.v0().read_pipeline(key, body)
        return
    pair = tree.entry(root, "template")
    if pair is None:
        return
    key, template = pair
    if isinstance(template, ScalarNode) and not template.value:
        return
    if not isinstance(template, MappingNode):
        _unrecognised(doc, tree, key, "its `template:` is not a mapping")
        return
    kind, spec = tree.text(template, "type"), tree.get(template, "spec")
    if kind is not None and isinstance(spec, MappingNode):
        doc.template_type, doc.syntax = kind.value, V0
        if kind.value not in TEMPLATE_KINDS:
            doc.kind = DocumentKind.OTHER_TEMPLATE  # a secret manager, a deployment type, ...: no barriers
            return
        doc.kind = TEMPLATE_KINDS[kind.value]
        doc.pipeline = readers.v0().read_template(key, template, doc.kind, spec)
        return
    from .v1 import TEMPLATE_BODIES

    body_key = next((k for k in TEMPLATE_BODIES if isinstance(tree.get(template, k), MappingNode)), None)
    if kind is None and body_key is not None:
        body = tree.get(template, body_key)
        assert isinstance(body, MappingNode)
        doc.kind, doc.syntax = TEMPLATE_BODIES[body_key], V1
        if body_key == "step" and isinstance(tree.get(body, "group"), MappingNode):
            doc.kind = DocumentKind.STEP_GROUP_TEMPLATE
        doc.template_type = "step group" if doc.kind is DocumentKind.STEP_GROUP_TEMPLATE else body_key
        doc.pipeline = readers.v1().read_template(
            key, template, doc.kind, body_key, body, _template_identity(readers.home, tree.span(key))
        )
        return
    if kind is not None:
        doc.kind, doc.template_type = DocumentKind.OTHER_TEMPLATE, kind.value  # a type with no `spec` body
        return
    _unrecognised(doc, tree, key, "its `template:` has neither v0's `type` and `spec` nor v1's `pipeline`, `stage` or `step`")


def _unrecognised(doc: Document, tree: Tree, key: Node, why: str) -> None:
    doc.kind = DocumentKind.UNRECOGNISED
    doc.note = why
    doc.pipeline = Pipeline(None, None, tree.span(key), tree.span(key))


def _template_identity(path: str, where) -> tuple[Text, Text] | None:
    match = V1_TEMPLATE_PATH.search(path.replace("\\", "/"))
    if match is None:
        return None
    return Text(match["id"], where), Text(match["version"], where)


SyntaxMark = tuple[str, Span]  # what is written one syntax's way, and where


def _described(mark: SyntaxMark) -> str:
    return f"{mark[0]} (line {mark[1].start_line + 1})"


def _pipeline_marks(tree: Tree, root: MappingNode, body: MappingNode) -> tuple[list[SyntaxMark], list[SyntaxMark]]:
    """What in a `pipeline:` body is written the v0 way and what the v1 way, each with where (its line is
    computed only for the marks a message names: a span's lines are computed when first read)."""
    v0: list[SyntaxMark] = []
    v1: list[SyntaxMark] = []
    line = tree.span

    for name, marks in (("identifier", v0), ("flowControl", v0), ("id", v1), ("barriers", v1)):
        pair = tree.entry(body, name)
        if pair is not None:
            marks.append((f"`pipeline.{name}`", line(pair[0])))
    version = tree.text(root, "version")
    if version is not None and version.value.strip() == "1":
        v1.append(("`version: 1`", version.span))
    for entry in tree.seq(tree.get(body, "stages")):
        if not isinstance(entry, MappingNode):
            continue
        stage, parallel, template = tree.entry(entry, "stage"), tree.get(entry, "parallel"), tree.get(entry, "template")
        if stage is not None:
            v0.append(("`stage:` wrapper", line(stage[0])))
        elif isinstance(parallel, SequenceNode):
            v0.append(("`parallel:` list", line(parallel)))
        elif isinstance(parallel, MappingNode):
            v1.append(("`parallel:` mapping", line(parallel)))
        elif isinstance(template, MappingNode) and tree.get(template, "templateRef") is not None:
            v0.append(("`templateRef`", line(template)))
        elif tree.get(entry, "insert") is None and any(
            tree.get(entry, k) is not None for k in ("steps", "id", "group", "chain", "needs", "template")
        ):
            v1.append(("a stage without a `stage:` wrapper", line(entry)))
    template = tree.get(body, "template")
    if isinstance(template, MappingNode):
        (v0 if tree.get(template, "templateRef") is not None else v1).append(("`pipeline.template`", line(template)))
    return v0, v1


__all__ = ["read_document"]
