"""Readers: one per Harness syntax, each building the one typed model of `barrier_lint.model`.

- `v0`: `pipeline:` and `template:` documents in the syntax most pipelines are written in.

`read_document` is the single entry point: it decides what a composed document is and hands it to the
reader of its syntax.
"""

from __future__ import annotations

from ..model import Document
from ..syntax import Index, Node, Spans, YamlProblem
from .v0 import Builder


def read_document(number: int, root: Node, index: Index, spans: Spans) -> tuple[Document, YamlProblem | None]:
    """The model of document `number` of a file, and the problem that kept it from being read, if any."""
    builder = Builder(number, index, spans)
    return builder.document(root), builder.problem
