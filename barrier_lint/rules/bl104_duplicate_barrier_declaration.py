from __future__ import annotations

from ..diagnostics import Related, Severity
from .base import PIPELINES, Finding, Rule, line_of


class DuplicateBarrierDeclaration(Rule):
    """
    ## What it does
    Reports a second declaration in `flowControl.barriers` with an identifier already declared.

    ## Why is this bad?
    Harness keys barriers by identifier: the two declarations are one barrier, and the second `name` is
    lost. It is usually a copy-paste that was meant to declare a new barrier.

    ## Example
    ```yaml
    flowControl:
      barriers:
        - name: Deployed
          identifier: deployed
        - name: Verified
          identifier: deployed
    ```

    ## Use instead
    ```yaml
    flowControl:
      barriers:
        - name: Deployed
          identifier: deployed
        - name: Verified
          identifier: verified
    ```
    """

    code = "BL104"
    name = "duplicate-barrier-declaration"
    severity = Severity.ERROR
    documents = PIPELINES

    def check(self, facts, config):
        first = {}
        for decl in facts.pipeline.declarations:
            if decl.identifier is None:
                continue
            ident = decl.identifier.value
            if ident in first:
                earlier = first[ident]
                yield Finding(
                    decl.identifier.span,
                    f"barrier '{ident}' is already declared at line {line_of(earlier.span)}; "
                    "give this declaration its own identifier or remove it",
                    related=(Related(earlier.span, f"first declaration of '{ident}'"),),
                    barrier=ident,
                    tree_path=f"flowControl.barriers.{ident}",
                )
            else:
                first[ident] = decl.identifier
