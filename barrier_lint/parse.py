"""Text in, `ParsedFile` out: every document of a file read into the typed model, with its YAML problems.

The work is split along what it knows: `barrier_lint.syntax` is the only module that knows YAML (composing,
positions, problems, comments); `barrier_lint.readers` reads each composed document into the one typed model
with the reader of its syntax. This module strings them together and is what the linter, the CLI and the
language server call.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from .model import Document, DocumentKind
from .readers import read_document
from .syntax import (  # noqa: F401  (re-exported: the names the rest of the project reads from here)
    C_PARSER,
    MAX_DEPTH,
    Comment,
    Spans,
    YamlProblem,
    compose_all,
    control_character_problem,
    decode,
    depth_problem,
    find_comments,
    index_mappings,
    looks_like_harness,
    strip_bom,
)


@dataclass(slots=True)
class ParsedFile:
    text: str
    documents: list[Document] = field(default_factory=list)
    problems: list[YamlProblem] = field(default_factory=list)

    @property
    def is_harness(self) -> bool:
        return any(doc.kind is not DocumentKind.OTHER for doc in self.documents)


# ---------------------------------------------------------------------------------------------- parsing


def parse(text: str) -> ParsedFile:
    """Read every document of `text` into the model. Never raises on bad input."""
    text = strip_bom(text)
    parsed = ParsedFile(text)
    spans = Spans(text)
    problem = control_character_problem(text)
    if problem is None:
        problem = depth_problem(text, spans)
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


def _read_documents(text: str, parsed: ParsedFile, spans: Spans) -> None:
    nodes, problem = compose_all(text, spans)
    for number, node in enumerate(nodes):
        if node is None:
            continue
        index, problems = index_mappings(node, number, spans)
        parsed.problems.extend(problems)
        document, problem_in_document = read_document(number, node, index, spans)
        parsed.documents.append(document)
        if problem_in_document is not None:
            parsed.problems.append(problem_in_document)
    if problem is not None:
        parsed.problems.append(problem)
