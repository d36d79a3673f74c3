"""Positions between the analyzer and the client: the one place the server converts columns.

The core counts columns in code points; the client counts in its negotiated position encoding (UTF-16 for
VS Code, UTF-8 for Neovim when offered, UTF-32 for a few). pygls's `PositionCodec` does the unit counting;
this module only feeds it the document's lines and builds lsprotocol objects.
"""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

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


class Positions:
    """Converts between core spans (code points) and client ranges for one version of one document."""

    def __init__(self, lines: list[str], codec: PositionCodec) -> None:
        self.lines = lines
        self.codec = codec

    def position(self, line: int, col: int) -> types.Position:
        if line >= len(self.lines):  # the end of the document
            return types.Position(line=max(len(self.lines) - 1, 0), character=self._units(len(self.lines) - 1, None))
        return types.Position(line=line, character=self._units(line, col))

    def _units(self, line: int, col: int | None) -> int:
        if line < 0:
            return 0
        text = self.lines[line]
        return self.codec.client_num_units(text if col is None else text[:col])

    def range(self, span: Span) -> types.Range:
        return types.Range(start=self.position(span.start_line, span.start_col), end=self.position(span.end_line, span.end_col))

    def to_server(self, position: types.Position) -> tuple[int, int]:
        """A client position as (line, code-point column), clamped into the document."""
        if not self.lines:
            return 0, 0
        line = min(max(position.line, 0), len(self.lines) - 1)
        if position.line >= len(self.lines):
            return line, len(self.lines[line])
        if position.character >= self.codec.client_num_units(self.lines[line]):
            # LSP: a character past the end of the line means the end of the line. (pygls's codec clamps
            # it to one before the end.)
            return line, len(self.lines[line])
        # The codec may write to the position it is given; hand it a copy.
        server: ServerTextPosition = self.codec.position_from_client_units(
            self.lines, types.Position(line=line, character=max(position.character, 0))
        )
        return server.line, min(server.character, len(self.lines[line]))

    def server_range(self, range_: types.Range) -> Span:
        start = self.to_server(range_.start)
        end = self.to_server(range_.end)
        return Span(start[0], start[1], end[0], end[1])


def inner_span(text: Text) -> Span:
    """The span of a scalar's characters without its quotes (what a rename or completion replaces)."""
    span = text.span
    if text.quoted and span.start_line == span.end_line and span.end_col - span.start_col >= 2:
        return Span(span.start_line, span.start_col + 1, span.end_line, span.end_col - 1)
    return span


def to_lsp_diagnostic(diagnostic: Diagnostic, positions: Positions, uri: str) -> types.Diagnostic:
    rule = find_rule(diagnostic.code)
    return types.Diagnostic(
        range=positions.range(diagnostic.span),
        message=diagnostic.message,
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        code_description=types.CodeDescription(href=rule.url()) if rule is not None else None,
        source=SOURCE,
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=positions.range(related.span)), message=related.message
            )
            for related in diagnostic.related
        ]
        or None,
        tags=[types.DiagnosticTag.Unnecessary] if diagnostic.code in _UNNECESSARY else None,
    )


__all__ = ["Positions", "SOURCE", "inner_span", "split_lines", "to_lsp_diagnostic"]
