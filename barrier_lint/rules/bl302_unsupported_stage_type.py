from __future__ import annotations

from ..config import FORBIDDEN_STAGE_TYPES
from ..diagnostics import Severity
from ..model import is_expression
from .base import NOT_V1, Rule, at_position


class UnsupportedStageType(Rule):
    """
    ## What it does
    Reports a Barrier step in a stage whose type cannot hold one (`CI`, `SecurityTests`, `Pipeline`: an
    error) or that Harness's documentation does not support (any type but `Deployment` and `Custom`: a
    warning). The supported set is configurable (`stage-types`).
    v1 stages carry no stage type: the rule does not apply to v1 pipelines.

    ## Why is this bad?
    Harness documents Barrier steps for Deploy and Custom stages. CI and Security stages cannot hold one
    at all; other types are accepted by the schema but not documented to synchronize.

    ## Example
    ```yaml
    - stage:
        identifier: build
        type: CI
        ... type: Barrier ...
    ```

    ## Use instead
    Move the Barrier step to a Deployment or Custom stage that runs alongside.
    """

    code = "BL302"
    name = "unsupported-stage-type"
    severity = Severity.ERROR
    documents = NOT_V1  # v1 stages are not typed

    def check(self, facts, config):
        for position in facts.pipeline.positions:
            stage = position.stage
            if stage is None or stage.type is None or is_expression(stage.type.value):
                continue
            kind = stage.type.value
            if kind in FORBIDDEN_STAGE_TYPES:
                yield at_position(
                    position,
                    position.type,
                    f"stage {stage.label} has type {kind}, which cannot hold a Barrier step; move the step to a "
                    "Deployment or Custom stage",
                    severity=Severity.ERROR,
                )
            elif kind not in config.stage_types:
                allowed = ", ".join(sorted(config.stage_types))
                yield at_position(
                    position,
                    position.type,
                    f"stage {stage.label} has type {kind}; Barrier steps are supported in stages of type {allowed}",
                    severity=Severity.WARNING,
                )
