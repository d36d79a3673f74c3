"""One JSON object a line (JSON Lines), with the keys of the json format; streams well into log tools."""

from __future__ import annotations

import json
from typing import TextIO

from .common import FileResult, RenderOptions
from .json_format import as_dicts


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    for item in as_dicts(results):
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
