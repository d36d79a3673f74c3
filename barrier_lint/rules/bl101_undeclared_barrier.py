from __future__ import annotations

import difflib

from ..diagnostics import Severity
from ..model import parent_barrier, runtime_input_values
from .base import PIPELINES, Finding, Rule, at_position


class UndeclaredBarrier(Rule):
    """
    ## What it does
    Reports a literal `barrierRef` that no `flowControl.barriers[].identifier` of its pipeline declares,
    and a runtime input whose `.default(x)` or `.allowedValues(...)` names an undeclared barrier. The
    message suggests the closest declared identifier, and says so when the value is a declaration's
    `name` rather than its identifier. A `parent.<identifier>` reference (a child pipeline using its
    parent's barrier) is not checked against the document's own declarations.

    v1: declarations are the strings of `pipeline.barriers` and the reference is `barrier.name`. v1 has
    no chained barriers, so a v1 `parent.X` is checked like any other reference, and the message says
    that it cannot reach a parent pipeline's barrier.

    ## Why is this bad?
    Harness rejects the pipeline when it starts, or the step waits on a barrier nobody else joins.
    `barrierRef` must equal a declaration's `identifier`, case-sensitively; the `name` is only a label.

    ## Example
    ```yaml
    flowControl:
      barriers:
        - name: Services Deployed
          identifier: services_deployed
    ...
                      spec:
                        barrierRef: Services Deployed
    ```

    ## Use instead
    ```yaml
                      spec:
                        barrierRef: services_deployed
    ```
    """

    code = "BL101"
    name = "undeclared-barrier"
    severity = Severity.ERROR
    documents = PIPELINES

    def check(self, facts, config):
        declared = facts.pipeline.declared
        for position in facts.pipeline.positions:
            ref = position.literal
            if ref is not None:
                if ref in declared:
                    continue
                lead = f"barrier '{ref}' ({position.where}) is not declared"
                parent = parent_barrier(ref)  # literal only in v1: v0's `parent.X` is its parent's barrier X
                if parent is not None:
                    lead += f", and v1 pipelines have no chained barriers: '{ref}' cannot join a parent pipeline's barrier '{parent}'"
                yield self._finding(position, ref, declared, facts, lead)
            elif position.is_runtime_input:  # type: ignore[union-attr]
                for value in runtime_input_values(position.ref.value):
                    if value not in declared:
                        yield self._finding(
                            position,
                            value,
                            declared,
                            facts,
                            f"the runtime input's value '{value}' ({position.where}) is not a declared barrier",
                        )

    def _finding(self, position, ref, declared, facts, lead) -> Finding:
        by_name = [d for d in facts.pipeline.declarations if d.name is not None and d.name.value == ref and d.identifier]
        suggestion = None
        if by_name:
            suggestion = by_name[0].identifier.value
            hint = f"'{ref}' is the name of barrier '{suggestion}', and barrierRef takes the identifier"
        else:
            close = difflib.get_close_matches(ref, list(declared), n=1, cutoff=0.6)
            if close:
                suggestion = close[0]
                hint = f"did you mean '{suggestion}'?"
            elif declared:
                hint = "declared barriers: " + ", ".join(sorted(declared))
            else:
                hint = f"declare it under {facts.pipeline.syntax.declarations}"
        return at_position(position, position.ref, f"{lead}; {hint}", data={"ref": ref, "suggestion": suggestion})
