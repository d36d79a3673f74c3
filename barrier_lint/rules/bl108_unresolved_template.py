from __future__ import annotations

from ..diagnostics import Severity
from .base import Finding, Rule


class UnresolvedTemplate(Rule):
    """
    ## What it does
    Reports a template use whose template cannot be found among the files analysed: no file of the
    workspace holds that identifier and version at a matching scope, or the use names no `versionLabel`
    while several versions exist and none is configured as stable. The message says why, and that the
    pipeline's checks stay partial.

    ## Why is this bad?
    The Barrier steps a template brings are invisible until it is resolved: a reference in it is not
    checked against the pipeline's declarations, and a template used in two sequential stages (a deadlock)
    goes unseen. While any use is unresolved, `unused-barrier` and `single-participant` stay silent for the
    pipeline, since the missing participants may be in the template. Which version is "stable" is
    Harness's server state that no file in Git records, so barrier-lint cannot guess it.

    Resolution covers the workspace: the repository around the files linted (its `.git` folder), read
    with the same discovery and excludes, plus the folders listed in `template-paths`. `--no-resolve`
    turns it off, and this rule with it.

    ## Example
    ```yaml
    - stage:
        name: Deploy API
        identifier: deploy_api
        template:
          templateRef: deploy_gate     # two versions, v1 and v2, in .harness/templates/
          templateInputs:
            type: Deployment
    ```

    ## Use instead
    ```yaml
    - stage:
        name: Deploy API
        identifier: deploy_api
        template:
          templateRef: deploy_gate
          versionLabel: v2
          templateInputs:
            type: Deployment
    ```
    or configure the stable version: `stable-templates = { "deploy_gate" = "v2" }`.
    """

    code = "BL108"
    name = "unresolved-template"
    severity = Severity.INFO

    def check(self, facts, config):
        for use in facts.pipeline.template_uses:
            if use.resolved or use.problem is None:
                continue
            what = f"template '{use.ref.value}'" + (f" version '{use.version.value}'" if use.version else "")
            yield Finding(
                use.ref.span,
                f"{what} is not resolved: {use.problem}; the Barrier steps it holds are not checked, and "
                "unused-barrier and single-participant stay silent for this pipeline",
            )
