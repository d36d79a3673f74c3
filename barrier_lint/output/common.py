"""What every output format receives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, TextIO

from ..diagnostics import Diagnostic


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


Renderer = Callable[[list[FileResult], TextIO, RenderOptions], None]


def cli_position(d: Diagnostic) -> tuple[int, int, int, int]:
    """1-based line/column, end exclusive: the one place CLI positions are made from model spans."""
    s = d.span
    return s.start_line + 1, s.start_col + 1, s.end_line + 1, s.end_col + 1
