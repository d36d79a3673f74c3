from __future__ import annotations

from ..diagnostics import Severity
from ..model import is_runtime_input
from .base import Rule, at_position


class RuntimeInputBarrierRef(Rule):
    """
    ## What it does
    Notes a `barrierRef` asked for at run time (`<+input>`, optionally with `.default(x)` or
    `.allowedValues(a, b)`). The values it names in `.default` and `.allowedValues` must be declared,
    else `undeclared-barrier` (BL101) reports them.

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

    def check(self, facts, config):
        for position in facts.pipeline.positions:
            if position.ref is not None and is_runtime_input(position.ref.value):
                yield at_position(
                    position,
                    position.ref,
                    f"barrierRef of Barrier step {position.label} ({position.where}) is asked for at run time, so the "
                    "participant and deadlock checks cannot see which barrier it joins",
                )
