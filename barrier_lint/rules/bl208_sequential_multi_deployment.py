from __future__ import annotations

from ..diagnostics import Severity
from .base import NOT_V1, Finding, Rule, line_of, related


class SequentialMultiDeployment(Rule):
    """
    ## What it does
    Reports a stage that deploys more than one service or environment (`spec.services.values` or
    `spec.environments.values`), contains a Barrier step, and does not set `metadata.parallel: true`. v1 stages have no
    multi-service deployment: the rule does not apply to v1 pipelines.

    ## Why is this bad?
    Without `parallel: true` the services or environments are deployed one after the other, and each
    deployment is a participant: the first waits at the barrier for a sibling that cannot start until it
    finishes.

    ## Example
    ```yaml
    services:
      values:
        - serviceRef: api
        - serviceRef: web
      metadata:
        parallel: false
    ```

    ## Use instead
    ```yaml
    services:
      values:
        - serviceRef: api
        - serviceRef: web
      metadata:
        parallel: true
    ```
    """

    code = "BL208"
    name = "sequential-multi-deployment"
    severity = Severity.ERROR
    documents = NOT_V1  # v1 stages have no multi-service deployment

    def check(self, facts, config):
        pipeline = facts.pipeline
        for stage in pipeline.stages:
            inside = facts.positions_in.get(id(stage), [])
            if not inside:
                continue
            for deployment in stage.deployments:
                parallel = deployment.parallel
                if deployment.count < 2 or (parallel is not None and parallel.value.strip().lower() == "true"):
                    continue
                yield Finding(
                    parallel.span if parallel is not None else deployment.values_key,
                    f"stage {stage.label} deploys {deployment.count} {deployment.kind} one after the other and "
                    f"contains a Barrier step (line {line_of(inside[0].span)}); the first waits for a sibling "
                    f"that cannot start: set {deployment.kind}.metadata.parallel: true",
                    related=tuple(related(p, "Barrier step in the multi-deployment stage") for p in inside),
                    barrier=inside[0].literal,
                    tree_path=stage.subject,
                )
