from __future__ import annotations

from ..diagnostics import Severity
from .base import Rule


class UnusedSuppression(Rule):
    """
    ## What it does
    Reports a `# barrier-lint: disable=...`, `disable-next-line=...` or `disable-file=...` comment that
    suppresses nothing: the rule it names does not fire where the comment points, or the name is not a rule
    at all. Rules that the configuration turns off are not checked (whether they would fire is unknown).

    ## Why is this bad?
    A suppression outlives the finding it was written for. Left in place, it hides the next real mistake of
    the same kind on that line, and tells the next reader a problem exists where there is none.

    ## Example
    ```yaml
    barriers:
      - identifier: deployed   # barrier-lint: disable=BL105 (now referenced by two stages)
        name: deployed
    ```

    ## Use instead
    ```yaml
    barriers:
      - identifier: deployed
        name: deployed
    ```
    """

    code = "BL901"
    name = "unused-suppression"
    severity = Severity.INFO
    documents = frozenset()  # reported by the suppression step (barrier_lint.suppression), not per document

    def check(self, facts, config):
        return ()
