"""What a rule is. Each rule lives in its own module; its class docstring is its user documentation
(ruff's sections: What it does / Why is this bad? / Example / Use instead), and `rules/__init__.py` lists
them all explicitly."""

from __future__ import annotations

from collections.abc import Iterable

from ..analysis import Facts
from ..config import Config
from ..diagnostics import Related, Severity
from ..model import BarrierPosition, DocumentKind, Span, Text
from ..records import field, record

# `typing` is for type checkers only (annotations are never evaluated): not imported at start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import ClassVar

# Where each rule's documentation is published (docs/rules.md, generated from the docstrings).
DOCS_URL = "https://github.com/barrier-lint/barrier-lint/blob/main/docs/rules.md"

PIPELINES = frozenset({DocumentKind.PIPELINE, DocumentKind.PIPELINE_TEMPLATE, DocumentKind.V1_PIPELINE})
ANALYSED = PIPELINES | {DocumentKind.STAGE_TEMPLATE, DocumentKind.STEP_GROUP_TEMPLATE, DocumentKind.STEP_TEMPLATE}
# Rules about what only v0 can write (runtime-input references, stage types, multi-service deployments).
NOT_V1 = ANALYSED - {DocumentKind.V1_PIPELINE}


@record(slots=True)
class Finding:
    """What a rule reports; the engine adds code, name and severity."""

    span: Span
    message: str
    related: tuple[Related, ...] = ()
    barrier: str | None = None
    tree_path: str = ""  # what the finding is about (`BarrierPosition.subject`, ...): the baseline's key
    data: dict = field(default_factory=dict)
    severity: Severity | None = None  # only for rules whose severity depends on the case (BL302)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    # Which documents the rule reads. Rules that need the declarations or every participant read only
    # whole pipelines; the rest also read stage, step-group and step templates.
    documents: ClassVar[frozenset[DocumentKind]] = ANALYSED

    def check(self, facts: Facts, config: Config) -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def documentation(cls) -> str:
        import inspect  # only the documentation commands need it

        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def url(cls) -> str:
        return f"{DOCS_URL}#{cls.code.lower()}-{cls.name}"

    @classmethod
    def summary(cls) -> str:
        """The first sentence of "What it does"."""
        doc = cls.documentation()
        body = " ".join(doc.split("## What it does", 1)[-1].strip().split("\n\n", 1)[0].split())
        return body.split(". ", 1)[0].rstrip(".") + "."


def at_position(position: BarrierPosition, text: Text | None, message: str, **extra) -> Finding:
    """A finding on a value of a Barrier step (its reference, type or timeout)."""
    span = (text or position.ref or position.type).span
    return Finding(span, message, barrier=position.literal, tree_path=position.subject, **extra)


def line_of(span: Span) -> str:
    """`36` for a line of the analysed file, `12 of .harness/gate.yaml` for one spliced in from another."""
    line = str(span.start_line + 1)
    return line if span.origin is None else f"{line} of {span.origin.file}"


def related(position: BarrierPosition, message: str) -> Related:
    span = position.ref.span if position.ref is not None else position.type.span
    return Related(span, message)
