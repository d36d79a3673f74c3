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
        excluded = {p.literal for p in facts.sequential_pairs} | {p.literal for p in facts.rollback_pairs}
        edges = {e: w for e, w in facts.ordering.edges.items() if e[0] not in excluded and e[1] not in excluded}
        graph: dict[str, list[str]] = {}
        for x, y in sorted(edges):
            graph.setdefault(x, []).append(y)
        for cycle in _cycles(graph):
            names = " -> ".join(f"'{ref}'" for ref in cycle + [cycle[0]])
            witnesses = [edges[(cycle[i], cycle[(i + 1) % len(cycle)])] for i in range(len(cycle))]
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


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """One simple cycle per strongly connected component of two or more barriers (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(graph.get(root, ())))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
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
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(component)
    return [_cycle_in(graph, set(c)) for c in components]


def _cycle_in(graph: dict[str, list[str]], members: set[str]) -> list[str]:
    """The shortest cycle through the smallest member, by breadth-first search inside the component."""
    start = min(members)
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph.get(node, ())):
                if child not in members:
                    continue
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return list(reversed(path))
                if child not in parents:
                    parents[child] = node
                    following.append(child)
        frontier = following
    return sorted(members)  # unreachable for a strongly connected component
