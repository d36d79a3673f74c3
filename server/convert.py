"""Positions between the analyzer and the client: the one place the server converts columns.

The core counts columns in code points; the client counts in its negotiated position encoding (UTF-16 for
VS Code, UTF-8 for Neovim when offered, UTF-32 for a few). pygls's `PositionCodec` does the unit counting;
this module only feeds it the document's lines and builds lsprotocol objects.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from barrier_lint import Diagnostic, Severity, Span
from barrier_lint.model import Text
from barrier_lint.rules import find_rule

SOURCE = "barrier-lint"

# LSP line breaks are \n, \r\n and \r (str.splitlines also splits on form feeds and U+2028, which the
# protocol does not count as line ends).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}
# Findings whose range is dead configuration: editors grey it out.
_UNNECESSARY = frozenset({"BL105"})


def split_lines(text: str) -> list[str]:
    """The document's lines without their line breaks, as the protocol numbers them."""
    return _LINE_BREAK.split(text)


# Characters that take more than one unit in an encoding (every other character takes one).
_WIDE = {"utf-8": re.compile("[^\x00-\x7f]"), "utf-16": re.compile("[\U00010000-\U0010ffff]")}


def _extra_units(encoding: str, char: str) -> int:
    """How many units more than one `char` takes."""
    if encoding == "utf-16":
        return 1
    code = ord(char)
    return 1 if code < 0x800 else 2 if code < 0x10000 else 3


class _Table:
    """Where the wide characters of one line are: their code-point indexes, their unit offsets, and the
    extra units before each (`extra[k]`: before the k-th; `extra[-1]`: all of them)."""

    def __init__(self, text: str, encoding: str) -> None:
        self.indexes: list[int] = []
        self.starts: list[int] = []
        self.extra = [0]
        for match in _WIDE[encoding].finditer(text):
            self.indexes.append(match.start())
            self.starts.append(match.start() + self.extra[-1])
            self.extra.append(self.extra[-1] + _extra_units(encoding, match.group()))


class Positions:
    """Converts between core spans (code points) and client ranges for one version of one document.

    `lines` are the core's lines. When the document starts with a byte order mark the core reads the text
    after it, so on line 0 the client counts one character (the BOM) more than the core (`bom=True`).

    A conversion costs O(log n) in the line's length: a line of ASCII needs nothing (a code point is one
    unit in every encoding); for any other line the first conversion records where its wide characters
    are, once per line.
    """

    def __init__(self, lines: list[str], codec: PositionCodec, bom: bool = False) -> None:
        self.lines = lines
        self.codec = codec
        encoding = str(codec.encoding or "utf-16").lower()
        self.encoding = encoding if encoding in ("utf-8", "utf-32") else "utf-16"
        self.bom_units = (3 if self.encoding == "utf-8" else 1) if bom else 0
        self._tables: dict[int, _Table] = {}

    def _table(self, line: int) -> _Table | None:
        text = self.lines[line]
        if self.encoding == "utf-32" or text.isascii():
            return None
        table = self._tables.get(line)
        if table is None:
            table = self._tables[line] = _Table(text, self.encoding)
        return table

    def units(self, line: int, col: int) -> int:
        """Code-point column `col` of core line `line` in the client's units."""
        col = min(max(col, 0), len(self.lines[line]))
        table = self._table(line)
        units = col if table is None else col + table.extra[bisect.bisect_left(table.indexes, col)]
        return units + self.bom_units if line == 0 else units

    def code_points(self, line: int, units: int) -> int:
        """Client units on core line `line` as a code-point column, clamped into the line. A position inside
        a character (between the halves of a surrogate pair) means the end of that character."""
        if line == 0:
            units -= self.bom_units
        length = len(self.lines[line])
        if units <= 0:
            return 0
        table = self._table(line)
        if table is None:
            return min(units, length)
        k = bisect.bisect_left(table.starts, units)  # the wide characters that start before `units`
        if k and units <= table.starts[k - 1] + table.extra[k] - table.extra[k - 1]:
            return table.indexes[k - 1] + 1
        return min(units - table.extra[k], length)

    def position(self, line: int, col: int) -> types.Position:
        if line >= len(self.lines):  # the end of the document
            last = max(len(self.lines) - 1, 0)
            return types.Position(line=last, character=self.units(last, len(self.lines[last])) if self.lines else 0)
        return types.Position(line=line, character=self.units(line, col))

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.position(span.start_line, span.start_col), end=self.position(span.end_line, span.end_col))

    def to_server(self, position: types.Position) -> tuple[int, int]:
        """A client position as (line, code-point column), clamped into the document. LSP: a character past
        the end of the line means the end of the line."""
        if not self.lines:
            return 0, 0
        line = min(max(position.line, 0), len(self.lines) - 1)
        if position.line >= len(self.lines):
            return line, len(self.lines[line])
        return line, self.code_points(line, position.character)

    def server_range(self, range_: types.Range) -> Span:
        start = self.to_server(range_.start)
        end = self.to_server(range_.end)
        return Span(start[0], start[1], end[0], end[1])


def apply_change(text: str, range_: types.Range, new_text: str, codec: PositionCodec) -> str:
    """`text` with the client's `range_` replaced by `new_text`, on the protocol's lines (pygls splits lines
    as str.splitlines does, also at U+2028, U+0085 and form feeds, and put an edit after one on the wrong
    line). A position past a line's end is its end, past the last line the document's end; an end before
    the start is the start. Only the lines of the range are looked at: the cost of a keystroke does not grow
    with the document."""

    def offset(position: types.Position) -> int:
        start = line_start(text, position.line)
        if start is None:
            return len(text)
        found = _LINE_BREAK.search(text, start)
        line = text[start : found.start() if found is not None else len(text)]
        return start + Positions([line], codec).code_points(0, position.character)

    start, end = offset(range_.start), offset(range_.end)
    return text[:start] + new_text + text[max(start, end):]


# Runs of whole lines (each up to its break: \r\n, a \r not before \n, or \n), matched in C to find where a
# line starts without splitting the document.
_LINE_RUNS = [(n, re.compile(r"(?:[^\r\n]*(?:\r\n|\r(?!\n)|\n)){%d}" % n)) for n in (1000, 100, 10, 1)]


def line_start(text: str, line: int) -> int | None:
    """The offset where 0-based `line` of `text` starts (lines end at \r\n, \r or \n); None past its last line."""
    at = 0
    for size, run in _LINE_RUNS:
        while line >= size:
            found = run.match(text, at)
            if found is None:
                break
            at, line = found.end(), line - size
    return at if line == 0 else None


def line_ending(text: str) -> str:
    """The document's own line break (that of its first line), for the text the server inserts."""
    found = _LINE_BREAK.search(text)
    return found.group() if found is not None else "\n"


# A scalar's properties: an anchor (`&x`) and a tag (`!t`, `!!str`, `!<...>`), each followed by white space.
_PROPERTIES = re.compile(r"(?:(?:&[^\s,\[\]{}]+|![^\s,\[\]{}]*)[ \t]+)+")


def inner_span(text: Text, lines: list[str] | None = None) -> Span:
    """The span of a scalar's own characters, without its anchor or tag (`&x !!str`) and without its quotes:
    what a rename or a fix replaces. `lines` (the core's lines) show the properties."""
    span = text.span
    if lines is not None and span.start_line < len(lines):
        found = _PROPERTIES.match(lines[span.start_line], span.start_col)
        if found is not None and (span.start_line, found.end()) < (span.end_line, span.end_col):
            span = Span(span.start_line, found.end(), span.end_line, span.end_col, span.origin)
    if text.quoted and span.start_line == span.end_line and span.end_col - span.start_col >= 2:
        return Span(span.start_line, span.start_col + 1, span.end_line, span.end_col - 1, span.origin)
    return span


def to_lsp_diagnostic(
    diagnostic: Diagnostic, positions: Positions, uri: str, locate: Callable[[Span], types.Location | None] | None = None
) -> types.Diagnostic:
    """`locate` places related locations written in other files (spans with an origin); without it, or
    when it cannot, they are left out."""
    rule = find_rule(diagnostic.code)
    return types.Diagnostic(
        range=positions.range(diagnostic.span),
        message=diagnostic.message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=rule.url()) if rule is not None else None,
        source=SOURCE,
        related_information=[
            types.DiagnosticRelatedInformation(location=location, message=related.message)
            for related in diagnostic.related
            if (location := _related_location(related.span, positions, uri, locate)) is not None
        ]
        or None,
        tags=[types.DiagnosticTag.Unnecessary] if diagnostic.code in _UNNECESSARY else None,
    )


def _related_location(span: Span, positions: Positions, uri: str, locate) -> types.Location | None:
    if span.origin is None:
        return types.Location(uri=uri, range=positions.range(span))
    return locate(span) if locate is not None else None


__all__ = ["Positions", "SOURCE", "apply_change", "inner_span", "line_ending", "split_lines", "to_lsp_diagnostic"]
