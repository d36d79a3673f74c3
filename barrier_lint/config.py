"""Which rules run and how severe their findings are. Loading configuration files builds one of these."""

from __future__ import annotations

from dataclasses import dataclass, field

from .diagnostics import Severity

DEFAULT_STAGE_TYPES = frozenset({"Deployment", "Custom"})
# Stage types that cannot hold a Barrier step at all (BL302 reports an error for them, whatever is allowed).
FORBIDDEN_STAGE_TYPES = frozenset({"CI", "SecurityTests", "Pipeline"})


@dataclass(frozen=True)
class Config:
    """`select`/`ignore` take codes (BL203), names (sequential-barrier-participants) or prefixes (BL2)."""

    select: frozenset[str] | None = None  # None: every rule
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity | None] = field(default_factory=dict)  # code or name -> severity; None = off
    stage_types: frozenset[str] = DEFAULT_STAGE_TYPES

    def enabled(self, code: str, name: str) -> bool:
        if _matches(self.ignore, code, name):
            return False
        if self.severity and _lookup(self.severity, code, name, missing=True) is None:
            return False
        return self.select is None or _matches(self.select, code, name)

    def severity_for(self, code: str, name: str, default: Severity) -> Severity:
        found = _lookup(self.severity, code, name, missing=True)
        return default if found is True or found is None else found


def _matches(selectors: frozenset[str], code: str, name: str) -> bool:
    return any(s == name or code.startswith(s.upper()) for s in selectors)


def _lookup(table: dict, code: str, name: str, missing):
    if code in table:
        return table[code]
    if name in table:
        return table[name]
    return missing
