from __future__ import annotations

from ..diagnostics import Severity
from .base import Rule, at_position, line_of, related


class RollbackBarrierCycle(Rule):
    """
    ## What it does
    Reports a literal reference used both in the normal flow and in `rollbackSteps` of one stage (v1: the
    stage's `rollback` list). The rollback step is reported.

    ## Why is this bad?
    Rollback runs only after the normal flow has stopped, so the two steps can never meet: Harness calls
    this a "rollback barrier cycle" (`Barrier Deadlock Detected: ... mixed in normal flow and rollback
    flow`).

    ## Example
    ```yaml
    execution:
      steps:
        - step: {type: Barrier, identifier: sync, spec: {barrierRef: deployed}}
      rollbackSteps:
        - step: {type: Barrier, identifier: sync_rb, spec: {barrierRef: deployed}}
    ```

    ## Use instead
    ```yaml
      rollbackSteps:
        - step: {type: Barrier, identifier: sync_rb, spec: {barrierRef: deployed_rollback}}
    ```
    """

    code = "BL204"
    name = "rollback-barrier-cycle"
    severity = Severity.ERROR

    def check(self, facts, config):
        for position, normal in facts.rollback_pairs.items():
            ref = position.literal
            stage = position.stage.label if position.stage is not None else "this template"
            yield at_position(
                position,
                position.ref,
                f"barrier '{ref}' is used in the normal flow at line {line_of(normal[0].ref.span)} and in the "
                f"rollback steps of stage {stage}; rollback starts only after the normal flow stops, so they "
                f"never meet: give rollback its own barrier (for example '{ref}_rollback')",
                related=tuple(related(p, f"normal-flow use of '{ref}'") for p in normal),
                data={"rollback_ref": f"{ref}_rollback"},
            )
