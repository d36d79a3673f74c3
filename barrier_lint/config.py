"""Which rules run and how severe their findings are. Loading configuration files (`settings.py`) builds one
of these; it is a value object that knows nothing of files beyond matching path patterns."""

from __future__ import annotations

from .diagnostics import Severity
from .records import field, record, replace

DEFAULT_STAGE_TYPES = frozenset({"Deployment", "Custom"})
# Stage types that cannot hold a Barrier step at all (BL302 reports an error for them, whatever is allowed).
FORBIDDEN_STAGE_TYPES = frozenset({"CI", "SecurityTests", "Pipeline"})
# Every stage type Harness's pipeline schema knows (the `type` of each *StageNode); `stage-types` must name these.
HARNESS_STAGE_TYPES = frozenset(
    {"Approval", "CI", "CompositeLoadTest", "Custom", "DRTest", "Deployment", "Dynamic", "FeatureFlag", "IACM",
     "IDP", "Pipeline", "SecurityTests"}
)


@record(frozen=True)
class Config:
    """`select`/`ignore` take codes (BL203), names (sequential-barrier-participants) or prefixes (BL2).

    `exclude` and the keys of `per_file_ignores` are gitignore-style patterns relative to `root` (the folder
    of the configuration file; the working directory when None). `for_file` resolves the per-file ignores
    for one file into `ignore`.
    """

    select: frozenset[str] | None = None  # None: every rule
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity | None] = field(default_factory=dict)  # code or name -> severity; None = off
    stage_types: frozenset[str] = DEFAULT_STAGE_TYPES
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()  # (pattern, codes or names)
    root: str | None = None
    source: str | None = None  # where it was read from, for messages and --show-config
    stable_templates: tuple[tuple[str, str], ...] = ()  # templateRef as written -> stable versionLabel
    template_paths: tuple[str, ...] = ()  # absolute folders read for templates besides the workspace

    def enabled(self, code: str, name: str) -> bool:
        if _matches(self.ignore, code, name):
            return False
        if self.severity and _lookup(self.severity, code, name, missing=True) is None:
            return False
        return self.select is None or _matches(self.select, code, name)

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        found = _lookup(self.severity, code, name, missing=True)
        return default if found is True or found is None else found

    def excludes(self, path: str, is_dir: bool = False) -> bool:
        """Whether `exclude` matches the path or one of its folders."""
        return bool(self.exclude) and self._patterns(self.exclude).matches_path(path, is_dir)

    def for_file(self, path: str) -> Config:
        """This configuration with the `per_file_ignores` that match `path` added to `ignore`."""
        extra: set[str] = set()
        for pattern, codes in self.per_file_ignores:
            if self._patterns((pattern,)).matches_path(path):
                extra |= codes
        return replace(self, ignore=self.ignore | extra) if extra - self.ignore else self

    def _patterns(self, patterns: tuple[str, ...]):
        import os

        from .discovery import PatternList

        return PatternList.parse(self.root or os.getcwd(), patterns)

    def with_overrides(
        self, select: frozenset[str] | None = None, ignore: frozenset[str] = frozenset(),
        extend_select: frozenset[str] = frozenset(),
    ) -> Config:
        """Command-line `--select` replaces the configured selection, `--extend-select` adds to it (and wins
        over a configured `ignore` of the same rule, as the more recent choice); `--ignore` adds to the
        configured ignores."""
        selected = select if select is not None else self.select
        if extend_select and selected is not None:
            selected = selected | extend_select
        configured_ignore = self.ignore - extend_select
        return replace(self, select=selected, ignore=configured_ignore | ignore)


def _matches(selectors: frozenset[str], code: str, name: str) -> bool:
    return any(s == name or code.startswith(s.upper()) for s in selectors)


def _lookup(table: dict, code: str, name: str, missing):
    if code in table:
        return table[code]
    if name in table:
        return table[name]
    return missing
