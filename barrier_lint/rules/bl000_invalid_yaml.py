from __future__ import annotations

from ..diagnostics import Severity
from .base import Rule


class InvalidYaml(Rule):
    """
    ## What it does
    Reports a file that cannot be read as YAML: a syntax error, invalid UTF-8, a NUL byte, nesting too
    deep to read, or a duplicate mapping key (each duplicate is reported).

    ## Why is this bad?
    Harness refuses to save or run a pipeline it cannot parse, and a duplicate key silently drops one of
    the two values: a second `barrierRef` or a second `stages` list is simply lost.

    ## Example
    ```yaml
    pipeline:
      identifier: release
      stages:
        - stage:
            identifier: deploy
            identifier: deploy_api
    ```

    ## Use instead
    ```yaml
    pipeline:
      identifier: release
      stages:
        - stage:
            identifier: deploy_api
    ```
    """

    code = "BL000"
    name = "invalid-yaml"
    severity = Severity.ERROR
    documents = frozenset()  # reported by the engine from the parser's problems

    def check(self, facts, config):
        return ()
