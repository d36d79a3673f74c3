"""Readers: one per Harness syntax, each building the one typed model of `barrier_lint.model`.

- `v0`: `pipeline:` and `template:` documents in the syntax most pipelines are written in.

`read_document` is the single entry point: it decides what a composed document is and hands it to the
reader of its syntax.
"""

from __future__ import annotations

from ..model import Document
from ..syntax import UNNAMED, Index, Node, Spans, YamlProblem
from .hooks import Resolver
from .v0 import Builder


def read_document(
    number: int, root: Node, index: Index, spans: Spans, home: str = UNNAMED, resolver: Resolver | None = None
) -> tuple[Document, YamlProblem | None]:
    """The model of document `number` of a file, and the problem that kept it from being read, if any.

    `home` is the file's mark name; `resolver` (the workspace) resolves template uses, else they stay
    unresolved."""
    builder = Builder(number, index, spans, home, resolver)
    return builder.document(root), builder.problem
