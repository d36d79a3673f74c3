from __future__ import annotations

from ..diagnostics import Related, Severity
from .base import PIPELINES, Rule, at_position, line_of


class ConditionalParticipant(Rule):
    """
    ## What it does
    Reports a participant of a barrier with two or more participants that sits under a `when` that can
    skip it: a `condition` other than `true`, or a status that runs only on failure
    (`pipelineStatus`/`stageStatus: Failure`). The `when` may be on the step, an enclosing step group or
    the stage. `All` and the default `Success` do not skip a step on their own. v1: an `if:` other than
    `true`.

    ## Why is this bad?
    A skipped stage or step counts as arrived at the barrier, so the other participants go on without
    waiting for the work the barrier was meant to wait for.

    ## Example
    ```yaml
    - stage:
        identifier: db_migrate
        when:
          pipelineStatus: Success
          condition: <+pipeline.variables.migrate> == "true"
        ... barrierRef: schema_ready ...
    ```

    ## Use instead
    Keep the barrier out of the conditional stage, or make sure every branch that depends on the work
    checks the same condition.
    """

    code = "BL206"
    name = "conditional-participant"
    severity = Severity.WARNING
    documents = PIPELINES

    def check(self, facts, config):
        for ref, positions in facts.by_ref.items():
            if facts.participants(ref) < 2:
                continue
            for position in positions:
                skipping = [w for w in position.whens if w.can_skip]
                if not skipping:
                    continue
                when = skipping[0]
                reason = (
                    f"condition '{when.condition.value}'"
                    if when.condition is not None and when.condition.value.strip().lower() not in ("", "true")
                    else f"status {when.status.value}"
                )
                key = position.syntax.condition
                yield at_position(
                    position,
                    position.ref,
                    f"this participant of barrier '{ref}' ({position.where}) can be skipped by its `{key}` at line "
                    f"{line_of(when.key)} ({reason}); a skipped participant counts as arrived, so the others "
                    "go on without waiting for its work",
                    related=(Related(when.key, f"the `{key}` that can skip this participant"),),
                )
