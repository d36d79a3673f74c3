"""The text format plus the source: each finding is followed by its line and a caret under the range,
and by its related places (ruff's `full`).

    pipeline.yaml:21:33: BL101 barrier 'b3' is not declared; declared barriers: b1, b2
       |
    21 |                     barrierRef: b3
       |                                 ^^ BL101
       |
"""

from __future__ import annotations

import unicodedata
from typing import TextIO

from ..syntax import split_lines  # the formats quote source lines numbered as the model numbers them
from .common import FileResult, RenderOptions, cli_position, cli_span, escape, file_of
from .text import diagnostic_line, summary


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    for result in results:
        lines = split_lines(result.text)  # the model's line numbering
        for d in result.diagnostics:
            out.write(diagnostic_line(result.path, d, options) + "\n")
            line, col, end_line, end_col = cli_position(d)
            out.write(snippet(lines, line, col, end_line, end_col, d.code))
            for related in d.related:
                r_line, r_col, _, _ = cli_span(related.span)
                out.write(f"  = note: {escape(file_of(result, related.span))}:{r_line}:{r_col}: {escape(related.message)}\n")
            out.write("\n")
    if not options.quiet:
        out.write(summary(results, options.files_checked, options.files_skipped) + "\n")


def snippet(lines: list[str], line: int, col: int, end_line: int, end_col: int, label: str) -> str:
    """The source line (1-based `line`) with carets under columns `col` to `end_col` (exclusive; to the end
    of the line when the range goes on to later lines). Empty when the line is not in the text."""
    if not 1 <= line <= len(lines):
        return ""
    source = lines[line - 1].rstrip("\r\n")
    start = col - 1
    stop = end_col - 1 if end_line == line else len(source)
    stop = max(stop, start + 1)
    gutter = " " * len(str(line))
    # Control characters are shown escaped, and the caret counts the cells of what is shown.
    before, under = escape(source[:start], keep_tabs=True), escape(source[start:stop], keep_tabs=True)
    marker = _pad(before) + "^" * max(1, _width(under))
    return f"{gutter} |\n{line} | {escape(source, keep_tabs=True)}\n{gutter} | {marker} {label}\n{gutter} |\n"


def _width(text: str) -> int:
    """Terminal cells: wide (East Asian) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(prefix: str) -> str:
    # Keep tabs as tabs so the caret lines up however wide the terminal draws them.
    return "".join("\t" if c == "\t" else " " * _width(c) for c in prefix)
