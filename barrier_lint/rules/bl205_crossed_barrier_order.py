from __future__ import annotations

from ..diagnostics import Severity
from .base import PIPELINES, Rule, at_position, line_of, related


class CrossedBarrierOrder(Rule):
    """
    ## What it does
    Reports branches that run at the same time but reach two or more barriers in conflicting orders:
    a cycle in the graph where an edge X to Y means some branch must pass X before it can reach Y. In
    each branch of the cycle the later step is reported; the message names the whole cycle. References
    already reported as sequential (BL203) or rollback (BL204) reuse are left out.

    Which cycle and steps, when there are several: for each group of references that reach each other,
    the shortest cycle through the alphabetically first one (the first a breadth-first search finds,
    visiting each reference's successors in alphabetical order); for each edge X to Y of it, the first step of Y (document order) that some
    step of X must finish before, and the first such step of X. The search reads the order of the steps
    from their place in the pipeline's tree, in time n log n for n steps, and gives the answer of
    comparing every pair of steps.

    ## Why is this bad?
    Stage A waits at X for stage B, while B waits at Y for A, and neither can move: the pipeline hangs
    until the timeouts. Harness's own check looks at one reference at a time and does not see this.

    ## Example
    ```yaml
    - parallel:
        - stage: {identifier: a, ... steps: [barrierRef: x, barrierRef: y] ...}
        - stage: {identifier: b, ... steps: [barrierRef: y, barrierRef: x] ...}
    ```

    ## Use instead
    Reach the barriers in the same order in every branch (x, then y).
    """

    code = "BL205"
    name = "crossed-barrier-order"
    severity = Severity.ERROR
    documents = PIPELINES

    def check(self, facts, config):
        for witnesses in facts.crossed_cycles:
            refs = [p.literal for p, _ in witnesses]
            names = " -> ".join(f"'{ref}'" for ref in refs + refs[:1])
            for p, q in witnesses:
                others = [w for w in witnesses if w[1] is not q]
                yield at_position(
                    q,
                    q.ref,
                    f"barriers are reached in conflicting orders ({names}): {q.where} reaches "
                    f"'{q.literal}' only after '{p.literal}' at line {line_of(p.ref.span)}, while "
                    + "; ".join(
                        f"{b.where} reaches '{b.literal}' at line {line_of(b.ref.span)} only after "
                        f"'{a.literal}' at line {line_of(a.ref.span)}"
                        for a, b in others
                    )
                    + ", so each waits for the other",
                    related=tuple(related(b, f"'{b.literal}' reached after '{a.literal}' ({b.where})") for a, b in others),
                )
