"""A drawing of the synchronization graph laid out from its own structure, in linear time, as SVG: what the
VS Code view shows (`barrierLint/syncGraph` sends it) and `barrier-lint graph --format svg` writes.

A general layout (Mermaid's dagre, Graphviz's dot) searches for an order of ranks that crosses the fewest
edges; this graph needs none of that, because its shape is known: the items of a stage, a step group or
the pipeline run one after the other (rows, ranked by the `sequence` and `dependsOn` edges between them, so
DAG stages that may run together share a row), the members of a `parallel` block run side by side (one row),
and a barrier is drawn beside the participants it joins: in the gap between the parallel members it joins
(at the height of its participants), else in a column to the right of the flow. Each item is measured
once from its label's lines (a fixed character width: the boxes are a little wider than their text, never
narrower), so the whole layout is a few passes over the graph's items and edges.

Drawn like the other forms (`graph_render`): clusters are boxes titled with their label (a `parallel` block
dashed), Barrier steps boxes, barriers hexagons, collapsed stages rounded boxes; a finding's items are
filled by its severity; `deadlock` edges are thick red curves with their ordering label, the participant
links of a deadlocked step red, a single participant's link dashed. Every element carries its graph id
(`data-graph-id="n3"`, `data-edge="e7"`, `data-kind`) for the view to wire clicks and highlights to.
"""

from __future__ import annotations

from collections import defaultdict

from .graph_render import FILL, RED, STROKE, label_lines

CHAR = 7.2  # px per character at the drawing's 12px font (wide enough for most sans-serif fonts)
LINE = 16  # px per label line
PAD_X, PAD_Y = 10, 6  # inside a node
CLUSTER_PAD = 12
ROW_GAP = 36  # between the rows of a flow (room for the sequence arrows)
COL_GAP = 28  # between the items of a row
GUTTER = 24  # around a barrier in a gap or a column
MARGIN = 16
CURVE = 46  # how far a deadlock curve bows out to the left

BARRIER_FILL, BARRIER_STROKE = "#eef6ee", "#2e7d32"
EDGE_COLOR = {"sequence": "#888888", "dependsOn": "#2f6fdd", "participant": BARRIER_STROKE}


def _text_width(lines: list[str]) -> float:
    return max(len(line) for line in lines) * CHAR


class _Box:
    """A laid-out item: its size, and every item drawn inside it at (x, y) relative to its top left."""

    __slots__ = ("h", "inside", "w")

    def __init__(self, w: float, h: float) -> None:
        self.w, self.h = w, h
        self.inside: dict[str, tuple[float, float, float, float]] = {}

    def put(self, item: str, box: _Box, x: float, y: float) -> None:
        """Draw `item` (laid out as `box`) at (x, y)."""
        self.inside[item] = (x, y, box.w, box.h)
        self.merge(box, x, y)

    def merge(self, box: _Box, x: float, y: float) -> None:
        """Draw what `box` holds at (x, y), without a frame of its own."""
        for key, (ix, iy, iw, ih) in box.inside.items():
            self.inside[key] = (x + ix, y + iy, iw, ih)


class _Layout:
    def __init__(self, graph: dict) -> None:
        self.graph = graph
        self.clusters = {c["id"]: c for c in graph["clusters"]}
        self.nodes = {n["id"]: n for n in graph["nodes"]}
        self.order = {item["id"]: i for i, item in enumerate([*graph["clusters"], *graph["nodes"]])}
        self.children: dict[str | None, list[str]] = defaultdict(list)  # flow items of each container
        self.barriers: dict[str | None, list[str]] = defaultdict(list)
        for c in graph["clusters"]:
            self.children[c["parent"]].append(c["id"])
        for n in graph["nodes"]:
            (self.barriers if n["kind"] == "barrier" else self.children)[n["cluster"]].append(n["id"])
        self.participants: dict[str, list[str]] = defaultdict(list)  # barrier -> its steps
        for e in graph["edges"]:
            if e["kind"] == "participant":
                self.participants[e["target"]].append(e["source"])
        self.lines = {i: label_lines(item) for i, item in [*self.clusters.items(), *self.nodes.items()]}
        self.ranks = self._ranks()

    def parent(self, item: str) -> str | None:
        return self.clusters[item]["parent"] if item in self.clusters else self.nodes[item]["cluster"]

    def _ranks(self) -> dict[str, int]:
        """Each flow item's row in its container: the longest chain of `sequence` and `dependsOn` edges
        before it, between the container's own items (an edge between deeper items counts for the items of
        their common container that hold them)."""
        depth: dict[str | None, int] = {None: 0}

        def depth_of(item: str | None) -> int:
            if item not in depth:
                depth[item] = depth_of(self.parent(item)) + 1
            return depth[item]

        after: dict[str, list[str]] = defaultdict(list)
        before: dict[str, int] = defaultdict(int)
        for e in self.graph["edges"]:
            if e["kind"] not in ("sequence", "dependsOn"):
                continue
            s, t = e["source"], e["target"]
            while depth_of(s) > depth_of(t):
                s = self.parent(s)
            while depth_of(t) > depth_of(s):
                t = self.parent(t)
            while self.parent(s) != self.parent(t):
                s, t = self.parent(s), self.parent(t)
            if s != t and self.clusters.get(self.parent(s), {}).get("kind") != "parallel":
                after[s].append(t)
                before[t] += 1
        rank: dict[str, int] = {}
        ready = [i for items in self.children.values() for i in items if not before[i]]
        for item in ready:
            rank.setdefault(item, 0)
        while ready:
            item = ready.pop()
            for target in after[item]:
                rank[target] = max(rank.get(target, 0), rank[item] + 1)
                before[target] -= 1
                if not before[target]:
                    ready.append(target)
        return rank

    # -- sizes ------------------------------------------------------------------------------------------

    def node_box(self, node: str) -> _Box:
        lines = self.lines[node]
        w = _text_width(lines) + 2 * PAD_X
        if self.nodes[node]["kind"] == "barrier":
            w += 2 * PAD_X  # the hexagon's points
        return _Box(w, len(lines) * LINE + 2 * PAD_Y)

    def box(self, container: str | None) -> _Box:
        """Lay out a container's items, then wrap them in its frame (the top level has only a margin)."""
        flow = self._flow(container)
        if container is None:
            box = _Box(flow.w + 2 * MARGIN, flow.h + 2 * MARGIN)
            box.merge(flow, MARGIN, MARGIN)
            return box
        title = len(self.lines[container]) * LINE if self.clusters[container]["kind"] != "parallel" else LINE
        top = CLUSTER_PAD + title + 4
        w = max(flow.w, _text_width(self.lines[container]) if title else 0) + 2 * CLUSTER_PAD
        box = _Box(w, top + flow.h + CLUSTER_PAD)
        box.merge(flow, (w - flow.w) / 2, top)
        return box

    def item_box(self, item: str) -> _Box:
        return self.box(item) if item in self.clusters else self.node_box(item)

    def _flow(self, container: str | None) -> _Box:
        """The container's items in rows (one row for a parallel block), one below the other, each row
        centred; a barrier whose participants are all in one row of several items sits in that row's gaps,
        any other in a column to the right."""
        items = sorted(self.children[container], key=lambda i: (self.ranks.get(i, 0), self.order[i]))
        boxes = {i: self.item_box(i) for i in items}
        rows: list[list[str]] = []
        if container is not None and self.clusters[container]["kind"] == "parallel":
            rows = [items] if items else []
        else:
            for item in items:
                if rows and self.ranks.get(rows[-1][0], 0) == self.ranks.get(item, 0):
                    rows[-1].append(item)
                else:
                    rows.append([item])
        row_of: dict[str, int] = {}
        for index, row in enumerate(rows):
            for item in row:
                row_of[item] = index
                row_of.update(dict.fromkeys(boxes[item].inside, index))
        local: dict[int, list[str]] = defaultdict(list)
        column: list[str] = []
        for barrier in self.barriers[container]:
            at = {row_of.get(s) for s in self.participants[barrier]}
            if len(at) == 1 and None not in at and len(rows[next(iter(at))]) > 1:
                local[next(iter(at))].append(barrier)
            else:
                column.append(barrier)
        laid = [self._row(row, boxes, local[index]) for index, row in enumerate(rows)]
        flow = _Box(max((row.w for row in laid), default=0), 0)
        y = 0.0
        for row in laid:
            flow.merge(row, (flow.w - row.w) / 2, y)
            y += row.h + ROW_GAP
        flow.h = max(y - ROW_GAP, 0)
        if column:  # each barrier at the height of its participants
            x = flow.w + (GUTTER if items else 0)
            sizes = {b: self.node_box(b) for b in column}
            width = max(s.w for s in sizes.values())
            bottom = self._stack(flow, column, sizes, lambda b: x + (width - sizes[b].w) / 2)
            flow.w = x + width
            flow.h = max(flow.h, bottom)
        return flow

    def _row(self, items: list[str], boxes: dict[str, _Box], barriers: list[str]) -> _Box:
        """Items side by side, tops aligned; each barrier in the gap between the items it joins (the
        middle gap of those it spans), at the height of its participants."""
        member = {}
        for index, item in enumerate(items):
            member[item] = index
            member.update(dict.fromkeys(boxes[item].inside, index))
        gaps: dict[int, list[str]] = defaultdict(list)
        for barrier in barriers:
            at = sorted(member[s] for s in self.participants[barrier] if s in member) or [0]
            gaps[min(max((at[0] + at[-1]) // 2, 0), len(items) - 2)].append(barrier)
        sizes = {b: self.node_box(b) for b in barriers}
        gap_width = {g: max(sizes[b].w for b in bs) + 2 * GUTTER for g, bs in gaps.items()}
        row = _Box(0, max(boxes[i].h for i in items))
        x = 0.0
        rights = []
        for index, item in enumerate(items):
            row.put(item, boxes[item], x, 0)  # members start together: tops aligned
            x += boxes[item].w
            rights.append(x)
            if index < len(items) - 1:
                x += gap_width.get(index, COL_GAP)
        row.w = x
        for gap, members in gaps.items():
            middle = rights[gap] + gap_width[gap] / 2
            row.h = max(row.h, self._stack(row, members, sizes, lambda b, middle=middle: middle - sizes[b].w / 2))
        return row

    def _stack(self, flow: _Box, barriers: list[str], sizes: dict[str, _Box], left) -> float:
        """Place barriers one below the other, each as near the middle height of its participants as the
        ones above it allow; returns the bottom of the last."""
        def wanted(barrier: str) -> float:
            ys = [flow.inside[s][1] + flow.inside[s][3] / 2 for s in self.participants[barrier] if s in flow.inside]
            return (sum(ys) / len(ys) if ys else flow.h + sizes[barrier].h) - sizes[barrier].h / 2

        y = 0.0
        for barrier in sorted(barriers, key=lambda b: (wanted(b), self.order[b])):
            top = max(wanted(barrier), y)
            flow.put(barrier, sizes[barrier], left(barrier), top)
            y = top + sizes[barrier].h + 8
        return y - 8 if barriers else 0.0


def layout(graph: dict) -> dict:
    """Where each cluster and node is drawn: `{"width", "height", "boxes": {id: [x, y, w, h]}}`."""
    box = _Layout(graph).box(None)
    return {"width": box.w, "height": box.h, "boxes": {k: list(v) for k, v in box.inside.items()}}


# ------------------------------------------------------------------------------------------------ SVG


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _n(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(lines: list[str], x: float, y: float, anchor: str = "middle", cls: str = "bl-label") -> str:
    spans = "".join(f'<tspan x="{_n(x)}" y="{_n(y + (i + 0.75) * LINE)}">{_xml(line)}</tspan>' for i, line in enumerate(lines))
    return f'<text class="{cls}" text-anchor="{anchor}">{spans}</text>'


def to_svg(graph: dict) -> str:
    """The graph drawn as a standalone SVG document (presentation attributes only: no script, no style
    sheet needed; a page may restyle it through the `bl-*` classes)."""
    placed = layout(graph)
    boxes = placed["boxes"]
    singles = {n for f in graph["findings"] if f["code"] == "BL202" for n in f["nodes"]}
    out = [
        "<defs>",
        *(f'<marker id="bl-arrow-{name}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="9" markerHeight="9" '
          'markerUnits="userSpaceOnUse" '
          f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{color}"/></marker>'
          for name, color in (("sequence", EDGE_COLOR["sequence"]), ("dependsOn", EDGE_COLOR["dependsOn"]), ("deadlock", RED))),
        "</defs>",
    ]
    for cluster in graph["clusters"]:  # parents come before their children: drawn below them
        x, y, w, h = boxes[cluster["id"]]
        severity = cluster.get("severity")
        stroke = STROKE[severity] if severity else "#888888"
        fill = FILL[severity] if severity else "#ffffff"  # transparent, but the inside takes clicks
        dash = ' stroke-dasharray="4 3"' if cluster["kind"] in ("parallel", "rollback") else ""
        lines = ["parallel"] if cluster["kind"] == "parallel" else label_lines(cluster)
        out.append(
            f'<g class="cluster bl-{cluster["kind"]}" data-graph-id="{cluster["id"]}">'
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="6" fill="{fill}" '
            f'fill-opacity="{0.35 if severity else 0}" stroke="{stroke}" stroke-width="{2 if severity else 1}"{dash}/>'
            f'{_text(lines, x + CLUSTER_PAD, y + CLUSTER_PAD - 4, "start", "bl-title")}</g>'
        )
    counts: dict[tuple[str, str], int] = defaultdict(int)
    labels = []
    reach: list[float] = []  # how far the edge labels reach left or right
    for edge in graph["edges"]:
        source, target = boxes.get(edge["source"]), boxes.get(edge["target"])
        if source is None or target is None:
            continue
        kind = edge["kind"]
        key = (edge["source"], edge["target"])
        number = counts[key]
        counts[key] += 1
        sx, sy, sw, sh = source
        tx, ty, tw, th = target
        attrs = {"fill": "none", "stroke": EDGE_COLOR.get(kind, "#888888"), "stroke-width": "1.5"}
        if kind == "deadlock":
            # From the step that must finish first to the one that waits for it, bowing out on the side
            # away from the barrier the first one joins (its participant link leaves on the other side).
            joined = [boxes[e["target"]] for e in graph["edges"]
                      if e["kind"] == "participant" and e["source"] == edge["source"] and e["target"] in boxes]
            left = not joined or joined[0][0] + joined[0][2] / 2 >= sx + sw / 2
            if left:
                a, b = (sx, sy + sh / 2), (tx, ty + th / 2)
                bow, end = min(a[0], b[0]) - CURVE, b[0] - 2
            else:
                a, b = (sx + sw, sy + sh / 2), (tx + tw, ty + th / 2)
                bow, end = max(a[0], b[0]) + CURVE, b[0] + 2
            d = f"M{_n(a[0])},{_n(a[1])} C{_n(bow)},{_n(a[1])} {_n(bow)},{_n(b[1])} {_n(end)},{_n(b[1])}"
            attrs.update(stroke=RED, **{"stroke-width": "3", "marker-end": "url(#bl-arrow-deadlock)"})
            middle = (bow + (CURVE * 0.25 if left else -CURVE * 0.25), (a[1] + b[1]) / 2)
            anchor = "end" if left else "start"
        elif kind == "participant":
            right = tx + tw / 2 >= sx + sw / 2
            a = (sx + sw if right else sx, sy + sh / 2)
            b = (tx if right else tx + tw, ty + th / 2)
            d = f"M{_n(a[0])},{_n(a[1])} L{_n(b[0])},{_n(b[1])}"
            if edge.get("deadlock"):
                attrs.update(stroke=RED, **{"stroke-width": "2"})
            elif edge.get("dashed"):
                attrs.update(stroke=STROKE["warning"], **{"stroke-width": "2", "stroke-dasharray": "6 4"})
            middle = ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)
            anchor = "start"
        else:  # sequence, dependsOn: bottom of the one to the top of the other
            a, b = (sx + sw / 2, sy + sh), (tx + tw / 2, ty)
            if abs(a[0] - b[0]) < 1:
                d = f"M{_n(a[0])},{_n(a[1])} L{_n(b[0])},{_n(b[1])}"
            else:
                bend = b[1] - ROW_GAP / 2 if b[1] > a[1] else a[1] + ROW_GAP / 2
                d = f"M{_n(a[0])},{_n(a[1])} L{_n(a[0])},{_n(bend)} L{_n(b[0])},{_n(bend)} L{_n(b[0])},{_n(b[1])}"
            attrs["marker-end"] = f"url(#bl-arrow-{kind if kind == 'dependsOn' else 'sequence'})"
            middle = ((a[0] + b[0]) / 2 + 4, (a[1] + b[1]) / 2)
            anchor = "start"
        shown = " ".join(f'{k}="{v}"' for k, v in attrs.items())
        out.append(f'<path class="edge bl-{kind}" data-edge="{edge["id"]}" data-kind="{kind}" '
                   f'data-id="L_{edge["source"]}_{edge["target"]}_{number}" d="{d}" {shown}/>')
        if edge.get("label"):
            color = RED if kind == "deadlock" else attrs["stroke"]
            first, then, last = edge["label"].partition(" then ")  # a crossed order's label on two lines
            lines = [f"{first} then", last] if then else [first]
            width = max(len(line) for line in lines) * 6.6 + 4
            reach.append(middle[0] - width if anchor == "end" else middle[0] + width)
            top = middle[1] + 4 - (len(lines) - 1) * 6.5
            spans = "".join(f'<tspan x="{_n(middle[0])}" y="{_n(top + i * 13)}">{_xml(line)}</tspan>' for i, line in enumerate(lines))
            labels.append(f'<text class="bl-edge-label" data-edge="{edge["id"]}" text-anchor="{anchor}" fill="{color}" '
                          f'font-size="11" paint-order="stroke" stroke="#ffffff" stroke-width="3" stroke-opacity="0.8">'
                          f'{spans}</text>')
    for node in graph["nodes"]:
        x, y, w, h = boxes[node["id"]]
        severity = node.get("severity")
        kind = node["kind"]
        fill = FILL[severity] if severity else (BARRIER_FILL if kind == "barrier" else "#ffffff")
        stroke = STROKE[severity] if severity else (BARRIER_STROKE if kind == "barrier" else "#666666")
        dash = ' stroke-dasharray="6 4"' if node["id"] in singles or kind == "stages" else ""
        width = 2 if severity else 1
        if kind == "barrier":
            p = PAD_X
            points = f"{_n(x)},{_n(y + h / 2)} {_n(x + p)},{_n(y)} {_n(x + w - p)},{_n(y)} {_n(x + w)},{_n(y + h / 2)} " \
                     f"{_n(x + w - p)},{_n(y + h)} {_n(x + p)},{_n(y + h)}"
            shape = f'<polygon points="{points}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"{dash}/>'
        else:
            rx = h / 2 if kind == "stages" else 4
            shape = (f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="{_n(rx)}" fill="{fill}" '
                     f'stroke="{stroke}" stroke-width="{width}"{dash}/>')
        out.append(f'<g class="node bl-{kind}" data-graph-id="{node["id"]}">{shape}'
                   f'{_text(label_lines(node), x + w / 2, y + PAD_Y - 2)}</g>')
    out.extend(labels)
    out.append("</svg>")
    # A deadlock's curve and label sit beside the steps, and may stick out of the laid-out area.
    left = min([0.0, *reach])
    width, height = max([placed["width"], *reach]) - left, placed["height"]
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="bl-graph" width="{_n(width)}" height="{_n(height)}" '
            f'viewBox="{_n(left)} 0 {_n(width)} {_n(height)}" font-family="Helvetica, Arial, sans-serif" font-size="12">')
    return "\n".join([head, *out]) + "\n"
