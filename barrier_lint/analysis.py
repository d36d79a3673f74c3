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

from bisect import bisect_left
from collections import defaultdict
from functools import cached_property

from .model import BarrierPosition, Document, Pipeline, Stage
from .records import field, record

# The step lists that hold a stage's rollback flow: v0's `rollbackSteps`, v1's `rollback`.
ROLLBACK_LISTS = frozenset({"rollbackSteps", "rollback"})


def _dependencies(pipeline: Pipeline) -> dict[str, tuple[str, ...]]:
    """identifier -> the identifiers its `dependsOn` names (DAG stages only)."""
    return {
        s.identifier.value: s.depends_on
        for s in pipeline.stages
        if s.depends_on is not None and s.identifier is not None
    }


def dependency_cycles(pipeline: Pipeline) -> list[set[str]]:
    """The groups of stage identifiers whose `dependsOn` reach each other in a cycle (a stage that depends
    on itself is a group of one). An entry that names no stage is ignored."""
    deps = _dependencies(pipeline)
    named = {s.identifier.value for s in pipeline.stages if s.identifier is not None}
    graph = {stage: [d for d in targets if d in named] for stage, targets in deps.items()}
    groups = _strongly_connected(graph)
    grouped = set().union(*groups) if groups else set()
    groups += [{stage} for stage, targets in graph.items() if stage in targets and stage not in grouped]
    return groups


def _dag_ancestors(pipeline: Pipeline) -> dict[str, set[str]]:
    """identifier -> every stage identifier it transitively depends on (DAG stages only).

    Stages of one `dependsOn` cycle (BL209) are not ancestors of each other, nor a stage of itself: none of
    them can finish before another starts, so none is "before" another, and no position is ever sequential
    with itself."""
    deps = _dependencies(pipeline)
    cycle_of = {stage: group for group in dependency_cycles(pipeline) for stage in group}
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
        ancestors[start] = seen - cycle_of.get(start, set()) - {start}
    return ancestors


def in_dag(stage: Stage | None) -> bool:
    """Whether the stage runs as a DAG node: ordered by its `dependsOn` alone, not by where it is written."""
    return stage is not None and stage.depends_on is not None and stage.identifier is not None


def branch_sort_key(key: str, start: tuple[int, int]) -> tuple:
    """How branches under different mapping keys (a stage's provisioner steps, its execution steps, its
    rollback steps) follow each other: one after the other, rollback steps last, otherwise in document
    order (`start` is where the branch's first element is written)."""
    return (key in ROLLBACK_LISTS, start)


def _dag_stage(position: BarrierPosition) -> Stage | None:
    return position.stage if in_dag(position.stage) else None


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


@record(slots=True)
class _Node:
    children: dict = field(default_factory=dict)  # ("key", name) or ("index", i) -> _Node
    list_name: str | None = None  # set on the node whose children are list indices
    positions: list[BarrierPosition] = field(default_factory=list)  # positions ending here


class Ordering:
    """The "must finish before" facts of one document's literal references, from one sweep over a trie of
    their paths.

    - `earlier_same_ref[q]`: positions with q's reference that must finish before q starts (for each
      level of the tree where they diverge, the first such position).
    - `edges[(X, Y)] = (p, q)`: X at p must be passed before Y at q. Only edges between consecutive
      branches are kept (plus every edge that involves a DAG stage), so the graph stays linear in size
      while which reference can reach which is the same as under the full relation.
    """

    def __init__(self, pipeline: Pipeline, exclude: frozenset[str] = frozenset()) -> None:
        self.pipeline = pipeline
        self.ancestors = _dag_ancestors(pipeline)
        self.earlier_same_ref: dict[BarrierPosition, list[BarrierPosition]] = defaultdict(list)
        self.edges: dict[tuple[str, str], tuple[BarrierPosition, BarrierPosition]] = {}
        self.positions = [p for p in pipeline.positions if p.literal is not None and p.literal not in exclude]
        root = _Node()
        for position in self.positions:
            node = root
            for name, index in position.path:
                # (a node made only when missing: `setdefault` would make one for every segment of every path)
                node = node.children.get(("key", name)) or node.children.setdefault(("key", name), _Node())
                if index is not None:
                    node.list_name = name
                    node = node.children.get(("index", index)) or node.children.setdefault(("index", index), _Node())
            node.positions.append(position)
        self._sweep(root)
        self._dag_pairs()

    def order(self, p: BarrierPosition, q: BarrierPosition) -> int:
        return order(p, q, self.ancestors)

    def _sweep(self, node: _Node) -> _Summary:
        # A node with no position of its own and one child has that child's summary: paths are long (a
        # step spliced from three nested templates is some twenty segments deep), branches are few.
        while not node.positions and len(node.children) == 1:
            (node,) = node.children.values()
        summary = _Summary()
        for position in node.positions:
            summary.add(position)
        concurrent = node.list_name == "parallel"
        previous: _Summary | None = None
        for child in self._ordered_children(node):
            child_summary = self._sweep(child)
            if not concurrent and previous is not None:
                self._after(summary, previous, child_summary)
            summary.merge(child_summary)
            previous = child_summary
        return summary

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

            children.sort(key=lambda item: branch_sort_key(item[0][1], first(item[1])))
        return [child for _, child in children]

    def _after(self, earlier: _Summary, previous: _Summary, later: _Summary) -> None:
        """Everything in `earlier` (the branches before, `previous` the last of them) must finish before
        `later` starts, except between two different DAG stages, which `_dag_pairs` decides."""
        one_stage = earlier.stage is not _MIXED and earlier.stage is later.stage
        for ref_q, later_positions in later.refs.items():
            for q in later_positions:
                dag_q = None if one_stage else _dag_stage(q)
                same = earlier.refs.get(ref_q)
                if same:
                    p = next((p for p in same if dag_q is None or _dag_stage(p) in (None, dag_q)), None)
                    if p is not None and p not in self.earlier_same_ref[q]:
                        self.earlier_same_ref[q].append(p)
                if dag_q is None:
                    # Reachability through the branches in between is kept by their own edges; DAG
                    # positions break such chains, so their edges are kept whole.
                    sources = [*((r, ps[0]) for r, ps in previous.refs.items()), *earlier.first_dag.items()]
                else:
                    sources = list(earlier.first_plain.items())
                for ref_p, p in sources:
                    if ref_p != ref_q:
                        self.edges.setdefault((ref_p, ref_q), (p, q))

    def _dag_pairs(self) -> None:
        by_stage: dict[str, list[BarrierPosition]] = defaultdict(list)
        for position in self.positions:
            stage = _dag_stage(position)
            if stage is not None:
                by_stage[stage.identifier.value].append(position)  # type: ignore[union-attr]
        for later_stage, later_positions in by_stage.items():
            for earlier_stage in sorted(self.ancestors.get(later_stage, ())):
                for p in by_stage.get(earlier_stage, ()):
                    for q in later_positions:
                        if p.literal == q.literal:
                            if p not in self.earlier_same_ref[q]:
                                self.earlier_same_ref[q].append(p)
                        else:
                            self.edges.setdefault((p.literal, q.literal), (p, q))  # type: ignore[arg-type]

    def cycles(self) -> list[list[tuple[BarrierPosition, BarrierPosition]]]:
        """Crossed orders: for each group of references that reach each other in a cycle, the shortest
        cycle as its (p, q) witnesses, each saying "p's reference is passed before q's at q".

        The answer is defined over the full relation (`pairwise_cycle`: every pair of positions of the
        group compared); `_CycleSearch` finds the same cycle and witnesses in O(n log n) from intervals of
        the path trie. A group holding positions of two or more DAG stages (ordered by `dependsOn`, not by
        their paths) is searched pairwise."""
        graph: dict[str, list[str]] = defaultdict(list)
        for x, y in sorted(self.edges):
            graph[x].append(y)
        components = _strongly_connected(graph)
        if not components:
            return []
        literals = [(p, p.literal) for p in self.positions]
        search = _CycleSearch(literals, self.ancestors)
        found = []
        for members in components:
            positions = [(p, x) for p, x in literals if x in members]
            dag = {_dag_stage(p).identifier.value for p, _ in positions if _dag_stage(p) is not None}  # type: ignore[union-attr]
            if len(dag) > 1:
                found.append(pairwise_cycle(positions, members, self.ancestors))
            else:
                found.append(search.cycle(positions, members))
        return found


def pairwise_cycle(positions, members, ancestors) -> list[tuple[BarrierPosition, BarrierPosition]]:
    """The definition of BL205's witnesses, by comparing every pair of a group's positions (`positions`:
    (position, literal) in document order): the witness of an edge x -> y is the first position q of y
    (in document order) that some position of x must finish before, with the first such p; the cycle is
    the shortest through the smallest member, by breadth-first search with children in sorted order."""
    witnesses: dict[tuple[str, str], tuple[BarrierPosition, BarrierPosition]] = {}
    for q, y in positions:
        for p, x in positions:
            if x != y and (x, y) not in witnesses and order(p, q, ancestors) == -1:
                witnesses[(x, y)] = (p, q)
    full: dict[str, list[str]] = defaultdict(list)
    for x, y in sorted(witnesses):
        full[x].append(y)
    cycle = _shortest_cycle(full, members)
    return [witnesses[(cycle[i], cycle[(i + 1) % len(cycle)])] for i in range(len(cycle))]


@record(slots=True, eq=False)
class _Trie:
    children: dict = field(default_factory=dict)  # (name, index) -> _Trie
    ending: list = field(default_factory=list)  # positions whose path ends here
    mid: int = 0  # its children's slots in depth-first order: [mid, hi) (its own positions' just before)
    hi: int = 0
    groups: dict = field(default_factory=dict)  # name -> (lo, hi) of the children under that key


class _CycleSearch:
    """`pairwise_cycle`'s answer without comparing pairs.

    The positions are laid out depth-first over the trie of their paths (at each node, the positions
    ending there first, then the children grouped by key, each key's list entries by index). Under
    `order` (paths only, as outside DAG stages), the positions q that p must finish before are then, at
    each node on p's path: the later entries of the same sequential list (one slot range), and the
    positions under other keys with a greater (rollback, start) than p's (two slot ranges filtered by
    that rank); plus every position below p's own node. A max-tree over the slots enumerates the
    positions of such ranges above a rank and removes them, so a breadth-first search that removes each
    reference once it is reached costs O(n log n) for n positions."""

    def __init__(self, literals, ancestors) -> None:
        self.ancestors = ancestors
        keys = sorted({(p.rollback, p.span.start_line, p.span.start_col) for p, _ in literals})
        rank_of = {key: i for i, key in enumerate(keys)}
        self.rank = {p: rank_of[(p.rollback, p.span.start_line, p.span.start_col)] for p, _ in literals}
        root = _Trie()
        for p, _ in literals:
            node = root
            for segment in p.path:
                node = node.children.get(segment) or node.children.setdefault(segment, _Trie())
            node.ending.append(p)
        self.slot: dict[BarrierPosition, int] = {}
        self._lay_out(root, 0)
        self.ranges = {p: self._ranges(root, p) for p, _ in literals}

    def _lay_out(self, node: _Trie, at: int) -> int:
        for p in node.ending:
            self.slot[p] = at
            at += 1
        node.mid = at
        for segment in sorted(node.children, key=lambda s: (s[0], s[1] is not None, s[1] or 0)):
            start = node.groups.get(segment[0], (at, at))[0]
            at = self._lay_out(node.children[segment], at)
            node.groups[segment[0]] = (start, at)
        node.hi = at
        return at

    def _ranges(self, root: _Trie, p: BarrierPosition) -> list[tuple[int, int, int]]:
        """(lo, hi, rank): the slots in [lo, hi) whose rank is above `rank` hold positions p must finish
        before starting."""
        out = []
        node, rank = root, self.rank[p]
        for name, index in p.path:
            child = node.children[(name, index)]
            group_lo, group_hi = node.groups[name]
            out += [(node.mid, group_lo, rank), (group_hi, node.hi, rank)]
            if name != "parallel" and index is not None:
                out.append((child.hi, group_hi, -1))
            node = child
        out.append((node.mid, node.hi, -1))
        return [r for r in out if r[0] < r[1]]

    def cycle(self, positions, members) -> list[tuple[BarrierPosition, BarrierPosition]]:
        by_ref: dict[str, list[BarrierPosition]] = defaultdict(list)
        for p, x in positions:
            by_ref[x].append(p)
        start = min(members)
        into_start = self._slots(by_ref[start])
        before_start = {x for x, ps in by_ref.items() if x != start and any(into_start.any_after(self, p) for p in ps)}
        rest = self._slots([p for p, x in positions if x != start])
        ref_at = {self.slot[p]: x for p, x in positions}
        parents: dict[str, str] = {}
        queue, head = [start], 0
        while True:  # a strongly connected group has a cycle through each member
            x = queue[head]
            head += 1
            if x in before_start:
                break
            reached = {ref_at[s] for p in by_ref[x] for s in rest.take_after(self, p)}
            for y in sorted(reached):
                parents[y] = x
                queue.append(y)
                rest.remove(self.slot[q] for q in by_ref[y])
        path = [x]
        while path[-1] != start:
            path.append(parents[path[-1]])
        path.reverse()
        return [self._witness(by_ref[path[i]], by_ref[path[(i + 1) % len(path)]]) for i in range(len(path))]

    def _witness(self, earlier: list[BarrierPosition], later: list[BarrierPosition]):
        slots = self._slots(later)
        index = {p: i for i, p in enumerate(later)}
        slot_to = {self.slot[q]: q for q in later}
        q = min((slot_to[s] for p in earlier for s in slots.take_after(self, p)), key=index.__getitem__)
        return next(p for p in earlier if order(p, q, self.ancestors) == -1), q

    def _slots(self, positions) -> _Remaining:
        ordered = sorted(positions, key=self.slot.__getitem__)
        return _Remaining([self.slot[p] for p in ordered], [self.rank[p] for p in ordered])


class _Remaining:
    """Positions (by slot, sorted) with ranks, in a max-tree: enumerate and remove those of a slot range
    above a rank in O((k + 1) log n)."""

    def __init__(self, slots: list[int], ranks: list[int]) -> None:
        self.slots = slots
        size = 1
        while size < len(slots):
            size *= 2
        self.size = size
        tree = [-1] * (2 * size)
        tree[size : size + len(ranks)] = ranks
        for i in range(size - 1, 0, -1):
            tree[i] = max(tree[2 * i], tree[2 * i + 1])
        self.tree = tree

    def _bounds(self, lo: int, hi: int) -> tuple[int, int]:
        return bisect_left(self.slots, lo), bisect_left(self.slots, hi)

    def _find(self, lo: int, hi: int, above: int, first: bool) -> list[int]:
        tree, size, out = self.tree, self.size, []
        stack = [(1, 0, size)]
        while stack:
            node, nlo, nhi = stack.pop()
            if nhi <= lo or nlo >= hi or tree[node] <= above:
                continue
            if node >= size:
                out.append(node - size)
                if first:
                    break
                continue
            half = (nlo + nhi) // 2
            stack += [(2 * node + 1, half, nhi), (2 * node, nlo, half)]
        return out

    def any_after(self, search: _CycleSearch, p: BarrierPosition) -> bool:
        return any(self._find(*self._bounds(lo, hi), rank, True) for lo, hi, rank in search.ranges[p])

    def take_after(self, search: _CycleSearch, p: BarrierPosition) -> list[int]:
        """The slots of the remaining positions that p must finish before; they are removed."""
        out = []
        for lo, hi, rank in search.ranges[p]:
            found = self._find(*self._bounds(lo, hi), rank, False)
            self._clear(found)
            out += [self.slots[i] for i in found]
        return out

    def remove(self, slots) -> None:
        self._clear([i for i in (bisect_left(self.slots, s) for s in slots) if self.tree[self.size + i] >= 0])

    def _clear(self, indices: list[int]) -> None:
        tree = self.tree
        for i in indices:
            node = self.size + i
            tree[node] = -1
            node //= 2
            while node and tree[node] != max(tree[2 * node], tree[2 * node + 1]):
                tree[node] = max(tree[2 * node], tree[2 * node + 1])
                node //= 2


_MIXED = object()


@record(slots=True)
class _Summary:
    """The literal positions of a subtree, as the sweep needs them."""

    refs: dict[str, list[BarrierPosition]] = field(default_factory=lambda: defaultdict(list))
    first_plain: dict[str, BarrierPosition] = field(default_factory=dict)  # first position not in a DAG stage
    first_dag: dict[str, BarrierPosition] = field(default_factory=dict)  # first position in a DAG stage
    stage: object = None  # the one stage every position is in, or _MIXED
    empty: bool = True

    def add(self, position: BarrierPosition) -> None:
        self.refs[position.literal].append(position)  # type: ignore[index]
        target = self.first_dag if _dag_stage(position) is not None else self.first_plain
        target.setdefault(position.literal, position)  # type: ignore[arg-type]
        self._see_stage(position.stage)

    def merge(self, other: _Summary) -> None:
        if other.empty:
            return
        for ref, positions in other.refs.items():
            self.refs[ref].extend(positions)
        for ref, position in other.first_plain.items():
            self.first_plain.setdefault(ref, position)
        for ref, position in other.first_dag.items():
            self.first_dag.setdefault(ref, position)
        self._see_stage(other.stage)

    def _see_stage(self, stage: object) -> None:
        if self.empty:
            self.stage, self.empty = stage, False
        elif stage is not self.stage:
            self.stage = _MIXED


def _strongly_connected(graph: dict[str, list[str]]) -> list[set[str]]:
    """Components of two or more nodes (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(graph.get(root, ())))]
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, ()))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return components


def _shortest_cycle(graph: dict[str, list[str]], members: set[str]) -> list[str]:
    """The shortest cycle through the smallest member, by breadth-first search inside the component."""
    start = min(members)
    path = shortest_path(graph, members, start, start)
    return path[:-1] if path else sorted(members)  # (a strongly connected component has a cycle through each)


def shortest_path(graph: dict[str, list[str]], members: set[str], source: str, target: str) -> list[str] | None:
    """The shortest path of one edge or more from `source` to `target` through `members` (children in
    sorted order, so the answer is stable), `source` and `target` included; None when there is none."""
    parents: dict[str, str] = {}
    seen = {source}
    frontier = [source]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph.get(node, ())):
                if child not in members:
                    continue
                if child == target:
                    path = [target, node]
                    while path[-1] != source:
                        path.append(parents[path[-1]])
                    return list(reversed(path))
                if child not in seen:
                    seen.add(child)
                    parents[child] = node
                    following.append(child)
        frontier = following
    return None


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
        return any(
            p.ref is not None and p.ref.value and p.literal is None and not p.joins_parent for p in self.pipeline.positions
        )

    @cached_property
    def participants_unknown(self) -> bool:
        """Whether some participants may be invisible here: non-literal references, templates whose bodies
        are not resolved, or child pipelines that may use this pipeline's barriers."""
        pipeline = self.pipeline
        return self.has_non_literal_refs or pipeline.unresolved_templates or pipeline.unresolved_chains

    def participants(self, ref: str) -> int:
        return sum(p.multiplicity for p in self.by_ref.get(ref, ()))

    @cached_property
    def ordering(self) -> Ordering:
        return Ordering(self.pipeline)

    @cached_property
    def crossed_cycles(self) -> list[list[tuple[BarrierPosition, BarrierPosition]]]:
        """Cycles of references reached in conflicting orders (BL205), leaving out references already
        reported as sequential or rollback reuse."""
        exclude = frozenset(p.literal for p in self.sequential_pairs) | frozenset(p.literal for p in self.rollback_pairs)
        # Leaving references out changes which chains connect the others, so that needs its own sweep.
        return (Ordering(self.pipeline, exclude) if exclude else self.ordering).cycles()

    @cached_property
    def positions_in(self) -> dict[int, list[BarrierPosition]]:
        """id(stage or step group) -> the Barrier steps inside it, at any depth."""
        out: dict[int, list[BarrierPosition]] = defaultdict(list)
        for position in self.pipeline.positions:
            if position.stage is not None:
                out[id(position.stage)].append(position)
            for group in position.groups:
                out[id(group)].append(position)
        return out

    @cached_property
    def same_scope_first(self) -> dict[BarrierPosition, BarrierPosition]:
        """Later position -> the first earlier position (document order) with its reference in the same
        nearest stage or step group (BL201), leaving out the normal-flow/rollback pairs that BL204 reports.

        One pass: per reference and scope, the first position of each (stage, flow) and of the first two
        stages met, so a scope with many uses of one reference costs no comparison per pair."""
        out: dict[BarrierPosition, BarrierPosition] = {}
        for positions in self.by_ref.values():
            seen: dict[int, tuple[dict, list]] = {}  # id(scope) -> ({(id(stage), rollback): first}, firsts of two stages)
            for i, q in enumerate(positions):
                by_flow, stages = seen.setdefault(id(q.scope), ({}, []))
                # Not a rollback pair: the same stage and flow, or another stage.
                candidates = [by_flow.get((id(q.stage), q.rollback)), next((e for e in stages if e[1].stage is not q.stage), None)]
                found = [e for e in candidates if e is not None]
                if found:
                    out[q] = min(found, key=lambda e: e[0])[1]
                by_flow.setdefault((id(q.stage), q.rollback), (i, q))
                if len(stages) < 2 and all(e[1].stage is not q.stage for e in stages):
                    stages.append((i, q))
        return out

    @cached_property
    def rollback_pairs(self) -> dict[BarrierPosition, list[BarrierPosition]]:
        """Rollback position -> normal-flow positions of the same stage with its reference (BL204)."""
        out: dict[BarrierPosition, list[BarrierPosition]] = {}
        for q, earlier in self.ordering.earlier_same_ref.items():
            if q.rollback:
                normal = [p for p in earlier if rollback_pair(p, q)]
                if normal:
                    out[q] = normal
        return out

    @cached_property
    def sequential_pairs(self) -> dict[BarrierPosition, list[BarrierPosition]]:
        """Later position -> earlier positions with its reference that must finish first (BL203), without
        the pairs BL201 (same scope) and BL204 (normal flow and rollback) report: one mistake, one finding."""
        out: dict[BarrierPosition, list[BarrierPosition]] = {}
        for q, earlier in self.ordering.earlier_same_ref.items():
            rest = [p for p in earlier if p.scope is not q.scope and not rollback_pair(p, q)]
            if rest:
                out[q] = rest
        return out


def rollback_pair(p: BarrierPosition, q: BarrierPosition) -> bool:
    """Whether one of two positions is in the normal flow and the other in the rollback steps of one stage."""
    return p.stage is q.stage and p.rollback != q.rollback
