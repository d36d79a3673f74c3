"""Text in, `ParsedFile` out: every document of a file read into the typed model, with its YAML problems.

The work is split along what it knows: `barrier_lint.syntax` is the only module that knows YAML (composing,
positions, problems, comments); `barrier_lint.readers` reads each composed document into the one typed model
with the reader of its syntax. This module strings them together and is what the linter, the CLI and the
language server call.
"""

from __future__ import annotations

from .collector import collector_paused
from .model import Document
from .readers import read_document
from .readers.hooks import Resolver
from .records import field, record
from .syntax import (  # noqa: F401  (re-exported: the names the rest of the project reads from here)
    C_PARSER,
    MAX_DEPTH,
    UNNAMED,
    Comment,
    Index,
    Node,
    Spans,
    YamlProblem,
    collections_in,
    compose_documents,
    control_character_problem,
    decode,
    find_comments,
    looks_like_harness,
    origin_of,
    split_lines,
    strip_bom,
    with_other_origin,
)


@record(slots=True)
class ParsedFile:
    text: str
    documents: list[Document] = field(default_factory=list)
    problems: list[YamlProblem] = field(default_factory=list)

    @property
    def is_harness(self) -> bool:
        return any(doc.kind.is_harness for doc in self.documents)


# ---------------------------------------------------------------------------------------------- parsing


@record(slots=True)
class Composed:
    """A file composed once: each document's root node and index, and the problems composing found.

    The workspace keeps one of these per file and reads it again whenever a use elsewhere needs it; `name`
    is the mark name every node carries (its file).
    """

    text: str
    name: str
    spans: Spans
    documents: list[tuple[int, Node, Index, list[YamlProblem]]] = field(default_factory=list)
    problem: YamlProblem | None = None  # a problem that ended composing (syntax, depth, control characters)

    @property
    def size(self) -> int:
        return sum(collections_in(index) for _, _, index, _ in self.documents)


def parse(text: str, name: str | None = None, resolver: Resolver | None = None) -> ParsedFile:
    """Read every document of `text` into the model. Never raises on bad input.

    With a `resolver` (the workspace), template uses are resolved and their bodies spliced in; `name` is the
    file's name in that workspace (its path: a v1 template file's identity comes from it).
    """
    with collector_paused():
        composed = compose(text, name)
        parsed = read(composed, resolver)
        # Freed by reference counting while the collector is still paused: re-enabling it with the node tree
        # alive would have its next pass walk every node once more.
        del composed
    return parsed


def compose(text: str, name: str | None = None) -> Composed:
    text = strip_bom(text)
    spans = Spans(text, name if name is not None else UNNAMED)
    composed = Composed(text, spans.name, spans)
    composed.problem = control_character_problem(text)
    if composed.problem is not None:
        return composed
    with collector_paused():
        composed.documents, composed.problem = compose_documents(text, spans)
    return composed


def read(composed: Composed, resolver: Resolver | None = None) -> ParsedFile:
    parsed = ParsedFile(composed.text)
    with collector_paused():
        for number, node, index, problems in composed.documents:
            parsed.problems.extend(problems)
            document, problem = read_document(number, node, index, composed.spans, composed.name, resolver)
            parsed.documents.append(document)
            # A recursive alias, reported already, is why a reader's walk runs out: one finding is enough.
            if problem is not None and not any(p.recursive_alias for p in problems):
                parsed.problems.append(problem)
    if composed.problem is not None:
        parsed.problems.append(composed.problem)
    return parsed
