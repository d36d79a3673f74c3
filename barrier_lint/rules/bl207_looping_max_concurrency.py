from __future__ import annotations

from ..diagnostics import Severity
from .base import Finding, Rule, line_of, related


class LoopingMaxConcurrency(Rule):
    """
    ## What it does
    Reports a looping strategy (`matrix` or `repeat`) with `maxConcurrency` on a stage or step group
    that contains a Barrier step (v1: `strategy.max-parallel` on a stage or `group`).

    ## Why is this bad?
    Each iteration is a participant, and with `maxConcurrency` below the number of iterations only the
    first batch runs: it waits at the barrier for iterations that cannot start until it finishes. Harness
    documents that the pipeline gets stuck.

    ## Example
    ```yaml
    strategy:
      matrix:
        region: [us, eu, ap]
        maxConcurrency: 2
    ```

    ## Use instead
    ```yaml
    strategy:
      matrix:
        region: [us, eu, ap]
    ```
    """

    code = "BL207"
    name = "looping-max-concurrency"
    severity = Severity.ERROR

    def check(self, facts, config):
        pipeline = facts.pipeline
        for owner in [*pipeline.stages, *pipeline.step_groups]:
            strategy = owner.strategy
            if strategy is None or strategy.max_concurrency_key is None:
                continue
            inside = facts.positions_in.get(id(owner), [])
            if not inside:
                continue
            kind = "step group" if owner in pipeline.step_groups else "stage"
            first = inside[0]
            limit = strategy.max_concurrency.value if strategy.max_concurrency is not None else "set"
            key = pipeline.syntax.max_concurrency
            notes = tuple(related(p, "Barrier step inside the loop") for p in inside)
            yield Finding(
                strategy.max_concurrency_key,
                f"{kind} {owner.label} loops with {key} {limit} and contains a Barrier step (line "
                f"{line_of(notes[0].span)}); only the first batch of iterations can reach the barrier, and it "
                f"waits for iterations that cannot start: remove {key}",
                related=notes,  # the message names the line of the first of these
                barrier=first.literal,
                tree_path=owner.subject,
            )
