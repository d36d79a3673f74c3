from __future__ import annotations

from ..diagnostics import Severity
from .base import PIPELINES, Rule, at_position


class SingleParticipant(Rule):
    """
    ## What it does
    Reports a literal reference with exactly one participant in its pipeline. A Barrier step inside a
    looped stage or step group, or inside a stage that deploys several services or environments, counts
    as several participants. It stays silent for references that `undeclared-barrier` reports, and when
    some participants may be invisible (non-literal references, templates, child pipelines).

    ## Why is this bad?
    A barrier has an effect only when two or more stages or step groups use it and run in parallel.
    With one participant the step passes at once and synchronizes nothing, which usually means the
    other stage's Barrier step is missing or points at another barrier.

    ## Example
    ```yaml
    - parallel:
        - stage: {identifier: api, ... barrierRef: deployed ...}
        - stage: {identifier: web, ... no Barrier step ...}
    ```

    ## Use instead
    Add a Barrier step with `barrierRef: deployed` to every stage that must wait.
    """

    code = "BL202"
    name = "single-participant"
    severity = Severity.WARNING
    documents = PIPELINES

    def check(self, facts, config):
        if facts.participants_unknown:
            return
        declared = facts.pipeline.declared
        for ref, positions in facts.by_ref.items():
            if ref not in declared or facts.participants(ref) != 1:
                continue
            position = positions[0]
            yield at_position(
                position,
                position.ref,
                f"barrier '{ref}' has only one participant ({position.where}); it needs Barrier steps in at "
                "least two stages or step groups that run in parallel, or it synchronizes nothing",
            )
