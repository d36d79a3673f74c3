"""One JSON array of findings; outside tools parse it, so its keys are fixed:
file, line, column, end_line, end_column (1-based, end exclusive), code, rule, severity, message, related."""

from __future__ import annotations

import json
from typing import TextIO

from .common import FileResult, RenderOptions, cli_position, cli_span, file_of


def as_dicts(results: list[FileResult]) -> list[dict]:
    out = []
    for result in results:
        for d in result.diagnostics:
            line, col, end_line, end_col = cli_position(d)
            out.append(
                {
                    "file": result.path,
                    "line": line,
                    "column": col,
                    "end_line": end_line,
                    "end_column": end_col,
                    "code": d.code,
                    "rule": d.rule,
                    "severity": d.severity.value,
                    "message": d.message,
                    "related": [
                        {"file": file_of(result, r.span), "line": cli_span(r.span)[0], "column": cli_span(r.span)[1], "message": r.message}
                        for r in d.related
                    ],
                }
            )
    return out


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    json.dump(as_dicts(results), out, indent=2, ensure_ascii=False)
    out.write("\n")
