"""Configuration files: find them, read them, check them, and turn them into a `Config`.

A configuration is the `[tool.barrier-lint]` table of a `pyproject.toml`, or a `.barrier-lint.toml` (its
keys at the top level, or under `[tool.barrier-lint]`). For each linted file the nearest one found walking up
from the file's folder applies; in one folder `.barrier-lint.toml` wins over `pyproject.toml`, and a
`pyproject.toml` without a `[tool.barrier-lint]` table does not count.

Keys (the same as `config_from_dict` takes):

    select = ["BL1", "BL203"]          # codes, names or code prefixes; default: every rule
    ignore = ["single-participant"]
    severity = { BL105 = "error", conditional-participant = "off" }   # error, warning, info or off
    exclude = ["legacy/", "*.generated.yaml"]                        # gitignore-style, relative to this file
    per-file-ignores = { "examples/**" = ["BL202"] }
    stage-types = ["Deployment", "Custom", "Approval"]               # where BL302 accepts Barrier steps
    stable-templates = { "org.deploy_gate" = "v2" }   # templateRef (as written) -> its stable versionLabel
    template-paths = ["../org-templates"]             # folders outside the repository read for templates

Anything else is an error (`ConfigError`, exit status 2 in the CLI), reported with the file and the key.
Used by the CLI and the language server alike.
"""

from __future__ import annotations

import os
import re
import sys

from .config import DEFAULT_STAGE_TYPES, FORBIDDEN_STAGE_TYPES, HARNESS_STAGE_TYPES, Config
from .diagnostics import Severity

# The rules (`barrier_lint.rules`) are imported where a selector is checked: a run whose every file is a
# cache hit, with no selector, imports none of them.

# `pathlib` (which imports `urllib.parse`, `ipaddress`, `fnmatch`) only when a configuration file is read:
# the search for one works on strings.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import pathlib

CONFIG_FILES = (".barrier-lint.toml", "pyproject.toml")
TABLE = ("tool", "barrier-lint")
SEVERITY_VALUES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "off": None}
KEYS = (
    "select", "ignore", "severity", "exclude", "per-file-ignores", "stage-types", "stable-templates", "template-paths",
)


class ConfigError(Exception):
    """A configuration that cannot be used: `source` (the file), `key` (dotted; "" for the whole file)."""

    def __init__(self, source: str, key: str, message: str) -> None:
        self.source = source
        self.key = key
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.source}: " + (f"{self.key}: " if self.key else "")
        return where + self.message


def find_config_file(start: str | os.PathLike) -> pathlib.Path | None:
    """The nearest configuration file at or above `start` (a file's folder, or a folder itself)."""
    start = os.path.abspath(start)
    current = start if os.path.isdir(start) else os.path.dirname(start)
    while True:
        for name in CONFIG_FILES:
            candidate = os.path.join(current, name)
            if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_table(candidate)):
                import pathlib

                return pathlib.Path(candidate)
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


_has_table_cache: dict[str, tuple[int, bool]] = {}


def _has_table(pyproject: str) -> bool:
    """Whether a pyproject.toml holds [tool.barrier-lint]; remembered until the file changes (a directory
    walk asks once per linted file)."""
    try:
        mtime = os.stat(pyproject).st_mtime_ns
    except OSError:
        return False
    cached = _has_table_cache.get(pyproject)
    if cached is None or cached[0] != mtime:
        cached = (mtime, _read_has_table(pyproject))
        _has_table_cache[pyproject] = cached
    return cached[1]


# Where a [tool.barrier-lint] table can be written in TOML: a `tool.barrier-lint` header or dotted key (with any
# quoting and spacing), a key of a `[tool]` table, or of an inline `tool = {...}`. A pyproject.toml that has
# none of these has no such table, and is not parsed: the TOML parser costs a cold start more than the lint
# of a small file (docs/performance.md, "Cold start"). Only a key spelt with escapes (`"barrier\u002dlint"`)
# would be missed.
_MAY_HOLD_TABLE = r"""["']?tool["']?\s*(?:\.\s*["']?barrier-lint|=\s*\{)|^\s*\[\s*["']?tool["']?\s*\]"""


def _read_has_table(pyproject: str) -> bool:
    try:
        with open(pyproject, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return False
    if "barrier-lint" not in text and "\\" not in text:
        return False  # without the word, only a key with an escape can name the table: the pattern is not needed
    if not re.search(_MAY_HOLD_TABLE, text, re.MULTILINE):
        return False
    try:
        data = _read_toml(pyproject)
    except ConfigError:
        # A broken pyproject.toml that mentions us is ours to report; one that does not is not ours at all.
        return "[tool.barrier-lint" in text
    return isinstance(data.get("tool"), dict) and TABLE[1] in data["tool"]


def _read_toml(path: str | os.PathLike) -> dict:
    # Imported here: a run with no configuration file never pays for the TOML parser.
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(str(path), "", f"cannot read: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(str(path), "", f"not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:  # pragma: no cover - tomllib reports most of these as TOMLDecodeError
        raise ConfigError(str(path), "", f"not valid UTF-8: {exc}") from None


def load_config(path: str | os.PathLike) -> Config:
    """Read one configuration file. Patterns in it are relative to its folder."""
    import pathlib

    path = pathlib.Path(path)
    data = _read_toml(path)
    table = data
    prefix = ""
    tool = data.get("tool")
    if path.name == "pyproject.toml" or (isinstance(tool, dict) and TABLE[1] in tool):
        table = tool.get(TABLE[1]) if isinstance(tool, dict) else None
        prefix = "tool.barrier-lint."
        if table is None:
            if path.name == "pyproject.toml":
                raise ConfigError(str(path), "tool.barrier-lint", "no [tool.barrier-lint] table in this file")
            table = {}
        if not isinstance(table, dict):
            raise ConfigError(str(path), "tool.barrier-lint", "must be a table")
        if path.name != "pyproject.toml":
            others = [k for k in data if k != "tool"] + [k for k in tool if k != TABLE[1]]
            if others:
                raise ConfigError(str(path), others[0], "unknown key (settings go under [tool.barrier-lint])")
    return _from_table(table, str(path), prefix, os.path.abspath(path.parent))


def config_from_dict(data: dict, source: str, *, root: str | None = None) -> Config:
    """A `Config` from the keys of a `[tool.barrier-lint]` table (e.g. editor settings). `source` names
    where they came from in error messages; `root` is the folder patterns are relative to (default: the
    working directory)."""
    return _from_table(data, source, "", root)


def _from_table(data: dict, source: str, prefix: str, root: str | None) -> Config:
    if not isinstance(data, dict):
        raise ConfigError(source, prefix.rstrip("."), "must be a table")

    def error(key: str, message: str) -> ConfigError:
        return ConfigError(source, prefix + key, message)

    for key in data:
        if key not in KEYS:
            hint = _closest(key, KEYS)
            raise error(key, "unknown key" + (f" (did you mean '{hint}'?)" if hint else f"; known keys: {', '.join(KEYS)}"))

    select = _selectors(data["select"], "select", error) if "select" in data else None
    if select is not None and not select:
        raise error("select", "selects no rule, so nothing would be checked: remove it to check every rule, or list the rules")
    ignore = _selectors(data.get("ignore", []), "ignore", error)

    severity: dict[str, Severity | None] = {}
    table = data.get("severity", {})
    if not isinstance(table, dict):
        raise error("severity", "must be a table of rule = severity (error, warning, info or off)")
    from .rules import find_rule

    for rule_key, value in table.items():
        rule = find_rule(str(rule_key))
        if rule is None:
            raise error(f"severity.{rule_key}", "unknown rule (a code like BL105 or a name like unused-barrier)")
        if not isinstance(value, str) or value.lower() not in SEVERITY_VALUES:
            raise error(f"severity.{rule_key}", f"{value!r} is not one of error, warning, info, off")
        severity[rule.code] = SEVERITY_VALUES[value.lower()]

    exclude = tuple(_strings(data.get("exclude", []), "exclude", error))

    per_file: list[tuple[str, frozenset[str]]] = []
    table = data.get("per-file-ignores", {})
    if not isinstance(table, dict):
        raise error("per-file-ignores", 'must be a table of "pattern" = [rules]')
    for pattern, codes in table.items():
        per_file.append((str(pattern), _selectors(codes, f"per-file-ignores.{pattern}", error)))

    stage_types = DEFAULT_STAGE_TYPES
    if "stage-types" in data:
        stage_types = frozenset(_strings(data["stage-types"], "stage-types", error))
        if not stage_types:
            raise error("stage-types", "must name at least one stage type (e.g. Deployment)")
        for stage_type in sorted(stage_types):
            if stage_type in FORBIDDEN_STAGE_TYPES:
                raise error("stage-types", f"a {stage_type} stage cannot hold a Barrier step (Harness rejects it)")
            if stage_type not in HARNESS_STAGE_TYPES:
                hint = _closest(stage_type, sorted(HARNESS_STAGE_TYPES), normalise=False)
                raise error(
                    "stage-types",
                    f"'{stage_type}' is not a Harness stage type"
                    + (f" (did you mean '{hint}'?)" if hint else f"; known: {', '.join(sorted(HARNESS_STAGE_TYPES))}"),
                )

    stable = data.get("stable-templates", {})
    if not isinstance(stable, dict):
        raise error("stable-templates", 'must be a table of "templateRef" = "versionLabel"')
    for ref, version in stable.items():
        if not isinstance(version, (str, int, float)) or isinstance(version, bool) or not str(version).strip():
            raise error(f"stable-templates.{ref}", f"{version!r} is not a version label (a string such as \"v2\")")
    template_paths = tuple(_strings(data.get("template-paths", []), "template-paths", error))
    if root is not None:
        template_paths = tuple(os.path.normpath(os.path.join(root, p)) for p in template_paths)

    return Config(
        stable_templates=tuple((str(k), str(v)) for k, v in stable.items()),
        template_paths=template_paths,
        select=select,
        ignore=ignore,
        severity=severity,
        stage_types=stage_types,
        exclude=exclude,
        per_file_ignores=tuple(per_file),
        root=root,
        source=source,
    )


def _strings(value, key: str, error) -> list[str]:
    if isinstance(value, str) or not isinstance(value, list):
        raise error(key, "must be a list of strings")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise error(key, f"{item!r} is not a non-empty string")
    return [item.strip() for item in value]


def _selectors(value, key: str, error) -> frozenset[str]:
    items = _strings(value, key, error)
    for item in items:
        if not is_rule_selector(item):
            raise error(key, unknown_rule_message(item))
    return frozenset(items)


def unknown_rule_message(item: str) -> str:
    """`unknown rule 'BL2O3' (did you mean 'BL203'?)`, matching codes and names."""
    from .rules import ALL_RULES

    known = [rule.code for rule in ALL_RULES] + [rule.name for rule in ALL_RULES]
    hint = _closest(item.upper() if item[:2].lower() == "bl" else item, known, normalise=False)
    return f"unknown rule '{item}'" + (f" (did you mean '{hint}'?)" if hint else " (see `barrier-lint rule --all`)")


def is_rule_selector(item: str) -> bool:
    """A code, a name, or a code prefix such as BL2."""
    from .rules import ALL_RULES, find_rule

    return find_rule(item) is not None or (
        len(item) >= 2 and any(rule.code.startswith(item.upper()) for rule in ALL_RULES)
    )


def _closest(key: str, known, normalise: bool = True) -> str | None:
    import difflib

    found = difflib.get_close_matches(key.replace("_", "-") if normalise else key, known, n=1, cutoff=0.6)
    return found[0] if found else None


_cache: dict[pathlib.Path, tuple[int, Config]] = {}


_SEARCH = object()


def config_for(file_path: str | os.PathLike, found: pathlib.Path | None | object = _SEARCH) -> Config:
    """The configuration that applies to one file, its per-file ignores resolved; the defaults when no
    configuration file is found. Files are re-read when they change (the language server keeps running).
    `found` is the configuration file when the caller has already searched for it."""
    if found is _SEARCH:
        found = find_config_file(file_path)
    if found is None:
        return Config()
    try:
        mtime = os.stat(found).st_mtime_ns
    except OSError:
        mtime = -1
    cached = _cache.get(found)
    if cached is None or cached[0] != mtime:
        cached = (mtime, load_config(found))
        _cache[found] = cached
    return cached[1].for_file(os.fspath(file_path))
