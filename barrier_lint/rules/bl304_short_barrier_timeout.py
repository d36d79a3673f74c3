from __future__ import annotations

from ..diagnostics import Severity
from ..model import duration_seconds
from .base import Rule, at_position


class ShortBarrierTimeout(Rule):
    """
    ## What it does
    Reports a Barrier step timeout below 10 seconds.

    ## Why is this bad?
    The barrier fails when its timeout expires, before slower participants can arrive; the Harness UI
    asks for at least 10 seconds.

    ## Example
    ```yaml
    timeout: 5s
    ```

    ## Use instead
    ```yaml
    timeout: 10m
    ```
    """

    code = "BL304"
    name = "short-barrier-timeout"
    severity = Severity.WARNING

    def check(self, facts, config):
        for position in facts.pipeline.positions:
            if position.timeout is None:
                continue
            seconds = duration_seconds(position.timeout.value)
            if seconds is not None and seconds < 10:
                yield at_position(
                    position,
                    position.timeout,
                    f"timeout '{position.timeout.value}' of Barrier step {position.label} ({position.where}) is under "
                    "10 seconds; the barrier fails before slower participants arrive (the Harness UI asks for at least 10s)",
                )
