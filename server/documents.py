"""What the server knows about each open document: its latest analysis and its last good model.

A document is parsed once per version and the `ParsedFile` is shared by diagnostics and every request.
While the user types, the text often does not parse; requests that only need the declarations (completion)
then fall back to the last version that had a pipeline in it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from barrier_lint.config import Config
from barrier_lint.diagnostics import Diagnostic
from barrier_lint.linter import lint_parsed
from barrier_lint.model import BarrierPosition, Declaration, Document, Pipeline, Text
from barrier_lint.parse import ParsedFile, parse, strip_bom

from .convert import split_lines
from .incremental import reparse

# Larger documents are not analysed: parsing them would keep the server from answering for seconds.
MAX_CHARS = 4_000_000
# Analyses a document's text against its workspace, from the previous analysis when it can: (model,
# findings, the workspace's generation, the text's lines when they were built from the previous ones).
Resolve = Callable[[str, Config, "Analysis | None"], "tuple[ParsedFile, list[Diagnostic], int, list[str] | None]"]


@dataclass
class Analysis:
    version: int | None
    text: str  # the document's text as the client sent it
    lines: list[str]  # the core's lines: the text after a byte order mark, split as the protocol splits it
    parsed: ParsedFile
    diagnostics: list[Diagnostic]
    too_large: bool = False
    generation: int = -1  # the state of the workspace it was analysed against (`workspace.Root.generation`)

    @property
    def bom(self) -> bool:
        return self.text.startswith("\ufeff")

    def pipelines(self) -> list[Document]:
        return [d for d in self.parsed.documents if d.pipeline is not None and d.kind.is_analysed]

    def document_at(self, line: int) -> Document | None:
        """The analysed document holding `line`, else the first analysed one."""
        documents = self.pipelines()
        for document in documents:
            if document.span.start_line <= line <= document.span.end_line:
                return document
        return documents[0] if documents else None


def analyse(
    text: str,
    version: int | None,
    config: Config,
    against: Resolve | None = None,
    previous: Analysis | None = None,
    generation: int = -1,
) -> Analysis:
    """The analysis of one version of a document: on its own, or `against` its workspace. With the
    `previous` version's analysis (same configuration), an edit inside one stage re-reads only that stage
    (`incremental.reparse`; against the workspace, where `workspace.lint_in` can vouch for it); on its own,
    `generation` is the state of the workspace it stands for."""
    if len(text) > MAX_CHARS:
        return Analysis(version, text, split_lines(strip_bom(text)), ParsedFile(text), [], too_large=True)
    if against is not None:
        parsed, diagnostics, generation, lines = against(text, config, previous)
        if lines is None:
            lines = split_lines(strip_bom(text))
        return Analysis(version, text, lines, parsed, diagnostics, generation=generation)
    spliced = None
    if previous is not None and not previous.too_large:
        spliced = reparse(previous.parsed, previous.lines, strip_bom(text))
    if spliced is not None:
        parsed, lines = spliced
    else:
        parsed, lines = parse(text), split_lines(strip_bom(text))
    return Analysis(version, text, lines, parsed, lint_parsed(parsed, config), generation=generation)


@dataclass
class OpenDocument:
    uri: str
    config: Config = field(default_factory=Config)
    analysis: Analysis | None = None
    last_good: Analysis | None = None  # the latest analysis that held a pipeline
    pending: asyncio.Task | None = None  # a debounced lint waiting to run
    # The analysis running in the server's worker thread (`BarrierLintServer.lint_in_worker`), and the text
    # it analyses: requests for that text await it instead of parsing the same version again.
    running: asyncio.Future | None = None
    running_text: str | None = None
    rerun: bool = False  # the text changed while it ran: analyse the latest text when it ends
    elsewhere: list = field(default_factory=list)  # the barriers other files let completion offer, last time

    def remember(self, analysis: Analysis) -> None:
        self.analysis = analysis
        if analysis.pipelines():
            self.last_good = analysis

    def cancel_pending(self) -> None:
        if self.pending is not None and not self.pending.done():
            self.pending.cancel()
        self.pending = None


# ------------------------------------------------------------------------------------------ what is where


@dataclass
class Target:
    """The barrier identifier under the cursor: in a declaration or in a Barrier step's barrierRef."""

    document: Document
    identifier: str
    text: Text  # the scalar under the cursor
    declaration: Declaration | None = None
    position: BarrierPosition | None = None

    @property
    def pipeline(self) -> Pipeline:
        return self.document.pipeline  # type: ignore[return-value]


def target_at(analysis: Analysis, line: int, col: int) -> Target | None:
    """The barrier identifier written in this file under the cursor (nodes spliced in from other files,
    whose spans have an origin, are never under it)."""
    for document in analysis.pipelines():
        pipeline = document.pipeline
        assert pipeline is not None
        for declaration in pipeline.declarations:
            ident = declaration.identifier
            if ident is not None and ident.value and ident.span.origin is None and ident.span.contains(line, col):
                return Target(document, ident.value, ident, declaration=declaration)
        for position in pipeline.positions:
            ref = position.ref
            if ref is not None and position.literal is not None and ref.span.origin is None and ref.span.contains(line, col):
                return Target(document, position.literal, position.ref, position=position)
    return None


@dataclass
class Occurrences:
    declarations: list[Text]
    references: list[Text]


def occurrences(pipeline: Pipeline, identifier: str) -> Occurrences:
    """Every declaration of `identifier` and every literal reference to it in one pipeline document,
    those reached through templates included (their spans have an origin: they are in another file)."""
    return Occurrences(
        [d.identifier for d in pipeline.declarations if d.identifier is not None and d.identifier.value == identifier],
        [p.ref for p in pipeline.positions if p.ref is not None and p.literal == identifier],
    )
