"""BL205's witness search, `_CycleSearch`: what `analysis.pairwise_cycle` answers, found without comparing
every pair of a group's positions. `analysis.Ordering.cycles` imports it only for a pipeline whose
references reach each other in a cycle, so a lint of any other pipeline does not load it (about a third of
the analysis: docs/performance.md, "Cold start")."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

from .analysis import order
from .records import field, record

TYPE_CHECKING = False  # annotations only (never evaluated)
if TYPE_CHECKING:
    from .analysis import _StageDag
    from .model import BarrierPosition


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
    `order` by paths (outside DAG stages, and within one), the positions q that p must finish before are
    then, at each node on p's path: the later entries of the same sequential list (one slot range), and
    the positions under other keys with a greater (rollback, start) than p's (two slot ranges filtered by
    that rank); plus every position below p's own node. A max-tree over the slots enumerates the
    positions of such ranges above a rank and removes them (`_Pool`). Between DAG stages, the positions
    after p's are those of the nodes its stage's node reaches in the `dependsOn` graph: each node is
    entered once per search, its positions taken then. So a breadth-first search that removes each
    reference once it is reached costs O(n log n) for n positions, plus the `dependsOn` graph once."""

    def __init__(self, literals, dag: _StageDag, stage_name: dict[BarrierPosition, str]) -> None:
        self.dag = dag
        self.stage_name = stage_name
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
        self.at_slot = {slot: p for p, slot in self.slot.items()}
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
        before_start = self._before(by_ref, start)
        rest = _Pool(self, [p for p, x in positions if x != start])
        ref_at = {p: x for p, x in positions}
        parents: dict[str, str] = {}
        queue, head = [start], 0
        while True:  # a strongly connected group has a cycle through each member
            x = queue[head]
            head += 1
            if x in before_start:
                break
            reached = {ref_at[q] for p in by_ref[x] for q in rest.take_after(p)}
            for y in sorted(reached):
                parents[y] = x
                queue.append(y)
                rest.remove(by_ref[y])
        path = [x]
        while path[-1] != start:
            path.append(parents[path[-1]])
        path.reverse()
        return [self._witness(by_ref[path[i]], by_ref[path[(i + 1) % len(path)]]) for i in range(len(path))]

    def _before(self, by_ref: dict[str, list[BarrierPosition]], start: str) -> set[str]:
        """The references with a position that must finish before some position of `start`."""
        targets = _Pool(self, by_ref[start])
        dag = self.dag
        # The nodes of the group's DAG stages from which a node holding `start` is reached.
        nodes = {dag.node_of(name) for ps in by_ref.values() for p in ps if (name := self.stage_name.get(p)) is not None}
        holding = {dag.node_of(self.stage_name[p]) for p in by_ref[start] if p in self.stage_name}
        reaching = dag.reaching(holding, min(dag.rank[node] for node in nodes)) if holding else set()

        def before(p: BarrierPosition) -> bool:
            name = self.stage_name.get(p)
            return (name is not None and dag.node_of(name) in reaching) or targets.any_after(p)

        return {x for x, ps in by_ref.items() if x != start and any(before(p) for p in ps)}

    def _witness(self, earlier: list[BarrierPosition], later: list[BarrierPosition]):
        pool = _Pool(self, later)
        index = {p: i for i, p in enumerate(later)}
        q = min((q for p in earlier for q in pool.take_after(p)), key=index.__getitem__)
        dag, b = self.dag, self.stage_name.get(q)
        above: set[int] = set()
        if b is not None:  # the nodes above q's stage, down to the first of `earlier`'s in rank
            nodes = [dag.node_of(name) for p in earlier if (name := self.stage_name.get(p)) is not None]
            above = dag.reaching([dag.node_of(b)], min(dag.rank[node] for node in nodes)) if nodes else set()

        def precedes(p: BarrierPosition) -> bool:  # order(p, q) == -1
            a = self.stage_name.get(p)
            if a is not None and b is not None and a != b:
                return dag.node_of(a) in above
            return order(p, q, {}) == -1

        return next(p for p in earlier if precedes(p)), q

    def slots(self, positions) -> _Remaining:
        ordered = sorted(positions, key=self.slot.__getitem__)
        return _Remaining([self.slot[p] for p in ordered], [self.rank[p] for p in ordered])


class _Pool:
    """The positions a search has not reached yet: by slot for the order of paths (all of them; and, when
    some are in DAG stages, those outside DAG stages and those of each DAG stage apart, since a position
    in a DAG stage is compared by path only with those), and by node of the `dependsOn` graph."""

    def __init__(self, search: _CycleSearch, positions) -> None:
        self.search = search
        self.alive = set(positions)
        self.all = search.slots(positions)
        names = search.stage_name
        in_stages = [p for p in positions if p in names]
        self.dag = bool(in_stages)
        if self.dag:
            dag = search.dag
            self.plain = search.slots([p for p in positions if p not in names])
            by_stage: dict[str, list[BarrierPosition]] = defaultdict(list)
            self.at_node: dict[int, list[BarrierPosition]] = defaultdict(list)
            for p in in_stages:
                by_stage[names[p]].append(p)
                self.at_node[dag.node_of(names[p])].append(p)
            self.stages = {name: search.slots(ps) for name, ps in by_stage.items()}
            self.last = max(dag.rank[node] for node in self.at_node)  # no node after this one holds any
            self.entered: set[int] = set()

    def _path_sets(self, p: BarrierPosition) -> list[_Remaining]:
        """Where the positions that p precedes by path are: all, or (p in a DAG stage) those outside DAG
        stages and those of p's own stage."""
        name = self.search.stage_name.get(p)
        if name is None or not self.dag:
            return [self.all]
        own = self.stages.get(name)
        return [self.plain] if own is None else [self.plain, own]

    def any_after(self, p: BarrierPosition) -> bool:
        """Whether p precedes some position by path (none is removed)."""
        ranges = self.search.ranges[p]
        return any(remaining.any_in(ranges) for remaining in self._path_sets(p))

    def take_after(self, p: BarrierPosition) -> list[BarrierPosition]:
        """The remaining positions that p must finish before; they are removed."""
        search = self.search
        taken = []
        for remaining in self._path_sets(p):
            taken += remaining.take_in(search.ranges[p])
        taken = [search.at_slot[s] for s in taken]
        for q in taken:
            self._drop(q)
        name = search.stage_name.get(p)
        if name is not None and self.dag:
            taken += self._enter_later(search.dag.node_of(name))
        return taken

    def _enter_later(self, node: int) -> list[BarrierPosition]:
        """Takes the positions of every node reached from `node` by one edge or more. A node is entered
        once: everything after it was taken then, and nothing is ever added."""
        dag, taken = self.search.dag, []
        stack = [each for each in dag.later[node] if dag.rank[each] <= self.last]
        while stack:
            node = stack.pop()
            if node in self.entered:
                continue
            self.entered.add(node)
            for q in self.at_node.get(node, ()):
                if q in self.alive:
                    taken.append(q)
                    self._drop(q)
            stack.extend(each for each in dag.later[node] if dag.rank[each] <= self.last and each not in self.entered)
        return taken

    def remove(self, positions) -> None:
        for q in positions:
            if q in self.alive:
                self._drop(q)

    def _drop(self, q: BarrierPosition) -> None:
        self.alive.discard(q)
        slot = self.search.slot[q]
        self.all.remove(slot)
        if self.dag:
            name = self.search.stage_name.get(q)
            (self.plain if name is None else self.stages[name]).remove(slot)


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

    def _find(self, lo: int, hi: int, above: int, first: bool) -> list[int]:
        """Indices of the entries whose slot is in [lo, hi) and rank above `above` (the first only, if `first`)."""
        lo, hi = bisect_left(self.slots, lo), bisect_left(self.slots, hi)
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

    def any_in(self, ranges) -> bool:
        return any(self._find(lo, hi, rank, True) for lo, hi, rank in ranges)

    def take_in(self, ranges) -> list[int]:
        """The slots of the entries in the ranges (`_CycleSearch._ranges`); they are removed."""
        out = []
        for lo, hi, rank in ranges:
            found = self._find(lo, hi, rank, False)
            self._clear(found)
            out += [self.slots[i] for i in found]
        return out

    def remove(self, slot: int) -> None:
        i = bisect_left(self.slots, slot)
        if i < len(self.slots) and self.slots[i] == slot and self.tree[self.size + i] >= 0:
            self._clear([i])

    def _clear(self, indices: list[int]) -> None:
        tree = self.tree
        for i in indices:
            node = self.size + i
            tree[node] = -1
            node //= 2
            while node and tree[node] != max(tree[2 * node], tree[2 * node + 1]):
                tree[node] = max(tree[2 * node], tree[2 * node + 1])
                node //= 2
