"""GitHub Actions workflow commands: each finding becomes an annotation on the pull request's diff.

    ::error file=p.yaml,line=21,col=33,endLine=21,endColumn=35,title=BL101 undeclared-barrier::barrier ...

Severities map to `error`, `warning` and `notice`. Values are escaped as the Actions runner unescapes them
(`%`, CR and LF everywhere; also `:` and `,` inside properties). Chosen by default when GITHUB_ACTIONS=true.
"""

from __future__ import annotations

from typing import TextIO

from ..diagnostics import Severity
from .common import FileResult, RenderOptions, cli_position, cli_span, escape, file_of

COMMANDS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    for result in results:
        for d in result.diagnostics:
            line, col, end_line, end_col = cli_position(d)
            properties = {
                "file": escape(result.path),
                "line": line,
                "col": col,
                "endLine": end_line,
                "endColumn": end_col,
                "title": f"{d.code} {d.rule}",
            }
            joined = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
            # Values are shown escaped first (a line break in a value is not a line of the annotation);
            # then the lines the annotation does have are encoded for the runner.
            message = escape(d.message)
            for related in d.related:
                r_line = cli_span(related.span)[0]
                message += f"\n{escape(file_of(result, related.span))}:{r_line}: {escape(related.message)}"
            out.write(f"::{COMMANDS[d.severity]} {joined}::{escape_data(message)}\n")
