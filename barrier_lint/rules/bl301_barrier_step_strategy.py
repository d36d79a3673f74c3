from __future__ import annotations

from ..diagnostics import Severity
from .base import Finding, Rule


class BarrierStepStrategy(Rule):
    """
    ## What it does
    Reports a looping `strategy` set on a Barrier step itself.

    ## Why is this bad?
    Harness rejects a looping strategy on a Barrier step: one step cannot be several participants.

    ## Example
    ```yaml
    - step:
        type: Barrier
        identifier: wait
        spec: {barrierRef: deployed}
        strategy:
          repeat: {times: 3}
    ```

    ## Use instead
    Put the strategy on the enclosing stage or step group.
    """

    code = "BL301"
    name = "barrier-step-strategy"
    severity = Severity.ERROR

    def check(self, facts, config):
        for position in facts.pipeline.positions:
            if position.strategy_key is not None:
                yield Finding(
                    position.strategy_key,
                    f"Barrier step {position.label} ({position.where}) has a looping strategy, which Harness rejects; loop the "
                    "enclosing stage or step group instead",
                    barrier=position.literal,
                    tree_path=position.subject,
                )
