from __future__ import annotations

from ..diagnostics import Severity
from ..model import is_expression, is_runtime_input
from .base import Rule, at_position


class ExpressionInBarrierRef(Rule):
    """
    ## What it does
    Reports a `barrierRef` that contains a Harness expression (`<+...>`) other than a runtime input
    (`<+input>`, optionally with `.default(...)` or `.allowedValues(...)`).

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
            ref = position.ref
            if ref is not None and is_expression(ref.value) and not is_runtime_input(ref.value):
                yield at_position(
                    position,
                    ref,
                    f"barrierRef '{ref.value}' ({position.where}) is an expression; Harness needs the literal identifier of a "
                    "declared barrier here (or <+input> to ask for it at run time)",
                )
