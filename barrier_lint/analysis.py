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

`Ordering` computes the same relation for a whole document in one sweep over a trie of the paths and
one condensed `dependsOn` graph (`_StageDag`), so that large pipelines do not cost a comparison per pair
of positions, nor a list of ancestors per stage.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property

from .model import BarrierPosition, Document, Path, Pipeline, Stage
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
    """identifier -> every stage identifier it transitively depends on (DAG stages only). The definition,
    kept for the tests: its size is quadratic on a long chain, so the rules ask `_StageDag` instead.

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


class _StageDag:
    """The `dependsOn` graph condensed: the stages of one cycle (BL209) are one node, every other DAG stage
    (and every other name a `dependsOn` entry gives) a node of its own, and an edge runs from each node to
    the nodes that depend on it. Stage a is a `dependsOn` ancestor of stage b (`_dag_ancestors`) exactly
    when b's node is reached from a's by one edge or more; nothing here is kept per pair of stages."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.stages = _dependencies(pipeline)  # DAG stage identifier -> the names its dependsOn gives
        self.node: dict[str, int] = {}
        self.members: list[list[str]] = []  # node -> its stage identifiers
        self.later: list[list[int]] = []  # node -> the nodes that depend on it
        self.earlier: list[list[int]] = []  # node -> the nodes it depends on
        self.rank: list[int] = []  # node -> its place in a topological order
        for group in _strongly_connected({name: list(targets) for name, targets in self.stages.items()}):
            self._add(sorted(group))
        edges = set()
        for name, targets in self.stages.items():
            node = self.node_of(name)
            edges.update((self.node_of(target), node) for target in targets)
        for source, target in sorted(edges):
            if source != target:
                self.later[source].append(target)
                self.earlier[target].append(source)
        # Kahn's algorithm: every node after the nodes it depends on.
        waiting = [len(nodes) for nodes in self.earlier]
        ordered = [node for node, count in enumerate(waiting) if not count]
        for node in ordered:
            for each in self.later[node]:
                waiting[each] -= 1
                if not waiting[each]:
                    ordered.append(each)
        for i, node in enumerate(ordered):
            self.rank[node] = i
        self._above: dict[int, set[int]] = {}

    def _add(self, names: list[str]) -> int:
        node = len(self.members)
        for name in names:
            self.node[name] = node
        self.members.append(names)
        self.later.append([])
        self.earlier.append([])
        self.rank.append(node)
        return node

    def node_of(self, name: str) -> int:
        """The node of a stage identifier (a node of its own, with no edge, for a name no stage gives)."""
        node = self.node.get(name)
        return self._add([name]) if node is None else node

    def above(self, node: int) -> set[int]:
        """The nodes that reach `node` by one edge or more (its stages' ancestors), kept for the nodes asked about."""
        found = self._above.get(node)
        if found is None:
            found = self._above[node] = self.reaching([node], -1)
        return found

    def reaching(self, nodes, floor: int) -> set[int]:
        """The nodes of topological rank `floor` or more that reach one of `nodes` by one edge or more
        (visiting only those: a path between two nodes never leaves the ranks between them)."""
        found: set[int] = set()
        stack = [each for node in nodes for each in self.earlier[node] if self.rank[each] >= floor]
        while stack:
            node = stack.pop()
            if node not in found:
                found.add(node)
                stack.extend(each for each in self.earlier[node] if self.rank[each] >= floor and each not in found)
        return found

    def earliest_above(self, first: dict[int, int]) -> dict[int, int]:
        """`first`: node -> the least index of something held there. For every node that a node of `first`
        reaches by one edge or more: the least index held at the nodes that reach it. Only the nodes up to
        the last of `first` in topological order are visited, each once."""
        last = max(self.rank[node] for node in first)
        region: set[int] = set()
        stack = [each for node in first for each in self.later[node] if self.rank[each] <= last]
        while stack:
            node = stack.pop()
            if node not in region:
                region.add(node)
                stack.extend(each for each in self.later[node] if self.rank[each] <= last and each not in region)
        least: dict[int, int] = {}
        for node in sorted(region, key=self.rank.__getitem__):
            found = [v for each in self.earlier[node] for v in (least.get(each), first.get(each)) if v is not None]
            least[node] = min(found)  # (a node of the region has an earlier one in it or in `first`)
        return least


class _Ancestors:
    """`_dag_ancestors(pipeline)` as a lookup (`ancestors.get(identifier, ())`), each stage's set made when
    it is first asked for: the whole mapping is quadratic in size on a long chain of stages."""

    def __init__(self, dag: _StageDag) -> None:
        self.dag = dag
        self._sets: dict[str, set[str]] = {}

    def get(self, name: str, default=()):
        if name not in self.dag.stages:
            return default
        found = self._sets.get(name)
        if found is None:
            dag = self.dag
            found = self._sets[name] = {each for node in dag.above(dag.node[name]) for each in dag.members[node]}
        return found


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
    """A node of the trie of the positions' paths, its chains compressed (`_grow`)."""

    children: dict = field(default_factory=dict)  # a key name (str) or a list index (int) -> _Node
    list_name: str | None = None  # set on the node whose children are list indices
    positions: list[BarrierPosition] = field(default_factory=list)  # positions ending here


def _segments(path: Path) -> list:
    """A path as the trie walks it: each key's name, then the index taken in its list, when it holds one."""
    out: list = []
    for name, index in path:
        out.append(name)
        if index is not None:
            out.append(index)
    return out


def _grow(items: list[tuple[BarrierPosition, list]], depth: int) -> _Node:
    """The trie node of `items` (positions and their `_segments`, all sharing the first `depth`), with
    what the sweep would collapse left out: a chain of nodes with one child and no position of their own
    is its last node, and a branch holding one position is a leaf. Paths are long (a step spliced from
    three nested templates is some twenty segments deep) and branch rarely: a node per segment made the
    trie cost most of the ordering."""
    node = _Node()
    if len(items) <= 1:
        node.positions.extend(item[0] for item in items)
        return node
    first = items[0][1]
    while depth < len(first) and all(len(s) > depth and s[depth] == first[depth] for _, s in items):
        depth += 1
    groups: dict = {}
    for item in items:
        segments = item[1]
        if len(segments) == depth:
            node.positions.append(item[0])
        else:
            groups.setdefault(segments[depth], []).append(item)
    if any(type(key) is int for key in groups):
        node.list_name = first[depth - 1]
    for key, group in groups.items():
        node.children[key] = _grow(group, depth + 1)
    return node


class Ordering:
    """The "must finish before" facts of one document's literal references, from one sweep over a trie of
    their paths and the condensed `dependsOn` graph (`_StageDag`).

    - `earlier_same_ref[q]`: positions with q's reference that must finish before q starts: for each level
      of the tree where they diverge, the first such position; and, when q is in a DAG stage, the first
      position (document order) in the stages it depends on, transitively.
    - `links`: which reference must be passed before which other one, as a graph whose other nodes are
      not references, linear in size: between consecutive branches, a sequence node that every reference
      of the branch before reaches and that reaches every reference of the branch after ("X before Y"
      for every pair would be quadratic: two stages of a thousand barriers each, a million); across
      branches, two gate nodes per boundary for the positions in and outside DAG stages (`_gates`);
      between DAG stages, the `dependsOn` graph (`_dag_links`). Which reference reaches which other one
      is exactly what it is under the full relation. (A reference that reaches itself through them, one
      used in two branches one after the other, is BL203's, never a cycle of BL205.)
    """

    def __init__(self, pipeline: Pipeline, exclude: frozenset[str] = frozenset(), dag: _StageDag | None = None) -> None:
        self.pipeline = pipeline
        self.dag = dag if dag is not None else _StageDag(pipeline)
        self.ancestors = _Ancestors(self.dag)
        self._earlier: dict[BarrierPosition, list[BarrierPosition]] = defaultdict(list)
        self.positions = [p for p in pipeline.positions if p.literal is not None and p.literal not in exclude]
        # position -> the identifier of its DAG stage (absent for the positions outside DAG stages)
        self.stage_name = {p: s.identifier.value for p in self.positions if (s := _dag_stage(p)) is not None}  # type: ignore[union-attr]
        self._seq: dict[BarrierPosition, int] = {}  # the sweep's order of the positions
        root = _grow([(p, _segments(p.path)) for p in self.positions], 0)
        self.links: list[tuple] = []
        self._boundaries = 0
        self._sweep(root)
        self.links += self._dag_links()

    def order(self, p: BarrierPosition, q: BarrierPosition) -> int:
        return order(p, q, self.ancestors)

    def _sweep(self, node: _Node) -> _Summary:
        # A node with no position of its own and one child has that child's summary: paths are long (a
        # step spliced from three nested templates is some twenty segments deep), branches are few.
        while not node.positions and len(node.children) == 1:
            (node,) = node.children.values()
        summary = _Summary()
        for position in node.positions:
            self._seq.setdefault(position, len(self._seq))
            summary.add(position)
        concurrent = node.list_name == "parallel"
        previous: _Summary | None = None
        gates: tuple | None = None
        for child in self._ordered_children(node):
            child_summary = self._sweep(child)
            if not concurrent and previous is not None:
                if self.stage_name:
                    gates = self._gates(summary if gates is None else previous, gates)
                self._after(summary, previous, child_summary, gates)
            summary.merge(child_summary)
            previous = child_summary
        return summary

    def _gates(self, fresh: _Summary, before: tuple | None) -> tuple:
        """The two nodes of a boundary between branches: ("plain", k) is reached by every reference with a
        position outside DAG stages in the branches before it, ("dag", k) by every one with a position in
        a DAG stage; each is reached from the same node of the boundary before (`fresh`: what joined the
        branches since then)."""
        self._boundaries += 1
        plain, dag = ("plain", self._boundaries), ("dag", self._boundaries)
        if before is not None:
            self.links += [(before[0], plain), (before[1], dag)]
        self.links += [(ref, plain) for ref in fresh.first_plain] + [(ref, dag) for ref in fresh.first_dag]
        return plain, dag

    def _ordered_children(self, node: _Node) -> list[_Node]:
        children = list(node.children.items())
        if node.list_name is not None:
            children.sort(key=lambda item: item[0])  # by index
        else:
            # Different keys run one after the other: rollback steps last, otherwise in document order.
            def first(n: _Node) -> tuple:
                while not n.positions:
                    n = next(iter(n.children.values()))
                pos = n.positions[0]
                return (pos.span.start_line, pos.span.start_col)

            children.sort(key=lambda item: branch_sort_key(item[0], first(item[1])))
        return [child for _, child in children]

    def _after(self, earlier: _Summary, previous: _Summary, later: _Summary, gates: tuple | None) -> None:
        """Everything in `earlier` (the branches before, `previous` the last of them) must finish before
        `later` starts, except between two different DAG stages, which the `dependsOn` graph decides.

        Reachability through the branches in between is kept by their own links (from `previous` only,
        through one sequence node), but DAG positions break such chains: a position in a DAG stage reaches
        the later ones outside DAG stages, and one outside DAG stages the later ones in DAG stages, through
        the boundary's `gates` (one link per reference, where an edge from every earlier reference would be
        quadratic)."""
        one_stage = earlier.stage is not _MIXED and earlier.stage is later.stage
        gated: set[tuple] = set()
        sequenced: dict[str, None] = {}  # the references of `later` that `previous` is passed before
        for ref_q, later_positions in later.refs.items():
            for q in later_positions:
                dag_q = None if one_stage else _dag_stage(q)
                if ref_q in earlier.refs:
                    if dag_q is None:
                        p = earlier.refs[ref_q][0]
                    else:  # the first that is outside DAG stages or in q's own stage
                        found = [earlier.first_plain.get(ref_q), earlier.first_in_stage.get((ref_q, id(dag_q)))]
                        p = min((p for p in found if p is not None), key=self._seq.__getitem__, default=None)
                    if p is not None and p not in self._earlier[q]:
                        self._earlier[q].append(p)
                if dag_q is None:
                    sequenced[ref_q] = None
                if gates is not None:
                    gated.add((gates[1] if dag_q is None else gates[0], ref_q))
        if sequenced and previous.refs:
            self._boundaries += 1
            node = ("sequence", self._boundaries)
            self.links += [(ref_p, node) for ref_p in previous.refs]
            self.links += [(node, ref_q) for ref_q in sequenced]
        self.links += sorted(gated)

    @cached_property
    def earlier_same_ref(self) -> dict[BarrierPosition, list[BarrierPosition]]:
        """The sweep's earlier positions, then for each position in a DAG stage the first position with its
        reference (document order) in a stage it depends on, found per reference over the `dependsOn`
        graph (`_StageDag.earliest_above`) without listing every stage's ancestors."""
        earlier = self._earlier
        dag = self.dag
        held: dict[str, list[tuple[int, BarrierPosition, int]]] = defaultdict(list)
        for i, p in enumerate(self.positions):
            name = self.stage_name.get(p)
            if name is not None:
                held[p.literal].append((i, p, dag.node_of(name)))  # type: ignore[index]
        for entries in held.values():
            first: dict[int, int] = {}
            for i, _, node in entries:
                first.setdefault(node, i)
            if len(first) < 2:
                continue
            least = dag.earliest_above(first)
            for _, q, node in entries:
                if node in least:
                    earlier[q].append(self.positions[least[node]])
        return earlier

    def _dag_links(self) -> list[tuple]:
        """The edges that stand for "X in a DAG stage before Y in a stage depending on it": X to
        ("out", node), ("out", node) to ("in", each later node), ("in", node) to its references and on to
        ("out", node)."""
        held: dict[tuple[str, int], None] = {}
        for p, name in self.stage_name.items():
            held.setdefault((p.literal, self.dag.node_of(name)), None)  # type: ignore[arg-type]
        if not held:
            return []
        links: list[tuple] = []
        for ref, node in held:
            links += [(ref, ("out", node)), (("in", node), ref)]
        for node, later in enumerate(self.dag.later):
            links.append((("in", node), ("out", node)))
            links += [(("out", node), ("in", each)) for each in later]
        return links

    def cycles(self) -> list[list[tuple[BarrierPosition, BarrierPosition]]]:
        """Crossed orders: for each group of references that reach each other in a cycle, the shortest
        cycle as its (p, q) witnesses, each saying "p's reference is passed before q's at q".

        The answer is defined over the full relation (`pairwise_cycle`: every pair of positions of the
        group compared); `_CycleSearch` finds the same cycle and witnesses in O(n log n) from intervals of
        the path trie and, between DAG stages, a search of the `dependsOn` graph."""
        graph: dict = defaultdict(list)
        for a, b in self.links:
            graph[a].append(b)
        components = [
            members
            for members in ({node for node in component if isinstance(node, str)} for component in _strongly_connected(graph))
            if len(members) > 1
        ]
        if not components:
            return []
        group_of = {ref: i for i, members in enumerate(components) for ref in members}
        grouped: list[list[tuple[BarrierPosition, str]]] = [[] for _ in components]
        literals = []
        for p in self.positions:
            literals.append((p, p.literal))
            i = group_of.get(p.literal)  # type: ignore[arg-type]
            if i is not None:
                grouped[i].append((p, p.literal))
        from .crossings import _CycleSearch  # only a pipeline with a cycle of references needs the search

        search = _CycleSearch(literals, self.dag, self.stage_name)
        return [search.cycle(positions, members) for positions, members in zip(grouped, components)]


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


_MIXED = object()


@record(slots=True)
class _Summary:
    """The literal positions of a subtree, as the sweep needs them."""

    refs: dict[str, list[BarrierPosition]] = field(default_factory=lambda: defaultdict(list))
    first_plain: dict[str, BarrierPosition] = field(default_factory=dict)  # first position not in a DAG stage
    first_dag: dict[str, BarrierPosition] = field(default_factory=dict)  # first position in a DAG stage
    first_in_stage: dict[tuple[str, int], BarrierPosition] = field(default_factory=dict)  # (ref, id(DAG stage)) -> first
    stage: object = None  # the one stage every position is in, or _MIXED
    empty: bool = True

    def add(self, position: BarrierPosition) -> None:
        self.refs[position.literal].append(position)  # type: ignore[index]
        dag_stage = _dag_stage(position)
        target = self.first_dag if dag_stage is not None else self.first_plain
        target.setdefault(position.literal, position)  # type: ignore[arg-type]
        if dag_stage is not None:
            self.first_in_stage.setdefault((position.literal, id(dag_stage)), position)  # type: ignore[arg-type]
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
        for key, position in other.first_in_stage.items():
            self.first_in_stage.setdefault(key, position)
        self._see_stage(other.stage)

    def _see_stage(self, stage: object) -> None:
        if self.empty:
            self.stage, self.empty = stage, False
        elif stage is not self.stage:
            self.stage = _MIXED


def _node_key(node) -> tuple:
    """References (strings) first, in order, then the `dependsOn` graph's nodes (tuples)."""
    return (1, node) if isinstance(node, tuple) else (0, node)


def _strongly_connected(graph: dict) -> list[set]:
    """Components of two or more nodes (iterative Tarjan), roots taken in `_node_key` order."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    counter = 0
    for root in sorted(graph, key=_node_key):
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


# At most this many positions of one reference are compared pair by pair (`Facts.unordered`); more go to
# the sweep, which is linear.
PAIRWISE = 8


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
    def unordered(self) -> bool:
        """Whether it is plain without the sweep that no position must finish before another with its
        reference and that no references cross (BL203, BL204 and BL205 find nothing): no DAG stage, and at
        most one reference at more than one position (at most `PAIRWISE` of them), all of which may run
        together. The common case, a barrier joined by parallel stages, where building the `Ordering` was
        most of the rules' cost on a resolved pipeline.

        Why nothing crosses then: a cycle needs two references each reached before the other. Between two
        references at one position each, that would put each position before the other; and a reference
        at one position reached after one position of the shared reference and before another would put
        those two in sequence, since the order of the tree alone (no DAG stage) is transitive."""
        shared = [positions for positions in self.by_ref.values() if len(positions) > 1]
        if len(shared) > 1 or any(in_dag(stage) for stage in self.pipeline.stages):
            return False
        if not shared:
            return True
        positions = shared[0]
        return len(positions) <= PAIRWISE and all(
            order(p, q, {}) == 0 for i, p in enumerate(positions) for q in positions[i + 1 :]
        )

    @cached_property
    def crossed_cycles(self) -> list[list[tuple[BarrierPosition, BarrierPosition]]]:
        """Cycles of references reached in conflicting orders (BL205), leaving out references already
        reported as sequential or rollback reuse."""
        if self.unordered:
            return []
        exclude = frozenset(p.literal for p in self.sequential_pairs) | frozenset(p.literal for p in self.rollback_pairs)
        # Leaving references out changes which chains connect the others, so that needs its own sweep.
        return (Ordering(self.pipeline, exclude, self.ordering.dag) if exclude else self.ordering).cycles()

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
            if len(positions) < 2:  # (most references of a resolved pipeline: nothing earlier to be found)
                continue
            seen: dict[int, tuple[dict, list]] = {}  # id(scope) -> ({(id(stage), rollback): first}, firsts of two stages)
            for i, q in enumerate(positions):
                scope = id(q.scope)
                found = seen.get(scope)
                if found is None:
                    found = seen[scope] = ({}, [])
                by_flow, stages = found
                # Not a rollback pair: the first of the same stage and flow, or of another stage, the earlier.
                flow = (id(q.stage), q.rollback)
                first = by_flow.get(flow)
                if first is None:
                    by_flow[flow] = (i, q)
                other = next((e for e in stages if e[1].stage is not q.stage), None)
                if other is not None and (first is None or other[0] < first[0]):
                    first = other
                if first is not None:
                    out[q] = first[1]
                if len(stages) < 2 and all(e[1].stage is not q.stage for e in stages):
                    stages.append((i, q))
        return out

    @cached_property
    def rollback_pairs(self) -> dict[BarrierPosition, list[BarrierPosition]]:
        """Rollback position -> normal-flow positions of the same stage with its reference (BL204)."""
        out: dict[BarrierPosition, list[BarrierPosition]] = {}
        if self.unordered:
            return out
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
        if self.unordered:
            return out
        for q, earlier in self.ordering.earlier_same_ref.items():
            rest = [p for p in earlier if p.scope is not q.scope and not rollback_pair(p, q)]
            if rest:
                out[q] = rest
        return out


def rollback_pair(p: BarrierPosition, q: BarrierPosition) -> bool:
    """Whether one of two positions is in the normal flow and the other in the rollback steps of one stage."""
    return p.stage is q.stage and p.rollback != q.rollback
