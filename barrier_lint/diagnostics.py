"""What the analysis reports: `Diagnostic` and its parts. Independent of any output format or protocol."""

from __future__ import annotations

import enum

from .model import Span
from .records import field, record


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@record(frozen=True, slots=True)
class Related:
    """Another place that takes part in a finding (the earlier participant, the other branch, ...)."""

    span: Span
    message: str


@record(frozen=True, slots=True)
class Diagnostic:
    code: str  # BL101
    rule: str  # undeclared-barrier
    severity: Severity
    message: str
    span: Span
    related: tuple[Related, ...] = ()
    document: int = 0  # which document of the file
    barrier: str | None = None  # the barrier the finding is about, when there is one
    tree_path: str = ""  # where in the pipeline tree (stable across moved lines; for baselines)
    # Facts a fix needs (e.g. {"suggestion": "deploy_done"}); never shown to people.
    data: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def sort_key(self) -> tuple:
        return (self.span.start_line, self.span.start_col, self.code, self.message)
