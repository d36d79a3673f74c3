from __future__ import annotations

from ..diagnostics import Severity
from .base import Finding, Rule


class TemplateInputNotRuntime(Rule):
    """
    ## What it does
    Reports a use's `templateInputs` value for a Barrier step's `barrierRef` or `timeout` that the template
    fixes to a literal instead of asking for it with `<+input>`.

    ## Why is this bad?
    A template input replaces only what the template leaves to its users (`<+input>`); a literal in the
    template wins. Harness rejects such a pipeline on save ("Field either not present in template or not a
    runtime input"), and if it were run, the template's barrier, not the one written in the pipeline,
    would be the one the step waits at.

    ## Example
    ```yaml
    # template deploy_gate: spec.barrierRef: services_deployed
    template:
      templateRef: deploy_gate
      versionLabel: v1
      templateInputs:
        spec:
          execution:
            steps:
              - step:
                  identifier: wait
                  type: Barrier
                  spec:
                    barrierRef: api_ready
    ```

    ## Use instead
    Write `barrierRef: <+input>` in the template, so each pipeline chooses its barrier, or drop the input
    and use the template's barrier.
    """

    code = "BL109"
    name = "template-input-not-runtime"
    severity = Severity.ERROR

    def check(self, facts, config):
        for fixed in facts.pipeline.fixed_template_inputs:
            yield Finding(
                fixed.value.span,
                f"template '{fixed.template}' fixes {fixed.field} to '{fixed.fixed}', so this input is not used "
                f"(Harness rejects it on save); write {fixed.field}: <+input> in the template to let pipelines "
                "choose it, or remove the input",
                barrier=fixed.value.value if fixed.field == "barrierRef" else None,
            )
