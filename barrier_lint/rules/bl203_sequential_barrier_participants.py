from __future__ import annotations

from ..diagnostics import Severity
from .base import Rule, at_position, line_of, related


class SequentialBarrierParticipants(Rule):
    """
    ## What it does
    Reports two Barrier steps with the same literal reference where one must finish before the other
    starts: steps one after the other, stages one after the other, different `parallel` blocks in
    sequence, or DAG stages where one depends (transitively) on the other. This is Harness's own
    "barrier deadlock" relation. Each later step is reported, with earlier ones as related locations:
    the first earlier step at each level of the pipeline's tree where the two part, and, across DAG
    stages, the first in the file of the stages it depends on. Pairs in one stage or step group are
    left to `duplicate-barrier-ref-in-scope` (BL201), and normal-flow/rollback pairs of one stage to
    `rollback-barrier-cycle` (BL204): one mistake, one finding.

    v1: the children of a `parallel` mapping are concurrent, a `group`'s run one after the other, and
    `needs` orders stages as `dependsOn` does. Harness's own check ignores `needs` and judges a v1 DAG by
    the order written; barrier-lint does not, so independent v1 branches are concurrent.

    ## Why is this bad?
    The earlier step waits for a participant that cannot start until the earlier one has finished: the
    pipeline hangs until the barrier's timeout, then fails. Harness rejects it at save time only when a
    feature flag is on, and then without a line number.

    ## Example
    ```yaml
    stages:
      - stage: {identifier: build, ... barrierRef: ready ...}
      - stage: {identifier: deploy, ... barrierRef: ready ...}
    ```

    ## Use instead
    ```yaml
    stages:
      - parallel:
          - stage: {identifier: build, ... barrierRef: ready ...}
          - stage: {identifier: deploy, ... barrierRef: ready ...}
    ```
    """

    code = "BL203"
    name = "sequential-barrier-participants"
    severity = Severity.ERROR

    def check(self, facts, config):
        for position, earlier in facts.sequential_pairs.items():
            ref = position.literal
            lines = ", ".join(f"line {line_of(p.ref.span)} ({p.where})" for p in earlier)
            yield at_position(
                position,
                position.ref,
                f"barrier '{ref}' is also used at {lines}, which must finish before this step ({position.where}) "
                "can start, so the earlier step waits for this one until its timeout",
                related=tuple(related(p, f"earlier participant of '{ref}' ({p.where})") for p in earlier),
            )
