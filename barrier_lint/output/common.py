"""What every output format receives, and the one place CLI positions are made from model spans."""

from __future__ import annotations

import os
import re
from collections.abc import Callable

from ..diagnostics import Diagnostic, Severity
from ..model import Span
from ..records import record

# `typing` is for type checkers only (annotations are never evaluated): not imported at start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

    from ..parse import ParsedFile


@record(frozen=True, slots=True)
class FileResult:
    path: str  # as shown to the user (relative when given relative)
    diagnostics: list  # list[Diagnostic], sorted
    text: str = ""  # the source, for formats that quote it


@record(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    quiet: bool = False
    files_checked: int = 0
    files_skipped: int = 0  # of those checked: no Harness YAML in them (and nothing reported)
    # Stable fingerprints of the findings (baseline.fingerprints), in the order of `results`; formats that
    # publish one (sarif, gitlab) compute them when absent.
    fingerprints: tuple[tuple[str, ...], ...] | None = None
    # The lowest severity that fails the run (--fail-on; None: nothing fails), for formats that say which
    # findings fail it (junit).
    fail_on: Severity | None = Severity.ERROR
    # The model a result's findings were made from (its text resolved against its workspace), for formats
    # that draw it (markdown's diagrams); None, or None for a result: its text on its own.
    model: Callable[[FileResult], ParsedFile | None] | None = None


Renderer = Callable[[list[FileResult], "TextIO", RenderOptions], None]  # TextIO: a name for type checkers


# What must not reach a terminal, a log or a report as itself: C0 and C1 control characters (ESC starts
# terminal sequences, a line break starts a new line that GitHub Actions reads as a workflow command), DEL,
# line and paragraph separators, bidirectional overrides (text that reads differently than it is), the
# XML non-characters, and lone surrogates (a file name that is not UTF-8, kept by Python as U+DC80-U+DCFF).
# Patterns, not compiled ones: `re` compiles each on its first use and keeps it; compiling these character
# classes at import cost a cold start more than a run that prints nothing uses them.
_OTHERS = "\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufffe\uffff\ud800-\udfff"
_CONTROLS = f"[\x00-\x1f{_OTHERS}]"
_CONTROLS_NOT_TAB = f"[\x00-\x08\x0a-\x1f{_OTHERS}]"
_SURROGATES = "[\ud800-\udfff]"
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display_name(path: str, here: str | None = None) -> str:
    """How the command line names a workspace file: relative to the working directory (`here`, when the
    caller has asked for it already), with `/`."""
    absolute = os.path.abspath(path)
    inside = below_cwd(absolute, here)
    return inside if inside is not None else os.path.relpath(absolute, here).replace(os.sep, "/")


def below_cwd(absolute: str, here: str | None = None) -> str | None:
    """An absolute path inside the working directory (`here`, when the caller has asked for it already) as
    `os.path.relpath` gives it, with `/`, without its cost (it normalises and splits both paths); None for
    any other path."""
    if here is None:
        here = os.getcwd()
    prefix = here if here.endswith(os.sep) else here + os.sep
    if absolute.startswith(prefix) and os.path.normcase(here) == here:
        return absolute[len(prefix):].replace(os.sep, "/")
    return None


def _shown(match: re.Match) -> str:
    c = match.group()
    if c in _NAMED:
        return _NAMED[c]
    code = ord(c)
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(value: str, *, syntax_escapes_controls: bool = False, keep_tabs: bool = False) -> str:
    """`value` (a message, a path, a source line: anything that may come from the YAML or the file system)
    as every format must show it: each character that could act instead of being read is written as an
    escape (`\\n`, `\\x1b`, `\\u202e`, `\\xff` for a byte of a file name). The one helper of every format.

    - `syntax_escapes_controls`: for JSON formats, whose syntax escapes control characters itself; only
      what JSON cannot carry into a UTF-8 file (lone surrogates) is changed.
    - `keep_tabs`: for a source line shown with a caret under it, whose tabs must stay tabs to line up.
    """
    if syntax_escapes_controls:
        return re.sub(_SURROGATES, _shown, value)
    return re.sub(_CONTROLS_NOT_TAB if keep_tabs else _CONTROLS, _shown, value)


def cli_span(span: Span) -> tuple[int, int, int, int]:
    """1-based line/column, end exclusive."""
    return span.start_line + 1, span.start_col + 1, span.end_line + 1, span.end_col + 1


def file_of(result: FileResult, span: Span) -> str:
    """The file a span is written in: the result's own, or (for a related place spliced in from a template
    or a child pipeline) the workspace file its origin names."""
    return span.origin.file if span.origin is not None else result.path


def cli_position(d: Diagnostic) -> tuple[int, int, int, int]:
    """1-based line/column, end exclusive: the one place CLI positions are made from model spans."""
    return cli_span(d.span)


def fingerprints_for(results: list[FileResult], options: RenderOptions) -> tuple[tuple[str, ...], ...]:
    if options.fingerprints is not None:
        return options.fingerprints
    from ..baseline import fingerprints

    return fingerprints(results)


def severity_counts(results: list[FileResult]) -> dict[Severity, int]:
    counts = {s: 0 for s in Severity}
    for result in results:
        for d in result.diagnostics:
            counts[d.severity] += 1
    return counts


def write_atomically(path: str, write: Callable[[TextIO], None]) -> None:
    """Write a file so that readers see the old content or the whole new one, never a part: `write` fills
    a temporary file beside the target, which then replaces it (through a symlink: the file it points to).
    A failure leaves the target as it was. The file keeps its permissions (a new one gets the umask's)."""
    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    os.makedirs(folder, exist_ok=True)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    import tempfile  # only when a file is written (and it imports shutil, random, ...)

    fd, temporary = tempfile.mkstemp(prefix=f".{os.path.basename(target)}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
