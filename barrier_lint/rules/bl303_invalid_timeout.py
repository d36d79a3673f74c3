from __future__ import annotations

from ..diagnostics import Severity
from ..model import duration_seconds, is_expression
from .base import Rule, at_position


class InvalidTimeout(Rule):
    """
    ## What it does
    Reports a Barrier step `timeout` that is neither a duration (one or more `<number><unit>` with units
    `s m h d w`, optionally one space between parts: `10m`, `1h 30m`, `1d2h`) nor an expression. The
    value is matched exactly as written: `"10m "`, with a space Harness does not trim, is invalid.

    ## Why is this bad?
    Harness rejects the pipeline. A bare number is the usual mistake: older documentation describes the
    field "in milliseconds, e.g. 600000", but the YAML takes durations only.

    ## Example
    ```yaml
    timeout: 600000
    ```

    ## Use instead
    ```yaml
    timeout: 10m
    ```
    """

    code = "BL303"
    name = "invalid-timeout"
    severity = Severity.ERROR

    def check(self, facts, config):
        for position in facts.pipeline.positions:
            timeout = position.timeout
            if timeout is None or not timeout.value or is_expression(timeout.value):
                continue
            if duration_seconds(timeout.value) is not None:
                continue
            if timeout.value.strip().isdigit():
                message = (
                    f"timeout '{timeout.value}' of Barrier step {position.label} ({position.where}) is a bare number; "
                    "durations are written with a unit, like 10m "
                    "(the documentation's '600000 milliseconds' example is rejected by Harness)"
                )
            else:
                message = (
                    f"timeout '{timeout.value}' of Barrier step {position.label} ({position.where}) is not a duration; "
                    "write it like 10m, 1h 30m or 1d2h"
                )
            yield at_position(position, timeout, message)
