from __future__ import annotations

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
        closest = _Closest(declared, facts.pipeline.declarations)
        for position in facts.pipeline.positions:
            ref = position.literal
            if ref is not None:
                if ref in declared:
                    continue
                lead = f"barrier '{ref}' ({position.where}) is not declared"
                parent = parent_barrier(ref)  # literal only in v1: v0's `parent.X` is its parent's barrier X
                if parent is not None:
                    lead += f", and v1 pipelines have no chained barriers: '{ref}' cannot join a parent pipeline's barrier '{parent}'"
                yield self._finding(position, ref, declared, closest, facts, lead)
            elif position.is_runtime_input:  # type: ignore[union-attr]
                for value in runtime_input_values(position.ref.value):
                    if value not in declared:
                        yield self._finding(
                            position,
                            value,
                            declared,
                            closest,
                            facts,
                            f"the runtime input's value '{value}' ({position.where}) is not a declared barrier",
                        )

    def _finding(self, position, ref, declared, closest, facts, lead) -> Finding:
        suggestion = closest.named(ref)
        if suggestion is not None:
            hint = f"'{ref}' is the name of barrier '{suggestion}', and barrierRef takes the identifier"
        else:
            suggestion = closest(ref)
            if suggestion is not None:
                hint = f"did you mean '{suggestion}'?"
            elif declared:
                hint = "declared barriers: " + closest.listing()
            else:
                hint = f"declare it under {facts.pipeline.syntax.declarations}"
        return at_position(position, position.ref, f"{lead}; {hint}", data={"ref": ref, "suggestion": suggestion})


class _Closest:
    """`difflib.get_close_matches(ref, declared, n=1, cutoff=0.6)[0]` (or None), with the same answer, for
    every reference of a document: computed once per distinct value, and each computation visits the
    declarations by decreasing upper bound (difflib's `quick_ratio`, from character counts made once per
    declaration) and stops when no later one can beat the best `ratio` found. A document with hundreds of
    declarations and misspelt references computes a handful of full ratios per value, not one per pair."""

    CUTOFF = 0.6

    def __init__(self, declared, declarations) -> None:
        self.declared = list(declared)
        self.declarations = declarations
        self.counts: list[frozenset[tuple[str, int]]] | None = None
        self.found: dict[str, str | None] = {}
        self.names: dict[str, str] | None = None
        self.listed: str | None = None

    def named(self, ref: str) -> str | None:
        """The identifier of the first declaration whose `name` is `ref`."""
        if self.names is None:
            self.names = {}
            for d in self.declarations:
                if d.name is not None and d.identifier:
                    self.names.setdefault(d.name.value, d.identifier.value)
        return self.names.get(ref)

    def listing(self) -> str:
        if self.listed is None:
            self.listed = ", ".join(sorted(self.declared))
        return self.listed

    def __call__(self, ref: str) -> str | None:
        if ref not in self.found:
            self.found[ref] = self._compute(ref)
        return self.found[ref]

    def _compute(self, ref: str) -> str | None:
        import difflib

        if self.counts is None:
            self.counts = [_char_tokens(d) for d in self.declared]
        mine = _char_tokens(ref)
        size = len(ref)
        bounds = []
        for candidate, tokens in zip(self.declared, self.counts):
            total = size + len(candidate)
            if not total:
                continue
            # Lengths only (real_quick_ratio), then shared characters (quick_ratio): both bound ratio().
            if 2.0 * min(size, len(candidate)) / total < self.CUTOFF:
                continue
            bound = 2.0 * len(mine & tokens) / total
            if bound >= self.CUTOFF:
                bounds.append((bound, candidate))
        bounds.sort(key=lambda item: item[0], reverse=True)
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(ref)
        best: tuple[float, str] | None = None
        for bound, candidate in bounds:
            if best is not None and bound < best[0]:
                break  # no candidate left can reach the best ratio (ties are still compared, as difflib does)
            matcher.set_seq1(candidate)
            score = matcher.ratio()
            if score >= self.CUTOFF and (best is None or (score, candidate) > best):
                best = (score, candidate)
        return best[1] if best is not None else None


def _char_tokens(text: str) -> frozenset[tuple[str, int]]:
    """The multiset of `text`'s characters as a set ((c, 1), (c, 2), ... for each c): the size of the
    intersection of two is the number of characters they share, counted as difflib's quick_ratio does."""
    seen: dict[str, int] = {}
    tokens = []
    for c in text:
        seen[c] = seen.get(c, 0) + 1
        tokens.append((c, seen[c]))
    return frozenset(tokens)
