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

    The closest identifier is difflib's (`get_close_matches`, cutoff 0.6) up to 100 declarations. Above
    that, so that thousands of declarations and misspellings stay linear, it is the closest by the same
    measure among the 24 declarations that share the most character trigrams with the value: difflib's
    answer for a misspelling (a few edits keep most trigrams), possibly another close one for a value that
    shares only common trigrams with every declaration.

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
    """The suggestion: the closest declared identifier by difflib's ratio, computed once per distinct value.

    Up to `EXACT` declarations it is `difflib.get_close_matches(ref, declared, n=1, cutoff=0.6)[0]` (or
    None), exactly: the declarations are visited by decreasing upper bound (difflib's `quick_ratio`, from
    character counts made once per declaration) and the search stops when no later one can beat the best
    `ratio` found.

    Above `EXACT` declarations a nearest neighbour by difflib's ratio has no exact index, so the
    suggestion is the closest among candidates: the declarations sharing the most character trigrams with
    the value (ends padded, so short values have some), read from an index of the declarations' trigrams,
    rarest trigram first, until `BUDGET` index entries are read; the `CANDIDATES` with the most shared
    trigrams (ties: declaration order) are then scored exactly as above. Each value costs a bounded amount
    of work, so a pipeline with thousands of declarations and misspellings stays linear. A misspelling
    shares most of its trigrams with what it misspells, so that is difflib's answer in practice; a value
    whose closest declaration shares no rare trigram with it may get another suggestion, or none.
    """

    CUTOFF = 0.6
    EXACT = 100
    BUDGET = 256
    CANDIDATES = 24

    def __init__(self, declared, declarations) -> None:
        self.declared = list(declared)
        self.declarations = declarations
        self.counts: list[frozenset[tuple[str, int]]] | None = None
        self.index: dict[str, list[int]] | None = None
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
            if self.counts is None:
                self.counts = [_char_tokens(d) for d in self.declared]
            every = len(self.declared) <= self.EXACT
            self.found[ref] = self._closest(ref, range(len(self.declared)) if every else self._candidates(ref))
        return self.found[ref]

    def _candidates(self, ref: str) -> list[int]:
        """The indices of the declarations sharing the most trigrams with `ref` (rarest trigrams read first)."""
        if self.index is None:
            self.index = {}
            for i, candidate in enumerate(self.declared):
                for gram in _trigrams(candidate):
                    self.index.setdefault(gram, []).append(i)
        postings = sorted((self.index[g] for g in _trigrams(ref) if g in self.index), key=len)
        shared: dict[int, int] = {}
        read = 0
        for posting in postings:
            if read and read + len(posting) > self.BUDGET:
                break
            for i in posting[: self.BUDGET]:
                shared[i] = shared.get(i, 0) + 1
            read += len(posting)
        ranked = sorted(shared, key=lambda i: (-shared[i], i))
        return sorted(ranked[: self.CANDIDATES])

    def _closest(self, ref: str, indices) -> str | None:
        import difflib

        mine = _char_tokens(ref)
        size = len(ref)
        bounds = []
        for i in indices:
            candidate, tokens = self.declared[i], self.counts[i]  # type: ignore[index]
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


def _trigrams(text: str) -> set[str]:
    padded = f"\0\0{text}\0\0"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _char_tokens(text: str) -> frozenset[tuple[str, int]]:
    """The multiset of `text`'s characters as a set ((c, 1), (c, 2), ... for each c): the size of the
    intersection of two is the number of characters they share, counted as difflib's quick_ratio does."""
    seen: dict[str, int] = {}
    tokens = []
    for c in text:
        seen[c] = seen.get(c, 0) + 1
        tokens.append((c, seen[c]))
    return frozenset(tokens)
