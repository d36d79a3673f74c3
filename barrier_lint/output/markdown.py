"""Markdown for pull requests and CI job summaries: a table of the findings per file, then each error with
its part of the synchronization graph inline as a Mermaid diagram (GitHub and GitLab render ```mermaid
blocks), so a reviewer sees the deadlock without opening the YAML. The GitHub Action writes it to the job
summary (`$GITHUB_STEP_SUMMARY`).

    ## barrier-lint
    **1 error** in 1 file (1 checked).
    ### `pipeline.yaml`
    | | Line | Rule | Message |
    ...
    #### ❌ BL203 sequential-barrier-participants, line 57 column 33
    ```mermaid
    flowchart TB ...
"""

from __future__ import annotations

from typing import TextIO

from ..diagnostics import Severity
from .common import FileResult, RenderOptions, cli_position, severity_counts

ICONS = {Severity.ERROR: "❌", Severity.WARNING: "⚠️", Severity.INFO: "ℹ️"}
NAMES = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "info"}


def cell(text: str) -> str:
    """Text for a table cell: no HTML, no table breaks, one line."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
            .replace("\r", " ").replace("\n", " "))


def code_span(text: str) -> str:
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    counts = severity_counts(results)
    with_findings = [r for r in results if r.diagnostics]
    out.write("## barrier-lint\n\n")
    if not with_findings:
        out.write(f"No barrier problems ({options.files_checked} file{'s' if options.files_checked != 1 else ''} checked).\n")
        return
    parts = []
    for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO):
        n = counts[severity]
        if n:
            word = f"{n} {NAMES[severity]}{'s' if n != 1 else ''}"
            parts.append(f"**{word}**" if severity is Severity.ERROR else word)
    files = len(with_findings)
    out.write(f"{', '.join(parts)} in {files} file{'s' if files != 1 else ''} ({options.files_checked} checked).\n")
    for result in with_findings:
        out.write(f"\n### {code_span(result.path)}\n\n| | Line | Rule | Message |\n|---|---|---|---|\n")
        for d in result.diagnostics:
            line, col, _, _ = cli_position(d)
            out.write(f"| {ICONS[d.severity]} | {line}:{col} | {d.code} {d.rule} | {cell(d.message)} |\n")
        diagrams = _Diagrams(result, options)
        for d in result.diagnostics:
            if d.severity is not Severity.ERROR:
                continue
            line, col, _, _ = cli_position(d)
            out.write(f"\n#### {ICONS[d.severity]} {d.code} {d.rule}, line {line} column {col}\n\n{cell(d.message)}\n")
            diagram = diagrams.for_diagnostic(d)
            if diagram:
                out.write(f"\n```mermaid\n{diagram}```\n")


class _Diagrams:
    """The graph of each document of one file, made once, and each error's part of it: drawn from the model
    the findings were made from (resolved against the workspace, so a template's steps are drawn where it is
    used), else from the file's text alone."""

    def __init__(self, result: FileResult, options: RenderOptions) -> None:
        self.result = result
        self.options = options
        self.parsed = None
        self.graphs: dict[int, tuple[dict | None, list]] = {}

    def for_diagnostic(self, d) -> str | None:
        if not self.result.text:
            return None
        from ..graph import focus, graph_of
        from ..graph_render import to_mermaid
        from ..parse import parse

        if self.parsed is None:
            model = self.options.model
            self.parsed = (model(self.result) if model is not None else None) or parse(self.result.text)
        if d.document not in self.graphs:
            mine = [x for x in self.result.diagnostics if x.document == d.document]
            self.graphs[d.document] = (graph_of(self.parsed, mine, d.document), mine)
        graph, mine = self.graphs[d.document]
        if graph is None:
            return None
        part = focus(graph, mine.index(d))
        return to_mermaid(part) if part["nodes"] else None
