"""Drawings of the synchronization graph, each made from its JSON form (`barrier_lint.graph`) alone, so a
tool that holds the JSON (the VS Code view, a script) can draw exactly what the command line draws.

- `mermaid`: a Mermaid flowchart (GitHub and GitLab render it in markdown). Clusters are subgraphs and
  keep their JSON ids (`c0`, ...), nodes keep theirs (`n0`, ...), and links are written in the order of
  the JSON's `edges`, so `linkStyle i` is edge `e<i>`.
- `dot`: Graphviz. Clusters are `cluster_c0` subgraphs holding two invisible anchors, `c0_in` above
  everything inside and `c0_out` below it; an edge into a cluster goes to its `_in`, one out of it leaves
  from its `_out`, clipped at the cluster's border (`compound=true`, `lhead`/`ltail`), so what follows a
  cluster is drawn below it. Edges keep their JSON ids (`id="e3"`).
- `json`: the graph itself.

Styles: a finding's nodes are filled by severity (error red, warning amber, info blue); deadlock edges are
thick and red; the participant link of a single participant is dashed; a conditional participant says
`when: may be skipped`; a position written in another file names it (`from template deploy_gate@v2`).
"""

from __future__ import annotations

import json

FORMATS = ("mermaid", "dot", "json", "svg")

RED = "#d00000"
FILL = {"error": "#fde2e2", "warning": "#fff1cc", "info": "#e3efff"}
STROKE = {"error": RED, "warning": "#b26a00", "info": "#2f6fdd"}


def render(graph: dict, fmt: str) -> str:
    if fmt == "mermaid":
        return to_mermaid(graph)
    if fmt == "dot":
        return to_dot(graph)
    if fmt == "json":
        return json.dumps(graph, indent=2, ensure_ascii=False) + "\n"
    if fmt == "svg":
        from .graph_layout import to_svg

        return to_svg(graph)
    raise ValueError(f"unknown graph format {fmt!r}; expected one of {', '.join(FORMATS)}")


def label_lines(item: dict) -> list[str]:
    """The lines a node or cluster is labelled with, in every drawing."""
    lines = [item["label"]]
    kind = item.get("kind")
    if kind == "step":
        if not item.get("literal") and item.get("ref") is not None:
            lines.append(f"barrierRef: {item['ref']}")
        elif item.get("ref") is None:
            lines.append("no barrierRef")
        if item.get("looping"):
            lines.append("one per iteration")
    elif kind == "barrier":
        if item.get("name") and item["name"] != item["label"]:
            lines.append(item["name"])
        if not item.get("declared"):
            lines.append("not declared")
    elif kind in ("stage", "stepGroup") and item.get("looping"):
        lines.append("looping")
    if item.get("conditional"):
        lines.append("when: may be skipped")
    if item.get("origin"):
        lines.append(f"from {item['origin']}")
    return lines


def _children(graph: dict) -> tuple[dict, dict]:
    clusters: dict = {None: []}
    nodes: dict = {None: []}
    for cluster in graph["clusters"]:
        clusters.setdefault(cluster["parent"], []).append(cluster)
    for node in graph["nodes"]:
        nodes.setdefault(node["cluster"], []).append(node)
    return clusters, nodes


# ------------------------------------------------------------------------------------------------ Mermaid


def _mermaid_text(lines: list[str]) -> str:
    def escape(text: str) -> str:
        out = []
        for c in text:
            if c.isalnum() or c in " _-.,:/@()+*'?=…→":
                out.append(c)
            else:
                out.append(f"#{ord(c)};")
        return "".join(out)

    return '"' + "<br/>".join(escape(line) for line in lines) + '"'


_MERMAID_SHAPES = {"step": ("[", "]"), "barrier": ("{{", "}}"), "stages": ("([", "])")}


def to_mermaid(graph: dict) -> str:
    clusters, nodes = _children(graph)
    pipeline = graph["pipeline"].get("identifier") or graph["pipeline"].get("name") or "pipeline"
    out = [f"%% barrier-lint synchronization graph (version {graph['version']}) of {pipeline}", "flowchart TB"]

    def emit(parent: str | None, indent: str) -> None:
        for node in nodes.get(parent, []):
            left, right = _MERMAID_SHAPES.get(node["kind"], ("[", "]"))
            out.append(f"{indent}{node['id']}{left}{_mermaid_text(label_lines(node))}{right}")
        for cluster in clusters.get(parent, []):
            title = _mermaid_text(label_lines(cluster)) if cluster["kind"] != "parallel" else '"parallel"'
            out.append(f"{indent}subgraph {cluster['id']}[{title}]")
            out.append(f"{indent}  direction TB")
            emit(cluster["id"], indent + "  ")
            out.append(f"{indent}end")

    emit(None, "  ")
    styles = []
    for index, edge in enumerate(graph["edges"]):
        kind = edge["kind"]
        label = f"|{_mermaid_text([edge['label']])}|" if edge.get("label") else ""
        if kind == "deadlock":
            arrow = "==>"
            styles.append(f"  linkStyle {index} stroke:{RED},stroke-width:3px,color:{RED}")
        elif kind == "participant":
            arrow = "-.-" if edge.get("dashed") else "---"
            if edge.get("deadlock"):
                styles.append(f"  linkStyle {index} stroke:{RED},stroke-width:2px")
            elif edge.get("dashed"):
                styles.append(f"  linkStyle {index} stroke:#b26a00,stroke-width:2px")
        elif kind == "dependsOn":
            arrow = "-->"
            styles.append(f"  linkStyle {index} stroke:#2f6fdd")
        else:
            arrow = "-->"
        out.append(f"  {edge['source']} {arrow}{label} {edge['target']}")
    out.extend(styles)
    for severity in ("error", "warning", "info"):
        out.append(f"  classDef {severity} fill:{FILL[severity]},stroke:{STROKE[severity]},stroke-width:2px,color:#000")
    out.append("  classDef barrier fill:#eef6ee,stroke:#2e7d32,color:#000")
    out.append("  classDef single stroke-dasharray:6 4")
    out.append("  classDef parallel fill:none,stroke:#999,stroke-dasharray:3 3")
    by_class: dict[str, list[str]] = {}
    for item in [*graph["nodes"], *graph["clusters"]]:
        if item.get("kind") == "barrier" and not item.get("severity"):
            by_class.setdefault("barrier", []).append(item["id"])
        if item.get("kind") == "parallel":
            by_class.setdefault("parallel", []).append(item["id"])
        if item.get("severity"):
            by_class.setdefault(item["severity"], []).append(item["id"])
    for finding in graph["findings"]:
        if finding["code"] == "BL202":
            by_class.setdefault("single", []).extend(n for n in finding["nodes"] if n.startswith("n"))
    for name, ids in by_class.items():
        out.append(f"  class {','.join(dict.fromkeys(ids))} {name}")
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------------------------ Graphviz


def _dot_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot_head(item: str) -> str:
    return f"{item}_in" if item.startswith("c") else item


def _dot_tail(item: str) -> str:
    return f"{item}_out" if item.startswith("c") else item


def to_dot(graph: dict) -> str:
    clusters, nodes = _children(graph)
    pipeline = graph["pipeline"].get("identifier") or graph["pipeline"].get("name") or "pipeline"
    out = [
        f"// barrier-lint synchronization graph (version {graph['version']}) of {pipeline}",
        f"digraph {_dot_text(pipeline)} {{",
        '  compound=true; rankdir=TB; newrank=true; fontname="Helvetica"; fontsize=12;',
        '  node [shape=box, style="rounded,filled", fillcolor=white, fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=10, color="#555555"];',
    ]

    def node_line(node: dict, indent: str) -> str:
        attrs = {"label": "\n".join(label_lines(node))}
        if node["kind"] == "barrier":
            attrs.update(shape="hexagon", fillcolor="#eef6ee", color="#2e7d32")
        elif node["kind"] == "stages":
            attrs.update(style="rounded,filled,dashed", fillcolor="#f4f4f4")
        if node.get("severity"):
            attrs.update(fillcolor=FILL[node["severity"]], color=STROKE[node["severity"]], penwidth="2")
        if node["id"] in singles:
            attrs["style"] = "rounded,filled,dashed"
        return f"{indent}{node['id']} [{', '.join(f'{k}={_dot_text(v)}' for k, v in attrs.items())}];"

    singles = {n for f in graph["findings"] if f["code"] == "BL202" for n in f["nodes"]}

    def emit(parent: str | None, indent: str) -> None:
        for cluster in clusters.get(parent, []):
            out.append(f"{indent}subgraph cluster_{cluster['id']} {{")
            label = "parallel" if cluster["kind"] == "parallel" else "\n".join(label_lines(cluster))
            style = "dashed" if cluster["kind"] in ("parallel", "rollback") else "rounded"
            color = STROKE[cluster["severity"]] if cluster.get("severity") else "#888888"
            out.append(f"{indent}  label={_dot_text(label)}; style={_dot_text(style)}; color={_dot_text(color)};")
            for anchor in ("in", "out"):
                out.append(f"{indent}  {cluster['id']}_{anchor} [shape=point, style=invis, width=0, height=0, label=\"\"];")
            emit(cluster["id"], indent + "  ")
            for child in [*clusters.get(cluster["id"], []), *nodes.get(cluster["id"], [])]:
                out.append(f"{indent}  {cluster['id']}_in -> {_dot_head(child['id'])} [style=invis];")
                out.append(f"{indent}  {_dot_tail(child['id'])} -> {cluster['id']}_out [style=invis];")
            out.append(f"{indent}}}")
        for node in nodes.get(parent, []):
            out.append(node_line(node, indent))

    emit(None, "  ")
    for edge in graph["edges"]:
        attrs: dict[str, str] = {"id": edge["id"]}
        if edge.get("label"):
            attrs["label"] = edge["label"]
        if edge["source"].startswith("c"):
            attrs["ltail"] = f"cluster_{edge['source']}"
        if edge["target"].startswith("c"):
            attrs["lhead"] = f"cluster_{edge['target']}"
        kind = edge["kind"]
        if kind == "deadlock":
            attrs.update(color=RED, fontcolor=RED, penwidth="3")
        elif kind == "participant":
            attrs.update(arrowhead="none", style="dashed" if edge.get("dashed") else "solid")
            attrs["color"] = RED if edge.get("deadlock") else ("#b26a00" if edge.get("dashed") else "#2e7d32")
        elif kind == "dependsOn":
            attrs.update(color="#2f6fdd", fontcolor="#2f6fdd")
        out.append(f"  {_dot_tail(edge['source'])} -> {_dot_head(edge['target'])} [{', '.join(f'{k}={_dot_text(v)}' for k, v in attrs.items())}];")
    out.append("}")
    return "\n".join(out) + "\n"
