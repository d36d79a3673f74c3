"""The graph's text forms through the real renderers: DOT through Graphviz's `dot` (Debian), Mermaid
through the npm `mermaid` library in Debian's Chromium (tests/graph/render_mermaid.js). Each drawing must
render without complaint and hold every node of the JSON form, and each deadlock edge drawn in red.

Needs what .ci/setup-graph.sh installs; skips without it, fails in CI (BARRIER_LINT_REQUIRE_TOOLS=1).
"""

from __future__ import annotations

import json
import os
import pathlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

from barrier_lint.graph import focus, graph_of
from barrier_lint.graph_render import RED, to_dot, to_mermaid
from barrier_lint.linter import lint_parsed
from barrier_lint.parse import parse

from .conftest import FIXTURES, ROOT, require_tool

CACHE = pathlib.Path(os.environ.get("BARRIER_LINT_CI_CACHE", pathlib.Path.home() / ".cache" / "barrier-lint-ci"))
GRAPH_TOOLS = CACHE / "graph"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
RENDER_MERMAID = ROOT / "tests" / "graph" / "render_mermaid.js"
SVG = "{http://www.w3.org/2000/svg}"

# Every example and every ordering/participation fixture: sequences, parallel blocks, DAGs, rollback,
# loops, step groups, the findings drawn on them.
SOURCES = sorted((ROOT / "examples").glob("*.yaml")) + sorted((FIXTURES / "err").glob("bl2*.yaml"))


def graphs() -> list[tuple[str, dict]]:
    out = []
    for path in SOURCES:
        parsed = parse(path.read_text(encoding="utf-8"))
        graph = graph_of(parsed, lint_parsed(parsed))
        if graph is not None:
            out.append((path.name, graph))
    return out


def deadlocks(graph: dict) -> list[dict]:
    return [e for e in graph["edges"] if e["kind"] == "deadlock"]


def test_the_sources_cover_every_kind_of_cluster_and_edge():
    kinds = {c["kind"] for _, g in graphs() for c in g["clusters"]}
    edges = {e["kind"] for _, g in graphs() for e in g["edges"]}
    assert kinds == {"stage", "stepGroup", "parallel", "rollback"}
    assert edges == {"sequence", "dependsOn", "participant", "deadlock"}


def test_dot_renders_in_graphviz_with_every_node_and_the_red_deadlock_edges(tmp_path):
    dot = shutil.which("dot")
    require_tool(dot is not None, "Graphviz dot (apt-get install graphviz; .ci/setup-graph.sh)")
    for name, graph in graphs():
        result = subprocess.run([dot, "-Tsvg"], input=to_dot(graph), capture_output=True, text=True, timeout=60)
        assert (result.returncode, result.stderr) == (0, ""), name
        svg = ET.fromstring(result.stdout)
        titles = {g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g") if g.get("class") == "node"}
        assert {n["id"] for n in graph["nodes"]} <= titles, name
        clusters = {g.find(f"{SVG}title").text for g in svg.iter(f"{SVG}g") if g.get("class") == "cluster"}
        assert clusters == {f"cluster_{c['id']}" for c in graph["clusters"]}, name
        edges = {g.get("id"): g for g in svg.iter(f"{SVG}g") if g.get("class") == "edge"}
        assert set(edges) == {e["id"] for e in graph["edges"]}, name
        for edge in deadlocks(graph):
            assert edges[edge["id"]].find(f"{SVG}path").get("stroke") == RED, (name, edge)


def test_mermaid_renders_in_the_real_library_with_every_node_and_the_red_deadlock_edges(tmp_path):
    require_tool(CHROMIUM.exists(), "Chromium (apt-get install chromium; .ci/setup-graph.sh)")
    require_tool((GRAPH_TOOLS / "node_modules" / "mermaid" / "dist" / "mermaid.min.js").exists()
                 and (GRAPH_TOOLS / "node_modules" / "playwright-core").exists(),
                 f"mermaid and playwright-core under {GRAPH_TOOLS} (.ci/setup-graph.sh)")
    # The whole graphs, and each error's part of them as the markdown format draws it.
    drawn = graphs()
    drawn += [(f"{name} finding {i}", focus(graph, i)) for name, graph in drawn
              for i, f in enumerate(graph["findings"]) if f["severity"] == "error" and f["nodes"]]
    files = []
    for index, (name, graph) in enumerate(drawn):
        path = tmp_path / f"{index}.mmd"
        path.write_text(to_mermaid(graph), encoding="utf-8")
        files.append(str(path))
    result = subprocess.run(
        ["node", str(RENDER_MERMAID), "--modules", str(GRAPH_TOOLS), "--chromium", str(CHROMIUM), *files],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    rendered = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rendered) == len(drawn)
    for (name, graph), out in zip(drawn, rendered):
        assert out["ok"], (name, out.get("error"))
        svg = out["svg"]
        shown = set(re.findall(r'<g class="node [^"]*" id="graph\d+-flowchart-(n\d+)-\d+"', svg))
        assert shown == {n["id"] for n in graph["nodes"]}, name
        clusters = set(re.findall(r'<g class="cluster[^"]*" id="graph\d+-(c\d+)"', svg))
        assert clusters == {c["id"] for c in graph["clusters"]}, name
        for edge in deadlocks(graph):
            paths = re.findall(rf'<path [^>]*data-id="L_{edge["source"]}_{edge["target"]}_\d+"[^>]*>', svg)
            assert any(f"stroke:{RED};stroke-width:3px" in p for p in paths), (name, edge)
