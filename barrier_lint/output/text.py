"""`path:line:col: CODE message`, one finding a line, then a summary line."""

from __future__ import annotations

from typing import TextIO

from ..diagnostics import Severity
from .common import FileResult, RenderOptions, cli_position

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    for result in results:
        for d in result.diagnostics:
            line, col, _, _ = cli_position(d)
            where = f"{result.path}:{line}:{col}:"
            code = d.code
            if options.color:
                where = f"{_BOLD}{where}{_RESET}"
                code = f"{_COLORS[d.severity]}{code}{_RESET}"
            out.write(f"{where} {code} {d.message}\n")
    if not options.quiet:
        out.write(summary(results, options.files_checked) + "\n")


def summary(results: list[FileResult], files_checked: int) -> str:
    counts = {s: 0 for s in Severity}
    files_with = 0
    for result in results:
        if result.diagnostics:
            files_with += 1
        for d in result.diagnostics:
            counts[d.severity] += 1
    checked = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
    if not files_with:
        return f"no problems ({checked})"
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    return f"{', '.join(parts)} in {files_with} file{'s' if files_with != 1 else ''} ({checked})"
