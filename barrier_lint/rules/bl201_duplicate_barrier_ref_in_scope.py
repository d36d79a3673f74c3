from __future__ import annotations

from ..diagnostics import Severity
from .base import Rule, at_position, line_of, related


class DuplicateBarrierRefInScope(Rule):
    """
    ## What it does
    Reports two Barrier steps with the same literal reference whose nearest enclosing stage or step
    group is the same (a stage's `steps` and `rollbackSteps` count as one stage). Each later step is
    reported. v1: the scope is the stage or the step `group`; a `parallel` is not a scope. A
    normal-flow/rollback pair of one stage is left to `rollback-barrier-cycle` (BL204), and
    `sequential-barrier-participants` (BL203) does not report pairs of one scope: one mistake, one
    finding.

    ## Why is this bad?
    Harness documents that every Barrier step in one stage or step group must use a different
    reference. Two steps of one stage on one barrier either wait for each other (a deadlock until the
    timeout) or, inside one `parallel` block, synchronize nothing that one step would not.

    ## Example
    ```yaml
    steps:
      - parallel:
          - step: {type: Barrier, identifier: a, spec: {barrierRef: ready}}
          - step: {type: Barrier, identifier: b, spec: {barrierRef: ready}}
    ```

    ## Use instead
    ```yaml
    steps:
      - step: {type: Barrier, identifier: a, spec: {barrierRef: ready}}
    ```
    """

    code = "BL201"
    name = "duplicate-barrier-ref-in-scope"
    severity = Severity.ERROR

    def check(self, facts, config):
        for position, earlier in facts.same_scope_first.items():
            ref = position.literal
            scope = position.scope
            where = f"{'step group' if position.groups else 'stage'} {scope.label}" if scope is not None else "this template"
            yield at_position(
                position,
                position.ref,
                f"barrier '{ref}' is already used at line {line_of(earlier.ref.span)} in {where}; every Barrier "
                "step in one stage or step group needs its own barrier",
                related=(related(earlier, f"first use of '{ref}' in {where}"),),
            )
