"""`pattern`: a module-level regular expression, compiled the first time it is used."""

from __future__ import annotations

import re


class pattern:  # noqa: N801 - it stands for `re.compile`
    """`re.compile(source, flags)`, compiled when one of its attributes is first asked for. `re` compiles in
    Python, about 1 M instructions a pattern, and most of the patterns the modules of a lint define are
    never used on a given file (template inputs, v1 template paths, suppression directives, surrogates):
    compiling seven of them at import cost a cold start about 5% (docs/performance.md, "Cold start").
    Each attribute, once asked for, is kept on this object, so using it costs what the compiled pattern's
    own costs."""

    def __init__(self, source: str, flags: int = 0) -> None:
        self._source = source
        self._flags = flags

    def __getattr__(self, name: str):
        value = getattr(re.compile(self._source, self._flags), name)
        setattr(self, name, value)
        return value
