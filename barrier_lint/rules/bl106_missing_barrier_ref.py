from __future__ import annotations

from ..diagnostics import Severity
from .base import Rule, at_position


class MissingBarrierRef(Rule):
    """
    ## What it does
    Reports a Barrier step without `spec.barrierRef`, or with an empty one (v1: a `barrier:` step
    without `barrier.name`, reported at the `barrier` key).

    ## Why is this bad?
    Harness's schema requires the reference; without it the step cannot be saved, or it joins nothing.

    ## Example
    ```yaml
    - step:
        type: Barrier
        name: Wait
        identifier: wait
        spec: {}
    ```

    ## Use instead
    ```yaml
    - step:
        type: Barrier
        name: Wait
        identifier: wait
        spec:
          barrierRef: services_deployed
    ```
    """

    code = "BL106"
    name = "missing-barrier-ref"
    severity = Severity.ERROR

    def check(self, facts, config):
        for position in facts.pipeline.positions:
            if position.ref is None or not position.ref.value.strip():
                yield at_position(
                    position,
                    position.type,
                    f"Barrier step {position.label} ({position.where}) has no {position.syntax.reference}; set it to "
                    f"the {position.syntax.declared_value}",
                )
