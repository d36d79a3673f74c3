"""The barrier synchronization graph of one pipeline document: one JSON-able structure that every drawing
(`barrier_lint.graph_render`: Mermaid, DOT, JSON), the markdown output, the language server's
`barrierLint/syncGraph` request and the VS Code view are made from. Its shape is documented in
docs/graph.md and versioned by `GRAPH_VERSION`; it only grows keys within a version.

Nothing here decides what must finish before what. The layout follows the model's paths, which are the
tree the ordering rules reason over (`analysis.Ordering`): the entries of a list run one after the other
unless the list is `parallel`, the step lists of one stage run in `analysis.branch_sort_key` order, and
DAG stages follow their `dependsOn` (`analysis.in_dag`). The red "deadlock" edges are the witnesses the
rules themselves report from (`Facts.sequential_pairs`, `Facts.rollback_pairs`, `Facts.crossed_cycles`),
drawn only for the findings that were reported, so suppressing or ignoring a rule removes its red edge.

Scale: a stage without Barrier steps is one node; three or more of them in a row (none in a DAG) are one
node; a `parallel` block of such stages is one node; step groups without Barrier steps are left out (like
every step that is not a Barrier step). So the drawing grows with the barriers, not with the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .analysis import ROLLBACK_LISTS, Facts, branch_sort_key, in_dag
from .diagnostics import Diagnostic
from .model import BarrierPosition, Document, Span, Stage, StepGroup, format_path
from .parse import ParsedFile

GRAPH_VERSION = 1
# A run of at least this many stages without Barrier steps, one after the other, is drawn as one node.
COLLAPSE_RUN = 3


def span_json(span: Span) -> dict:
    """1-based lines and columns, end exclusive (as the `json` output format); `file` when the range is
    written in another file than the one analysed (a template, a child pipeline)."""
    out: dict = {
        "line": span.start_line + 1,
        "column": span.start_col + 1,
        "end_line": span.end_line + 1,
        "end_column": span.end_col + 1,
    }
    if span.origin is not None:
        out["file"] = span.origin.file
    return out


def _origin(span: Span) -> str | None:
    return span.origin.label if span.origin is not None else None


@dataclass(slots=True)
class _Trie:
    children: dict = field(default_factory=dict)  # ("key", name) | ("index", i) -> _Trie
    list_name: str | None = None  # set when the children are list indices
    element: object = None  # the Stage, StepGroup or BarrierPosition whose path ends here
    first: tuple[int, int] = (1 << 62, 0)  # the earliest element start below, for document order
    stages: int = 0  # stages below (this one included)
    dag_stages: int = 0  # ... of which DAG stages
    barriers: int = 0  # Barrier steps below


class _Builder:
    def __init__(self, document: Document, diagnostics: Sequence[Diagnostic], facts: Facts) -> None:
        self.document = document
        self.pipeline = document.pipeline
        self.facts = facts
        self.diagnostics = [d for d in diagnostics if d.document == document.index]
        self.clusters: list[dict] = []
        self.nodes: list[dict] = []
        self.edges: list[dict] = []
        self.by_path: dict[str, tuple[str, dict]] = {}  # format_path -> ("node"|"cluster", item)
        self.block_of_stage: dict[int, str] = {}  # id(stage) -> the id drawn for it
        self.step_node: dict[int, dict] = {}  # id(position) -> node

    # -- the tree ---------------------------------------------------------------------------------------

    def trie(self) -> _Trie:
        root = _Trie()
        pipeline = self.pipeline
        elements: list = [*pipeline.stages, *pipeline.step_groups, *pipeline.positions]
        for element in elements:
            node = root
            start = (element.span.start_line, element.span.start_col)  # as analysis.Ordering compares them
            trail = [root]
            for name, index in element.path:
                node = node.children.setdefault(("key", name), _Trie())
                trail.append(node)
                if index is not None:
                    node.list_name = name
                    node = node.children.setdefault(("index", index), _Trie())
                    trail.append(node)
            if node.element is None:  # two elements on one path (an alias): the first one is drawn
                node.element = element
            for passed in trail:
                passed.first = min(passed.first, start)
                if isinstance(element, Stage):
                    passed.stages += 1
                    passed.dag_stages += in_dag(element)
                elif isinstance(element, BarrierPosition):
                    passed.barriers += 1
        return root

    def build(self) -> dict:
        root = self.trie()
        self._block(root, None)
        self._depends_on()
        self._rendezvous()
        findings = self._findings()
        pipeline = self.pipeline
        return {
            "version": GRAPH_VERSION,
            "file": None,  # set by whoever knows the file's name (the command line, the language server)
            "document": self.document.index,
            "kind": self.document.kind.value,
            "pipeline": {
                "identifier": pipeline.identifier.value if pipeline.identifier is not None else None,
                "name": pipeline.name.value if pipeline.name is not None else None,
            },
            "clusters": self.clusters,
            "nodes": self.nodes,
            "edges": self.edges,
            "findings": findings,
        }

    # -- items ------------------------------------------------------------------------------------------

    def _cluster(self, kind: str, label: str, parent: str | None, span: Span | None, path: str, **extra) -> dict:
        cluster = {"id": f"c{len(self.clusters)}", "kind": kind, "label": label, "parent": parent, "path": path,
                   "span": span_json(span) if span is not None else None, "origin": _origin(span) if span else None,
                   "severity": None, "findings": [], **extra}
        self.clusters.append(cluster)
        self.by_path.setdefault(path, ("cluster", cluster))
        return cluster

    def _node(self, kind: str, label: str, cluster: str | None, span: Span | None, path: str, **extra) -> dict:
        node = {"id": f"n{len(self.nodes)}", "kind": kind, "label": label, "cluster": cluster, "path": path,
                "span": span_json(span) if span is not None else None, "origin": _origin(span) if span else None,
                "severity": None, "findings": [], **extra}
        self.nodes.append(node)
        if path:
            self.by_path.setdefault(path, ("node", node))
        return node

    def _edge(self, source: str, target: str, kind: str, label: str | None = None, **extra) -> dict:
        edge = {"id": f"e{len(self.edges)}", "source": source, "target": target, "kind": kind, "label": label, **extra}
        self.edges.append(edge)
        return edge

    # -- layout -----------------------------------------------------------------------------------------

    def _block(self, trie: _Trie, parent: str | None) -> tuple[list[str], list[str]] | list[Stage]:
        """Draw `trie` inside `parent`: (heads, tails) to chain it by, or, for a stage without Barrier
        steps, the stages not drawn yet (the enclosing sequence decides whether they merge)."""
        element = trie.element
        if isinstance(element, Stage):
            if trie.barriers == 0:
                return [element]
            cluster = self._stage_cluster(element, parent)
            self.block_of_stage[id(element)] = cluster["id"]
            self._children(trie, cluster["id"])
            return [cluster["id"]], [cluster["id"]]
        if isinstance(element, StepGroup):
            if trie.barriers == 0:
                return [], []
            cluster = self._cluster(
                "stepGroup", f"step group {element.label}", parent, element.span, format_path(element.path),
                identifier=element.identifier.value if element.identifier else None,
                conditional=bool(element.when and element.when.can_skip), looping=element.strategy is not None,
            )
            self._children(trie, cluster["id"])
            return [cluster["id"]], [cluster["id"]]
        if isinstance(element, BarrierPosition):
            node = self._step(element, parent)
            return [node["id"]], [node["id"]]
        return self._children(trie, parent)

    def _stage_cluster(self, stage: Stage, parent: str | None) -> dict:
        return self._cluster(
            "stage", f"stage {stage.label}", parent, stage.span, format_path(stage.path),
            identifier=stage.identifier.value if stage.identifier else None,
            type=stage.type.value if stage.type else None,
            depends_on=list(stage.depends_on) if stage.depends_on is not None else None,
            conditional=bool(stage.when and stage.when.can_skip), looping=stage.loops,
        )

    def _step(self, position: BarrierPosition, parent: str | None) -> dict:
        node = self._node(
            "step", position.label, parent, position.span, format_path(position.path),
            ref=position.ref.value if position.ref is not None else None,
            literal=position.literal is not None,
            ref_span=span_json(position.ref.span) if position.ref is not None else None,
            rollback=position.rollback,
            conditional=any(w.can_skip for w in position.whens),
            looping=position.multiplicity > 1,
        )
        self.step_node[id(position)] = node
        return node

    def _children(self, trie: _Trie, parent: str | None) -> tuple[list[str], list[str]]:
        if trie.list_name == "parallel":
            return self._parallel(trie, parent)
        if trie.list_name is not None:
            items = [child for _, child in sorted(trie.children.items(), key=lambda kv: kv[0][1])]
            return self._sequence(items, parent)
        # Branches under different keys run one after the other (the same order the ordering rules use).
        keyed = sorted(trie.children.items(), key=lambda kv: branch_sort_key(kv[0][1], kv[1].first))
        if any(name in ROLLBACK_LISTS and child.barriers for (_, name), child in keyed):
            items: list = []
            for (_, name), child in keyed:
                if name in ROLLBACK_LISTS and child.barriers:
                    items.append(("rollback", child))
                else:
                    items.append(child)
            return self._sequence(items, parent)
        return self._sequence([child for _, child in keyed], parent)

    def _parallel(self, trie: _Trie, parent: str | None) -> tuple[list[str], list[str]] | list[Stage]:
        items = [child for _, child in sorted(trie.children.items(), key=lambda kv: kv[0][1])]
        if trie.barriers == 0:
            stages = [s for child in items for s in self._stages_below(child)]
            return stages  # a parallel block of stages without barriers: one node, drawn by the sequence
        cluster = self._cluster("parallel", "parallel", parent, None, "")
        for child in items:
            drawn = self._block(child, cluster["id"])
            if isinstance(drawn, list):
                self._collapsed(drawn, cluster["id"])
        return [cluster["id"]], [cluster["id"]]

    def _stages_below(self, trie: _Trie) -> list[Stage]:
        found = [trie.element] if isinstance(trie.element, Stage) else []
        for child in trie.children.values():
            found.extend(self._stages_below(child))
        return found

    def _sequence(self, items: list, parent: str | None) -> tuple[list[str], list[str]]:
        """Chain the items one after the other; runs of stages without barriers collapse."""
        if len(items) == 1 and not isinstance(items[0], tuple):
            return self._block(items[0], parent)  # a passage (`spec`, `execution`, a list's one entry)
        drawn: list[tuple[object, list[str], list[str]]] = []  # (trie, heads, tails)
        pending: list[tuple[_Trie, list[Stage]]] = []

        def flush() -> None:
            if not pending:
                return
            if len(pending) >= COLLAPSE_RUN and not any(t.dag_stages for t, _ in pending):
                node = self._collapsed([s for _, stages in pending for s in stages], parent)
                drawn.append((pending[0][0], [node["id"]], [node["id"]]))
            else:
                for t, stages in pending:
                    node = self._collapsed(stages, parent)
                    drawn.append((t, [node["id"]], [node["id"]]))
            pending.clear()

        for item in items:
            if isinstance(item, tuple):  # ("rollback", trie): the rollback steps, drawn as their own cluster
                flush()
                trie = item[1]
                cluster = self._cluster("rollback", "rollback steps", parent, None, "")
                self._children(trie, cluster["id"])
                drawn.append((trie, [cluster["id"]], [cluster["id"]]))
                continue
            if item.barriers == 0:  # stages without barriers wait to see whether they are part of a run
                stages = self._stages_below(item)
                if stages:
                    pending.append((item, stages))
                continue
            flush()
            result = self._block(item, parent)
            if isinstance(result, list):  # pragma: no cover - only items without barriers return stages
                continue
            if result[0]:
                drawn.append((item, *result))
        flush()
        previous = None
        for trie, heads, tails in drawn:
            # Two DAG entries are ordered by their dependsOn alone, never by where they are written.
            if previous is not None and not (_all_dag(previous[0]) and _all_dag(trie)):
                rollback = any(self._kind(h) == "rollback" for h in heads)
                for tail in previous[2]:
                    for head in heads:
                        self._edge(tail, head, "sequence", "on failure" if rollback else None)
            previous = (trie, heads, tails)
        if not drawn:
            return [], []
        return drawn[0][1], drawn[-1][2]

    def _kind(self, item_id: str) -> str | None:
        if item_id.startswith("c"):
            return self.clusters[int(item_id[1:])]["kind"]
        return self.nodes[int(item_id[1:])]["kind"]

    def _collapsed(self, stages: list[Stage], parent: str | None) -> dict:
        first = stages[0]
        if len(stages) == 1:
            label = f"stage {first.label}"
        else:
            label = f"{len(stages)} stages: {first.label} … {stages[-1].label}"
        node = self._node(
            "stages", label, parent, first.span, format_path(first.path),
            stages=[s.label for s in stages],
            conditional=len(stages) == 1 and bool(first.when and first.when.can_skip),
        )
        for stage in stages:
            self.block_of_stage[id(stage)] = node["id"]
        return node

    def _depends_on(self) -> None:
        by_identifier = {s.identifier.value: s for s in self.pipeline.stages if s.identifier is not None}
        for stage in self.pipeline.stages:
            if not in_dag(stage) or id(stage) not in self.block_of_stage:
                continue
            for dependency in stage.depends_on or ():
                earlier = by_identifier.get(dependency)
                if earlier is None or id(earlier) not in self.block_of_stage:
                    continue
                source, target = self.block_of_stage[id(earlier)], self.block_of_stage[id(stage)]
                if source != target:
                    self._edge(source, target, "dependsOn", "dependsOn")

    def _rendezvous(self) -> None:
        """One node per barrier, joined to its participants: the declared ones first, in declaration order,
        then references that no declaration names. A barrier without participants stays at the top."""
        self.barrier_node: dict[str, dict] = {}
        joined: dict[str, list[str | None]] = {}  # barrier -> the clusters of its participants
        for declaration in self.pipeline.declarations:
            ident = declaration.identifier.value if declaration.identifier is not None else None
            if not ident or ident in self.barrier_node:
                continue
            self.barrier_node[ident] = self._node(
                "barrier", ident, None, declaration.span, f"flowControl.barriers.{ident}",
                identifier=ident, declared=True,
                name=declaration.name.value if declaration.name is not None else None,
                participants=self.facts.participants(ident),
            )
        for position in self.pipeline.positions:
            ref = position.literal
            step = self.step_node.get(id(position))
            if ref is None or step is None:
                continue
            if ref not in self.barrier_node:
                self.barrier_node[ref] = self._node(
                    "barrier", ref, None, None, "", identifier=ref, declared=False, name=None,
                    participants=self.facts.participants(ref),
                )
            self._edge(step["id"], self.barrier_node[ref]["id"], "participant")
            joined.setdefault(ref, []).append(step["cluster"])
        # Each rendezvous is drawn in the innermost cluster that holds all its participants (the parallel
        # block whose stages meet there), so it sits beside them and its links stay local.
        parent = {c["id"]: c["parent"] for c in self.clusters}

        def outward(cluster: str | None) -> list[str]:
            chain = []
            while cluster is not None:
                chain.append(cluster)
                cluster = parent[cluster]
            return chain

        for ref, clusters in joined.items():
            chains = [outward(c) for c in clusters]
            common = [c for c in chains[0] if all(c in chain for chain in chains[1:])]
            self.barrier_node[ref]["cluster"] = common[0] if common else None

    # -- findings ---------------------------------------------------------------------------------------

    def _findings(self) -> list[dict]:
        findings = []
        participant_edges = {(e["source"], e["target"]): e for e in self.edges if e["kind"] == "participant"}
        # A pair or cycle finding is on its later step: at its barrierRef, or at the use of the template the
        # step is spliced in from.
        at: dict[tuple[str, Span], int] = {}
        for i, d in enumerate(self.diagnostics):
            at.setdefault((d.code, d.span), i)
        for index, d in enumerate(self.diagnostics):
            items = self._items_for(d)
            for item in items:
                item["findings"].append(index)
                if item["severity"] is None or _rank(d.severity.value) > _rank(item["severity"]):
                    item["severity"] = d.severity.value
            findings.append({
                "code": d.code, "rule": d.rule, "severity": d.severity.value, "message": d.message,
                "span": span_json(d.span), "barrier": d.barrier,
                "nodes": [i["id"] for i in items], "edges": [],
            })
            if d.code == "BL202":
                for item in items:
                    if item.get("kind") == "step" and item.get("ref") in self.barrier_node:
                        edge = participant_edges.get((item["id"], self.barrier_node[item["ref"]]["id"]))
                        if edge is not None:
                            edge["dashed"] = True
                            edge["finding"] = index

        def deadlock(code: str, p: BarrierPosition, q: BarrierPosition, label: str) -> None:
            index = next((at[(code, span)] for span in _reported_spans(q) if (code, span) in at), None)
            source, target = self.step_node.get(id(p)), self.step_node.get(id(q))
            if index is None or source is None or target is None:
                return
            edge = self._edge(source["id"], target["id"], "deadlock", label, finding=index)
            findings[index]["edges"].append(edge["id"])
            for node in (source, target):
                if node["id"] not in findings[index]["nodes"]:
                    findings[index]["nodes"].append(node["id"])
                    node["findings"].append(index)
                    node["severity"] = node["severity"] or findings[index]["severity"]
            for node, position in ((source, p), (target, q)):
                rendezvous = self.barrier_node.get(position.literal)  # type: ignore[arg-type]
                joined = participant_edges.get((node["id"], rendezvous["id"])) if rendezvous else None
                if joined is not None:
                    joined["deadlock"] = True

        for q, earlier in self.facts.sequential_pairs.items():
            for p in earlier:
                deadlock("BL203", p, q, "finishes before")
        for q, normal in self.facts.rollback_pairs.items():
            for p in normal:
                deadlock("BL204", p, q, "before rollback")
        for cycle in self.facts.crossed_cycles:
            for p, q in cycle:
                deadlock("BL205", p, q, f"{p.literal} then {q.literal}")
        return findings

    def _items_for(self, d: Diagnostic) -> list[dict]:
        """The nodes and clusters a finding is about: its own element, and those of its related places."""
        found: list[dict] = []
        own = self._node_at(d.span) or self._innermost(d.span)
        if own is not None and not (own.get("kind") == "barrier" and d.code not in _DECLARATION_CODES):
            found.append(own)
        elif d.barrier is not None and d.barrier in self.barrier_node and d.code in _DECLARATION_CODES:
            found.append(self.barrier_node[d.barrier])
        for related in d.related:
            node = self._node_at(related.span)
            if node is not None and node not in found:
                found.append(node)
        return found

    def _node_at(self, span: Span) -> dict | None:
        """The step whose barrierRef (else type) is at `span`, or whose template use is."""
        if not hasattr(self, "_by_ref_span"):
            self._by_ref_span = {}
            for p in self.pipeline.positions:
                if id(p) in self.step_node:
                    for reported in _reported_spans(p):
                        self._by_ref_span.setdefault(reported, self.step_node[id(p)])
        return self._by_ref_span.get(span)

    def _innermost(self, span: Span) -> dict | None:
        """The smallest node or cluster written in this file whose range holds the start of `span`."""
        if span.origin is not None:
            return None
        best, size = None, None
        for item in [*self.nodes, *self.clusters]:
            where = item["span"]
            if where is None or "file" in where:
                continue
            start, end = (where["line"] - 1, where["column"] - 1), (where["end_line"] - 1, where["end_column"] - 1)
            if start <= (span.start_line, span.start_col) < end:
                extent = (end[0] - start[0], end[1] - start[1])
                if size is None or extent < size:
                    best, size = item, extent
        return best


_DECLARATION_CODES = frozenset({"BL101", "BL104", "BL105", "BL107"})


def _reported_spans(position: BarrierPosition) -> list[Span]:
    """Where a finding on the position is reported: its barrierRef (else its type), and when that is
    written in another file, the use in this file it is reached through."""
    span = (position.ref or position.type).span
    return [span, span.origin.via] if span.origin is not None else [span]


def _rank(severity: str) -> int:
    return {"error": 3, "warning": 2, "info": 1}[severity]


def _all_dag(trie: object) -> bool:
    return isinstance(trie, _Trie) and trie.stages > 0 and trie.dag_stages == trie.stages


def build_graph(document: Document, diagnostics: Sequence[Diagnostic] = (), facts: Facts | None = None) -> dict:
    """The synchronization graph of one analysed document (`document.pipeline` must be set), with the
    findings among `diagnostics` that belong to it (those of other documents are ignored)."""
    if document.pipeline is None:
        raise ValueError("the document has no pipeline to draw")
    return _Builder(document, diagnostics, facts or Facts(document)).build()


def graph_of(parsed: ParsedFile, diagnostics: Sequence[Diagnostic] = (), document: int | None = None) -> dict | None:
    """The graph of one document of a parsed (and linted) file: document number `document` (0-based), else
    the first document that holds a pipeline, stage, step group or step to draw. None when there is none.

    Callers pass the model they analysed: the file alone today, a workspace-resolved model later."""
    for candidate in parsed.documents:
        if candidate.pipeline is None or not candidate.kind.is_analysed:
            continue
        if document is None or candidate.index == document:
            return build_graph(candidate, diagnostics)
    return None


def focus(graph: dict, finding: int) -> dict:
    """The part of `graph` that finding number `finding` is about: its nodes (every node of a cluster it
    is on), the barriers they meet at, the clusters around them and the edges between what is kept. The
    result has the same shape, with that one finding."""
    chosen = graph["findings"][finding]
    parent = {c["id"]: c["parent"] for c in graph["clusters"]}
    inside: dict[str, set[str]] = {}
    for node in graph["nodes"]:
        where = node["cluster"]
        while where is not None:
            inside.setdefault(where, set()).add(node["id"])
            where = parent[where]
    nodes = {i for i in chosen["nodes"] if i.startswith("n")}
    for cluster in (i for i in chosen["nodes"] if i.startswith("c")):
        nodes |= inside.get(cluster, set())
    # A crossed order is a cycle: the other branches' deadlock edges into its nodes belong to the picture.
    nodes |= {e["source"] for e in graph["edges"] if e["kind"] == "deadlock" and e["target"] in nodes}
    barriers = {n["identifier"]: n["id"] for n in graph["nodes"] if n["kind"] == "barrier"}
    for node in graph["nodes"]:
        if node["id"] in nodes and node["kind"] == "step" and node["literal"] and node["ref"] in barriers:
            nodes.add(barriers[node["ref"]])
    clusters = {i for i in chosen["nodes"] if i.startswith("c")}
    for node in graph["nodes"]:
        where = node["cluster"] if node["id"] in nodes else None
        while where is not None:
            clusters.add(where)
            where = parent[where]
    kept = nodes | clusters
    return {
        **graph,
        "clusters": [c for c in graph["clusters"] if c["id"] in clusters],
        "nodes": [n for n in graph["nodes"] if n["id"] in nodes],
        "edges": [e for e in graph["edges"] if e["source"] in kept and e["target"] in kept],
        "findings": [chosen],
    }
