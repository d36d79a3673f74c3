r"""One line a finding and nothing else, severity spelt out, for editors' quickfix lists and grep:
`path:line:col: severity CODE message` (Vim: `set errorformat=%f:%l:%c:\ %t%*[a-z]\ %m`)."""

from __future__ import annotations

from typing import TextIO

from .common import FileResult, RenderOptions, cli_position, escape


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    for result in results:
        for d in result.diagnostics:
            line, col, _, _ = cli_position(d)
            out.write(f"{escape(result.path)}:{line}:{col}: {d.severity.value} {d.code} {escape(d.message)}\n")
