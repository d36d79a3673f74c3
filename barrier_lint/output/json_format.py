"""One JSON array of findings; outside tools parse it, so its keys are fixed:
file, line, column, end_line, end_column (1-based, end exclusive), code, rule, severity, message, related."""

from __future__ import annotations

import json
from typing import TextIO

from .common import FileResult, RenderOptions, cli_position, cli_span, escape, file_of


def as_dicts(results: list[FileResult]) -> list[dict]:
    out = []
    for result in results:
        path = escape(result.path, syntax_escapes_controls=True)  # JSON escapes control characters itself
        for d in result.diagnostics:
            line, col, end_line, end_col = cli_position(d)
            out.append(
                {
                    "file": path,
                    "line": line,
                    "column": col,
                    "end_line": end_line,
                    "end_column": end_col,
                    "code": d.code,
                    "rule": d.rule,
                    "severity": d.severity.value,
                    "message": escape(d.message, syntax_escapes_controls=True),
                    "related": [
                        {
                            "file": escape(file_of(result, r.span), syntax_escapes_controls=True),
                            "line": cli_span(r.span)[0],
                            "column": cli_span(r.span)[1],
                            "message": escape(r.message, syntax_escapes_controls=True),
                        }
                        for r in d.related
                    ],
                }
            )
    return out


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    json.dump(as_dicts(results), out, indent=2, ensure_ascii=False)
    out.write("\n")
