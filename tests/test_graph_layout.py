"""The structural layout and its SVG (barrier_lint/graph_layout.py): what the VS Code view draws and
`barrier-lint graph --format svg` writes. The drawing must keep every feature of the other forms: clusters
nested in their boxes, parallel members side by side, sequential items one below the other, each barrier
beside the participants it joins, red deadlock edges, a single participant dashed, provenance labels."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from barrier_lint.graph_layout import layout, to_svg

from .conftest import ROOT
from .test_graph import run_cli

SVG = "{http://www.w3.org/2000/svg}"


def graph_of(path, cwd=None):
    return json.loads(run_cli("graph", str(path), "--format", "json", cwd=cwd).stdout)


def release():
    return graph_of(".harness/release.yaml", cwd=ROOT / "tests" / "graph" / "workspace")


def inside(inner, outer):
    x, y, w, h = inner
    ox, oy, ow, oh = outer
    return ox <= x and oy <= y and x + w <= ox + ow and y + h <= oy + oh


def test_every_item_is_drawn_inside_its_cluster_and_members_side_by_side():
    g = release()
    boxes = layout(g)["boxes"]
    assert sorted(boxes) == sorted([c["id"] for c in g["clusters"]] + [n["id"] for n in g["nodes"]])
    for c in g["clusters"]:
        if c["parent"]:
            assert inside(boxes[c["id"]], boxes[c["parent"]]), c["id"]
    for n in g["nodes"]:
        if n["cluster"]:
            assert inside(boxes[n["id"]], boxes[n["cluster"]]), n["id"]
    api, web, smoke = boxes["c1"], boxes["c2"], boxes["c3"]
    # The parallel members of c0 in one row, api left of web; stage smoke after the block, below it.
    assert api[1] == web[1] and api[0] + api[2] < web[0]
    assert smoke[1] > boxes["c0"][1] + boxes["c0"][3]
    # Steps of a stage one below the other; config_pushed and caches_warm in the gap between api and web,
    # at the height of their participants; smoke_done to the right of its one participant.
    push, warm = boxes["n0"], boxes["n1"]
    assert push[1] + push[3] < warm[1]
    for barrier in ("n5", "n6"):
        x, _, w, _ = boxes[barrier]
        assert api[0] + api[2] < x and x + w < web[0], barrier
    assert boxes["n5"][1] < boxes["n6"][1]
    join, done = boxes["n4"], boxes["n7"]
    assert join[0] + join[2] < done[0] and abs((join[1] + join[3] / 2) - (done[1] + done[3] / 2)) < 1


def test_the_svg_holds_every_item_with_its_id_and_the_findings_drawn():
    g = release()
    root = ET.fromstring(to_svg(g))
    ids = {e.get("data-graph-id"): e for e in root.iter(f"{SVG}g") if e.get("data-graph-id")}
    assert sorted(ids) == sorted([c["id"] for c in g["clusters"]] + [n["id"] for n in g["nodes"]])
    text = {i: " / ".join(t.text for t in e.iter(f"{SVG}tspan")) for i, e in ids.items()}
    assert text["n0"] == "push / from template push_then_warm@v1"
    assert text["c4"] == "stage check / from child pipeline smoke"
    assert text["n5"] == "config_pushed / Config Pushed"
    paths = {p.get("data-edge"): p for p in root.iter(f"{SVG}path") if p.get("data-edge")}
    assert sorted(paths, key=lambda e: int(e[1:])) == [e["id"] for e in g["edges"]]
    red = sorted(e for e, p in paths.items() if p.get("stroke") == "#d00000")
    assert red == ["e3", "e4", "e5", "e6", "e8", "e9"]  # the deadlocked steps' links and the two orderings
    assert [(p.get("data-id"), p.get("stroke-width")) for e, p in paths.items() if p.get("data-kind") == "deadlock"] == [
        ("L_n2_n3_1", "3"), ("L_n0_n1_1", "3")]  # after their sequence edges
    assert paths["e7"].get("stroke-dasharray") == "6 4"  # smoke_done's single participant
    join = ids["n4"].find(f"{SVG}rect")
    assert (join.get("stroke-dasharray"), join.get("fill")) == ("6 4", "#fff1cc")
    labels = [[s.text for s in t] for t in root.iter(f"{SVG}text") if t.get("class") == "bl-edge-label"]
    assert labels == [["caches_warm then", "config_pushed"], ["config_pushed then", "caches_warm"]]


def test_dag_stages_that_run_together_share_a_row():
    g = graph_of(ROOT / "tests" / "fixtures" / "ok" / "dag_branches.yaml")
    boxes = layout(g)["boxes"]
    setup, a, b = boxes["n0"], boxes["c0"], boxes["c1"]
    assert a[1] == b[1] > setup[1] + setup[3]
    assert a[0] + a[2] < b[0]


def test_every_example_draws():
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        g = graph_of(example)
        root = ET.fromstring(to_svg(g))
        drawn = {e.get("data-graph-id") for e in root.iter(f"{SVG}g")} - {None}
        assert drawn == {c["id"] for c in g["clusters"]} | {n["id"] for n in g["nodes"]}, example.name


def test_the_graph_command_writes_svg(tmp_path):
    out = tmp_path / "g.svg"
    result = run_cli("graph", str(ROOT / "examples" / "crossed_and_looped.yaml"), "--format", "svg", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith('<svg xmlns="http://www.w3.org/2000/svg" class="bl-graph"')


def test_a_barrier_joining_dag_stages_of_one_row_sits_between_them():
    g = graph_of(ROOT / "tests" / "fixtures" / "ok" / "dag_branches.yaml")
    boxes = layout(g)["boxes"]
    a, b, sync = boxes["c0"], boxes["c1"], boxes["n3"]
    assert a[0] + a[2] < sync[0] and sync[0] + sync[2] < b[0]
