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


class key_at_line_start:  # noqa: N801 - it stands for a compiled pattern
    """Whether `key:` is written at the start of a line (`^key\\s*:` under `re.MULTILINE`), in str or bytes.
    The engine tries that `^` at every position of the text (some 17 µs for a pipeline of fifty lines, more
    than all else the workspace does to a file it indexes but does not compose); a pattern that starts with
    a literal, the line break before the key, is searched for as fast as the literal alone."""

    def __init__(self, key: str) -> None:
        source = rf"{re.escape(key)}\s*:"
        self._text = (pattern(source), pattern("\n" + source))
        self._bytes = (pattern(source.encode()), pattern(b"\n" + source.encode()))

    def __call__(self, text: str | bytes) -> bool:
        first, later = self._bytes if isinstance(text, bytes) else self._text
        return first.match(text) is not None or later.search(text) is not None
