from __future__ import annotations

from ..diagnostics import Severity
from .base import Finding, Rule


class TemplateCycle(Rule):
    """
    ## What it does
    Reports a template that reaches itself through nested template uses, or nesting deeper than 10
    levels, at the `templateRef` that closes the cycle or passes the limit.

    ## Why is this bad?
    Harness aborts resolving such a pipeline ("Exponentially growing template nesting. Aborting"): it
    cannot be saved or run. barrier-lint stops resolving at the same place, so the Barrier steps beyond it
    are not checked.

    ## Example
    ```yaml
    # template stage_a (type Stage) holds a step group using template group_b,
    # and group_b holds a step group using template stage_a again
    template:
      templateRef: stage_a
      versionLabel: "1"
    ```

    ## Use instead
    Break the cycle: a template must not use itself, directly or through the templates it uses.
    """

    code = "BL110"
    name = "template-cycle"
    severity = Severity.ERROR

    def check(self, facts, config):
        for cycle in facts.pipeline.template_cycles:
            chain = " -> ".join(cycle.chain)
            if cycle.too_deep:
                message = (
                    f"templates nest more than 10 levels deep ({chain}); Harness aborts resolving the pipeline"
                )
            else:
                message = f"template '{cycle.chain[-1]}' uses itself ({chain}); Harness aborts resolving the pipeline"
            yield Finding(cycle.ref.span, message)
