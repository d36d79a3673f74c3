from __future__ import annotations

from ..diagnostics import Severity
from .base import Rule, at_position


class ExpressionInBarrierRef(Rule):
    """
    ## What it does
    Reports a `barrierRef` that contains a Harness expression (`<+...>`) other than a runtime input
    (`<+input>`, optionally with `.default(...)` or `.allowedValues(...)`).

    v1: `barrier.name` holding `<+...>` or `${{ ... }}`, `<+input>` included: v1 has no runtime-input
    barrier, and Harness's run time rejects both kinds of expression in a barrier name. In a v1 template
    file read on its own, `${{ inputs.x }}` is a parameter that each use fills in, and is not reported.

    ## Why is this bad?
    Harness documents that a barrier reference cannot be a variable expression: barriers are matched
    when the pipeline is planned, before expressions are evaluated, so the step never meets the others.

    ## Example
    ```yaml
    spec:
      barrierRef: <+pipeline.variables.barrier>
    ```

    ## Use instead
    ```yaml
    spec:
      barrierRef: services_deployed
    ```
    """

    code = "BL102"
    name = "expression-in-barrier-ref"
    severity = Severity.ERROR

    def check(self, facts, config):
        for position in facts.pipeline.positions:
            ref, syntax = position.ref, position.syntax
            if ref is None or not position.is_expression or position.is_runtime_input or position.is_template_input:
                continue
            runtime = " (or <+input> to ask for it at run time)" if syntax.runtime_inputs else ""
            yield at_position(
                position,
                ref,
                f"{syntax.reference_key} '{ref.value}' ({position.where}) is an expression; Harness needs "
                f"the literal {syntax.declared_value} here{runtime}",
            )
