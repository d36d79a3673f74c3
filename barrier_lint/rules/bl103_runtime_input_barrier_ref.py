from __future__ import annotations

from ..diagnostics import Severity
from .base import NOT_V1, Rule, at_position


class RuntimeInputBarrierRef(Rule):
    """
    ## What it does
    Notes a `barrierRef` asked for at run time (`<+input>`, optionally with `.default(x)` or
    `.allowedValues(a, b)`). The values it names in `.default` and `.allowedValues` must be declared,
    else `undeclared-barrier` (BL101) reports them. v1 has no runtime-input barrier: there, `<+input>` in
    `barrier.name` is an expression (BL102), and this rule does not apply.

    ## Why is this bad?
    It is not wrong, but which barrier the step joins is decided only when someone runs the pipeline, so
    the participant and deadlock checks cannot see it, and a typo at run time hangs the step.

    ## Example
    ```yaml
    spec:
      barrierRef: <+input>
    ```

    ## Use instead
    ```yaml
    spec:
      barrierRef: <+input>.allowedValues(services_deployed,db_migrated)
    ```
    """

    code = "BL103"
    name = "runtime-input-barrier-ref"
    severity = Severity.INFO
    documents = NOT_V1  # v1 has no runtime-input barrier: every `<+input>` there is an expression (BL102)

    def check(self, facts, config):
        for position in facts.pipeline.positions:
            if position.is_runtime_input:
                yield at_position(
                    position,
                    position.ref,
                    f"barrierRef of Barrier step {position.label} ({position.where}) is asked for at run time, so the "
                    "participant and deadlock checks cannot see which barrier it joins",
                )
