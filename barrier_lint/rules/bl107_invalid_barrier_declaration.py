from __future__ import annotations

from ..diagnostics import Severity
from ..patterns import pattern
from .base import PIPELINES, Finding, Rule

IDENTIFIER = pattern(r"[a-zA-Z_][0-9a-zA-Z_]{0,127}")


def is_identifier(value: str) -> bool:
    """`IDENTIFIER.fullmatch(value)`, without compiling the pattern (about 0.5% of a cold start): in ASCII, a
    Python identifier is exactly a letter or an underscore, then letters, digits and underscores."""
    return len(value) <= 128 and value.isascii() and value.isidentifier()


RESERVED = frozenset(
    "or and eq ne lt gt le ge div mod not null true false new var return step parallel stepGroup org "
    "account status liteEngineTask".split()
)


class InvalidBarrierDeclaration(Rule):
    """
    ## What it does
    Reports a `flowControl.barriers` entry without an `identifier` or a `name`, or whose identifier
    breaks Harness's identifier pattern (`^[a-zA-Z_][0-9a-zA-Z_]{0,127}$`) or is a reserved word. v1
    declares each barrier as a string of `pipeline.barriers`: the string is checked the same way, and an
    entry that is not a string is reported.

    ## Why is this bad?
    Harness refuses to save the pipeline, and Barrier steps cannot refer to an entry without a valid
    identifier.

    ## Example
    ```yaml
    flowControl:
      barriers:
        - name: Services Deployed
          identifier: services-deployed
    ```

    ## Use instead
    ```yaml
    flowControl:
      barriers:
        - name: Services Deployed
          identifier: services_deployed
    ```
    """

    code = "BL107"
    name = "invalid-barrier-declaration"
    severity = Severity.ERROR
    documents = PIPELINES

    def check(self, facts, config):
        for decl in facts.pipeline.declarations:
            ident = decl.identifier
            span = ident.span if ident is not None else decl.span
            if ident is None or not ident.value:
                yield Finding(span, f"barrier declaration has no identifier; {facts.pipeline.syntax.declaration_hint}")
                continue
            value = ident.value
            if decl.name is None or not decl.name.value:
                yield Finding(span, f"barrier declaration '{value}' has no name; Harness requires `name:`", barrier=value)
            if value in RESERVED:
                yield Finding(span, f"barrier identifier '{value}' is a reserved word in Harness; choose another", barrier=value)
            elif not is_identifier(value) and "<+" not in value:
                yield Finding(
                    span,
                    f"barrier identifier '{value}' is not a valid Harness identifier: use letters, digits and "
                    "underscores, not starting with a digit, at most 128 characters",
                    barrier=value,
                )
