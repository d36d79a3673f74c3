"""`path:line:col: CODE [severity] message`, one finding a line, then a summary line. The severity is
written out so a build log without colour still shows which lines fail the build."""

from __future__ import annotations

from ..diagnostics import Diagnostic, Severity
from .common import FileResult, RenderOptions, cli_position, escape, severity_counts

# `typing` is for type checkers only (annotations are never evaluated): not imported at start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

_COLORS = {Severity.ERROR: "\033[31m", Severity.WARNING: "\033[33m", Severity.INFO: "\033[36m"}
_BOLD, _RESET = "\033[1m", "\033[0m"


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    for result in results:
        for d in result.diagnostics:
            out.write(diagnostic_line(result.path, d, options) + "\n")
    if not options.quiet:
        out.write(summary(results, options.files_checked, options.files_skipped) + "\n")


def diagnostic_line(path: str, d: Diagnostic, options: RenderOptions) -> str:
    line, col, _, _ = cli_position(d)
    where = f"{escape(path)}:{line}:{col}:"
    code, severity = d.code, f"[{d.severity.value}]"
    if options.color:
        where = f"{_BOLD}{where}{_RESET}"
        code = f"{_COLORS[d.severity]}{code}{_RESET}"
        severity = f"{_COLORS[d.severity]}{severity}{_RESET}"
    return f"{where} {code} {severity} {escape(d.message)}"


def summary(results: list[FileResult], files_checked: int, files_skipped: int = 0) -> str:
    """`2 errors in 1 file (3 files checked: 2 analysed, 1 skipped as not Harness YAML)`."""
    counts = severity_counts(results)
    files_with = sum(1 for result in results if result.diagnostics)
    checked = f"{files_checked} file{'s' if files_checked != 1 else ''} checked"
    if files_skipped:
        checked += f": {files_checked - files_skipped} analysed, {files_skipped} skipped as not Harness YAML"
    if not files_with:
        return f"no problems ({checked})"
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n]
    return f"{', '.join(parts)} in {files_with} file{'s' if files_with != 1 else ''} ({checked})"
