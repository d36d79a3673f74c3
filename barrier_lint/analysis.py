"""Reasoning shared by the participation and ordering rules: who takes part in a barrier, and which
Barrier steps must finish before others start.

`order(p, q)` is Harness's own "must finish before" relation (harness-barriers.md section 4), compared
over the model's paths:
- in a DAG pipeline, two positions in different stages that both carry `dependsOn` are ordered exactly
  when one stage is a transitive `dependsOn` ancestor of the other;
- otherwise the paths from the root are compared: at the first segment whose key differs the positions
  are sequential (rollback steps after the normal flow, otherwise in document order); at the first list
  index that differs they are concurrent inside `parallel` and sequential anywhere else.

Harness compares only the list segments of a path; keeping the mapping keys too makes two positions in
different lists that share a name and index (an infrastructure provisioner's `steps[0]` and the
execution's `steps[0]`) sequential, which is what happens at run time. On every conformance case the
two agree.

`Ordering` computes the same relation for a whole document in one sweep over a trie of the paths, so
that large pipelines do not cost a comparison per pair of positions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from .model import BarrierPosition, Document, Pipeline, Stage


def _dag_ancestors(pipeline: Pipeline) -> dict[str, set[str]]:
    """identifier -> every stage identifier it transitively depends on (DAG stages only)."""
    deps = {
        s.identifier.value: s.depends_on
        for s in pipeline.stages
        if s.depends_on is not None and s.identifier is not None
    }
    ancestors: dict[str, set[str]] = {}
    for start in deps:
        seen: set[str] = set()
        stack = list(deps[start] or ())
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(deps.get(current) or ())
        ancestors[start] = seen
    return ancestors


def _dag_stage(position: BarrierPosition) -> Stage | None:
    stage = position.stage
    return stage if stage is not None and stage.depends_on is not None and stage.identifier is not None else None


def order(p: BarrierPosition, q: BarrierPosition, ancestors: dict[str, set[str]]) -> int:
    """-1 when p must finish before q starts, 1 when q must finish before p, 0 when they may run together."""
    sp, sq = _dag_stage(p), _dag_stage(q)
    if sp is not None and sq is not None and sp.identifier.value != sq.identifier.value:  # type: ignore[union-attr]
        a, b = sp.identifier.value, sq.identifier.value  # type: ignore[union-attr]
        if a in ancestors.get(b, ()):
            return -1
        if b in ancestors.get(a, ()):
            return 1
        return 0
    for (name_p, index_p), (name_q, index_q) in zip(p.path, q.path):
        if name_p != name_q:
            if p.rollback != q.rollback:
                return 1 if p.rollback else -1
            return -1 if (p.span.start_line, p.span.start_col) < (q.span.start_line, q.span.start_col) else 1
        if index_p != index_q:
            if name_p == "parallel" or index_p is None or index_q is None:
                return 0
            return -1 if index_p < index_q else 1
    if len(p.path) == len(q.path):
        return 0
    return -1 if len(p.path) < len(q.path) else 1


@dataclass(slots=True)
class _Node:
    children: dict = field(default_factory=dict)  # ("key", name) or ("index", i) -> _Node
    list_name: str | None = None  # set on the node whose children are list indices
    positions: list[BarrierPosition] = field(default_factory=list)  # positions ending here


class Ordering:
    """Every "must finish before" fact between literal references of one document."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.ancestors = _dag_ancestors(pipeline)
        # later position -> earlier positions with the same reference (BL203/BL204 material)
        self.earlier_same_ref: dict[BarrierPosition, list[BarrierPosition]] = defaultdict(list)
        # (X, Y) -> (p, q): some branch passes X at p and must finish it before reaching Y at q
        self.edges: dict[tuple[str, str], tuple[BarrierPosition, BarrierPosition]] = {}
        root = _Node()
        for position in pipeline.positions:
            if position.literal is None:
                continue
            node = root
            for name, index in position.path:
                node = node.children.setdefault(("key", name), _Node())
                if index is not None:
                    node.list_name = name
                    node = node.children.setdefault(("index", index), _Node())
            node.positions.append(position)
        self._sweep(root)
        self._dag_pairs([p for p in pipeline.positions if p.literal is not None])

    def order(self, p: BarrierPosition, q: BarrierPosition) -> int:
        return order(p, q, self.ancestors)

    # A summary of a subtree: ref -> its positions in document order.
    def _sweep(self, node: _Node) -> dict[str, list[BarrierPosition]]:
        summaries = [self._sweep(child) for child in self._ordered_children(node)]
        if node.positions:
            own: dict[str, list[BarrierPosition]] = defaultdict(list)
            for position in node.positions:
                own[position.literal].append(position)  # type: ignore[index]
            summaries.insert(0, own)
        concurrent = node.list_name == "parallel"
        merged: dict[str, list[BarrierPosition]] = defaultdict(list)
        for summary in summaries:
            if not concurrent and merged:
                self._after(merged, summary)
            for ref, positions in summary.items():
                merged[ref].extend(positions)
        return merged

    def _ordered_children(self, node: _Node) -> list[_Node]:
        children = list(node.children.items())
        if node.list_name is not None:
            children.sort(key=lambda item: item[0][1])  # by index
        else:
            # Different keys run one after the other: rollback steps last, otherwise in document order.
            def first(n: _Node) -> tuple:
                while not n.positions:
                    n = next(iter(n.children.values()))
                pos = n.positions[0]
                return (pos.span.start_line, pos.span.start_col)

            children.sort(key=lambda item: (item[0][1] == "rollbackSteps", first(item[1])))
        return [child for _, child in children]

    def _after(self, earlier: dict[str, list[BarrierPosition]], later: dict[str, list[BarrierPosition]]) -> None:
        """Record that every position of `earlier` must finish before every position of `later` starts,
        except between two different DAG stages, which `_dag_pairs` decides."""
        for ref_q, later_positions in later.items():
            for q in later_positions:
                dag_q = _dag_stage(q)
                for ref_p, earlier_positions in earlier.items():
                    p = self._first_ordered(earlier_positions, dag_q)
                    if p is not None:
                        self._record(p, q, ref_p, ref_q)

    @staticmethod
    def _first_ordered(positions: list[BarrierPosition], dag_q: Stage | None) -> BarrierPosition | None:
        for p in positions:
            dag_p = _dag_stage(p)
            if dag_q is None or dag_p is None or dag_p is dag_q:
                return p
        return None

    def _record(self, p: BarrierPosition, q: BarrierPosition, ref_p: str, ref_q: str) -> None:
        if ref_p == ref_q:
            if p not in self.earlier_same_ref[q]:
                self.earlier_same_ref[q].append(p)
        else:
            self.edges.setdefault((ref_p, ref_q), (p, q))

    def _dag_pairs(self, positions: list[BarrierPosition]) -> None:
        by_stage: dict[str, list[BarrierPosition]] = defaultdict(list)
        for position in positions:
            stage = _dag_stage(position)
            if stage is not None:
                by_stage[stage.identifier.value].append(position)  # type: ignore[union-attr]
        for later_stage, later_positions in by_stage.items():
            for earlier_stage in sorted(self.ancestors.get(later_stage, ())):
                for p in by_stage.get(earlier_stage, ()):
                    for q in later_positions:
                        self._record(p, q, p.literal, q.literal)  # type: ignore[arg-type]


class Facts:
    """What several rules need to know about one document, computed once and shared."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.pipeline: Pipeline = document.pipeline  # type: ignore[assignment]

    @cached_property
    def by_ref(self) -> dict[str, list[BarrierPosition]]:
        """Literal reference -> its positions, in document order."""
        out: dict[str, list[BarrierPosition]] = defaultdict(list)
        for position in self.pipeline.positions:
            if position.literal is not None:
                out[position.literal].append(position)
        return dict(out)

    @cached_property
    def has_non_literal_refs(self) -> bool:
        return any(p.ref is not None and p.ref.value and p.literal is None for p in self.pipeline.positions)

    @cached_property
    def participants_unknown(self) -> bool:
        """Whether some participants may be invisible here: non-literal references, templates whose bodies
        are not resolved, or child pipelines that may use this pipeline's barriers."""
        return self.has_non_literal_refs or self.pipeline.uses_templates or bool(self.pipeline.chained_stages)

    def participants(self, ref: str) -> int:
        return sum(p.multiplicity for p in self.by_ref.get(ref, ()))

    @cached_property
    def ordering(self) -> Ordering:
        return Ordering(self.pipeline)

    @cached_property
    def rollback_pairs(self) -> dict[BarrierPosition, list[BarrierPosition]]:
        """Rollback position -> normal-flow positions of the same stage with its reference (BL204)."""
        out: dict[BarrierPosition, list[BarrierPosition]] = {}
        for q, earlier in self.ordering.earlier_same_ref.items():
            if q.rollback:
                normal = [p for p in earlier if not p.rollback and p.stage is q.stage]
                if normal:
                    out[q] = normal
        return out

    @cached_property
    def sequential_pairs(self) -> dict[BarrierPosition, list[BarrierPosition]]:
        """Later position -> earlier positions with its reference that must finish first (BL203), without
        the normal-flow/rollback pairs of one stage that BL204 reports."""
        out: dict[BarrierPosition, list[BarrierPosition]] = {}
        for q, earlier in self.ordering.earlier_same_ref.items():
            rest = [p for p in earlier if not (q.rollback and not p.rollback and p.stage is q.stage)]
            if rest:
                out[q] = rest
        return out
