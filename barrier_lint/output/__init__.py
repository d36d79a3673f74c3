"""Output formats. Each module renders a list of `FileResult`s; `FORMATS` maps a format name to it."""

from __future__ import annotations

from . import json_format, text
from .common import FileResult, Renderer, RenderOptions, cli_position

FORMATS: dict[str, Renderer] = {"text": text.render, "json": json_format.render}

__all__ = ["FORMATS", "FileResult", "RenderOptions", "Renderer", "cli_position"]
