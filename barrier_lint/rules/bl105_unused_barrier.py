from __future__ import annotations

from ..diagnostics import Severity
from .base import PIPELINES, Finding, Rule


class UnusedBarrier(Rule):
    """
    ## What it does
    Reports a declaration in `flowControl.barriers` (v1: a string of `pipeline.barriers`) that no
    Barrier step references literally. It stays silent when the pipeline has a reference it cannot read
    (an expression or runtime input), uses a stage, step-group, step or pipeline template, or starts
    child pipelines (v0 only: v1 chains carry no barriers), since the user may be there.

    ## Why is this bad?
    An unused barrier is dead configuration: often a leftover of a removed stage, or the sign that a
    reference was misspelt and points elsewhere.

    ## Example
    ```yaml
    flowControl:
      barriers:
        - name: Old Gate
          identifier: old_gate
    ```

    ## Use instead
    Remove the declaration, or reference it from Barrier steps in the stages that must meet.
    """

    code = "BL105"
    name = "unused-barrier"
    severity = Severity.WARNING
    documents = PIPELINES

    def check(self, facts, config):
        if facts.participants_unknown:
            return
        for decl in facts.pipeline.declarations:
            if decl.identifier is None or decl.identifier.value in facts.by_ref:
                continue
            ident = decl.identifier.value
            yield Finding(
                decl.identifier.span,
                f"barrier '{ident}' is declared but no Barrier step uses it",
                barrier=ident,
                tree_path=f"flowControl.barriers.{ident}",
                data={"declaration": decl.span},
            )
