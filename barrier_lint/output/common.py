"""What every output format receives, and the one place CLI positions are made from model spans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TextIO

from ..diagnostics import Diagnostic, Severity
from ..model import Span


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str  # as shown to the user (relative when given relative)
    diagnostics: list  # list[Diagnostic], sorted
    text: str = ""  # the source, for formats that quote it


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    quiet: bool = False
    files_checked: int = 0
    files_skipped: int = 0  # of those checked: no Harness YAML in them (and nothing reported)
    # Stable fingerprints of the findings (baseline.fingerprints), in the order of `results`; formats that
    # publish one (sarif, gitlab) compute them when absent.
    fingerprints: tuple[tuple[str, ...], ...] | None = None
    # The lowest severity that fails the run (--fail-on; None: nothing fails), for formats that say which
    # findings fail it (junit).
    fail_on: Severity | None = Severity.ERROR


Renderer = Callable[[list[FileResult], TextIO, RenderOptions], None]


def cli_span(span: Span) -> tuple[int, int, int, int]:
    """1-based line/column, end exclusive."""
    return span.start_line + 1, span.start_col + 1, span.end_line + 1, span.end_col + 1


def file_of(result: FileResult, span: Span) -> str:
    """The file a span is written in: the result's own, or (for a related place spliced in from a template
    or a child pipeline) the workspace file its origin names."""
    return span.origin.file if span.origin is not None else result.path


def cli_position(d: Diagnostic) -> tuple[int, int, int, int]:
    """1-based line/column, end exclusive: the one place CLI positions are made from model spans."""
    return cli_span(d.span)


def fingerprints_for(results: list[FileResult], options: RenderOptions) -> tuple[tuple[str, ...], ...]:
    if options.fingerprints is not None:
        return options.fingerprints
    from ..baseline import fingerprints

    return fingerprints(results)


def severity_counts(results: list[FileResult]) -> dict[Severity, int]:
    counts = {s: 0 for s in Severity}
    for result in results:
        for d in result.diagnostics:
            counts[d.severity] += 1
    return counts
