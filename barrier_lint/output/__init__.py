"""Output formats. Each module renders a list of `FileResult`s; `FORMATS` maps a format name to its
`render`. A format's module is imported only when it is used, to keep the command's start-up short (the
junit and sarif writers pull in XML and URL libraries a plain run never needs)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .common import FileResult, Renderer, RenderOptions, cli_position

_MODULES = {
    "text": "text",
    "full": "full",
    "concise": "concise",
    "json": "json_format",
    "json-lines": "json_lines",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
    "gitlab": "gitlab",
    "markdown": "markdown",
}


class _Formats(Mapping[str, Renderer]):
    def __getitem__(self, name: str) -> Renderer:
        # `__import__` rather than `importlib.import_module`: the command imports `importlib` for nothing else.
        return __import__(f"{__name__}.{_MODULES[name]}", fromlist=["render"]).render

    def __iter__(self) -> Iterator[str]:
        return iter(_MODULES)

    def __len__(self) -> int:
        return len(_MODULES)


FORMATS: Mapping[str, Renderer] = _Formats()

__all__ = ["FORMATS", "FileResult", "RenderOptions", "Renderer", "cli_position"]
