from __future__ import annotations

from ..diagnostics import Severity
from ..model import DocumentKind
from .base import Finding, Rule


class UnrecognisedHarnessYaml(Rule):
    """
    ## What it does
    Notes a `pipeline:` or `template:` document that fits neither of Harness's syntaxes, v0 or v1. The
    marks of v0 are `identifier`, `flowControl`, `stage:` wrappers, `parallel:` lists and
    `template: {type, spec}`; those of v1 are `id`, `barriers: [names]`, stages without a wrapper,
    `parallel:` mappings and `template: {pipeline | stage | step}`. The message says which marks of each
    it found (or that the body is not a mapping). barrier-lint does not analyse such a document, and says
    so instead of staying silent.

    The rule catalogue has no code for this case; it is an info finding in the BL0xx range, beside
    `invalid-yaml`, because like BL000 it is about whether the document can be read at all.

    ## Why is this bad?
    A document that mixes the two syntaxes (v0's `identifier` with v1's `barriers: [names]`, say) is not
    what Harness expects of either, and none of its barriers are checked: a clean run would wrongly
    suggest they were.

    ## Example
    ```yaml
    pipeline:
      identifier: release
      barriers: [deployed]
      stages:
        - stage: {identifier: api, type: Custom, spec: {execution: {steps: []}}}
    ```

    ## Use instead
    ```yaml
    pipeline:
      identifier: release
      flowControl:
        barriers:
          - {name: deployed, identifier: deployed}
      stages:
        - stage: {identifier: api, type: Custom, spec: {execution: {steps: []}}}
    ```
    """

    code = "BL001"
    name = "unrecognised-harness-yaml"
    severity = Severity.INFO
    documents = frozenset({DocumentKind.UNRECOGNISED})

    def check(self, facts, config):
        key = facts.pipeline.key
        yield Finding(
            key,
            f"this Harness document fits neither the v0 nor the v1 syntax ({facts.document.note}), so "
            "barrier-lint does not check its barriers",
        )
