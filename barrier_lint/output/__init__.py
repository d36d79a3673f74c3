"""Output formats. Each module renders a list of `FileResult`s; `FORMATS` maps a format name to it."""

from __future__ import annotations

from . import concise, full, github, gitlab, json_format, json_lines, junit, sarif, text
from .common import FileResult, Renderer, RenderOptions, cli_position

FORMATS: dict[str, Renderer] = {
    "text": text.render,
    "full": full.render,
    "concise": concise.render,
    "json": json_format.render,
    "json-lines": json_lines.render,
    "sarif": sarif.render,
    "github": github.render,
    "junit": junit.render,
    "gitlab": gitlab.render,
}

__all__ = ["FORMATS", "FileResult", "RenderOptions", "Renderer", "cli_position"]
