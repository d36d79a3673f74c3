"""The synchronization graph (barrier_lint.graph): its structure, the findings drawn on it, and the text
forms drawn from it. Renderers are checked against the real Graphviz and Mermaid in test_graph_renderers."""

from __future__ import annotations

import json
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET

from barrier_lint.config import Config
from barrier_lint.graph import graph_of
from barrier_lint.graph_layout import to_svg
from barrier_lint.graph_render import label_lines, render, to_dot, to_mermaid
from barrier_lint.linter import lint_parsed
from barrier_lint.model import Origin, Span, format_path
from barrier_lint.parse import parse

from .conftest import ROOT


def graph(text: str, config: Config | None = None, edit=None) -> dict:
    parsed = parse(text)
    if edit is not None:
        edit(parsed.documents[0].pipeline)
    return graph_of(parsed, lint_parsed(parsed, config or Config()))


def shape(g: dict) -> dict:
    """The graph without spans and paths: what each test states exactly."""
    return {
        "clusters": [(c["id"], c["kind"], c["label"], c["parent"]) for c in g["clusters"]],
        "nodes": [(n["id"], n["kind"], n["label"], n["cluster"]) for n in g["nodes"]],
        "edges": [(e["source"], e["target"], e["kind"], e["label"]) for e in g["edges"]],
        "findings": [(f["code"], f["nodes"], f["edges"]) for f in g["findings"]],
    }


def step(ident, ref, extra=""):
    return f"{{step: {{type: Barrier, identifier: {ident}, {extra}spec: {{barrierRef: {ref}}}}}}}"


def stage(ident, steps, extra=""):
    return f"{{stage: {{identifier: {ident}, type: Custom, {extra}spec: {{execution: {{steps: [{', '.join(steps)}]}}}}}}}}"


def pipeline(*entries, barriers=("x", "y")):
    declared = ", ".join(f"{{name: {b}, identifier: {b}}}" for b in barriers)
    return "pipeline:\n  identifier: p\n  flowControl: {barriers: [" + declared + "]}\n  stages:\n" + "".join(
        f"    - {e}\n" for e in entries
    )


def parallel(*stages):
    return "{parallel: [" + ", ".join(stages) + "]}"


def test_sequential_reuse_is_drawn_red_with_the_ordering_edge_between_the_two_steps():
    g = graph((ROOT / "examples" / "sequential_stages.yaml").read_text())
    assert shape(g) == {
        "clusters": [("c0", "stage", "stage migrate", None), ("c1", "stage", "stage deploy", None)],
        "nodes": [("n0", "step", "schema_ready_gate", "c0"), ("n1", "step", "wait_schema", "c1"),
                  ("n2", "barrier", "schema_ready", None)],
        "edges": [("c0", "c1", "sequence", None), ("n0", "n2", "participant", None),
                  ("n1", "n2", "participant", None), ("n0", "n1", "deadlock", "finishes before")],
        "findings": [("BL203", ["n1", "n0"], ["e3"])],
    }
    assert g["edges"][3]["finding"] == 0
    assert [g["edges"][i].get("deadlock") for i in (1, 2)] == [True, True]
    assert [(n["id"], n["severity"]) for n in g["nodes"]] == [("n0", "error"), ("n1", "error"), ("n2", None)]
    assert g["nodes"][1]["span"] == {"line": 53, "column": 19, "end_line": 59, "end_column": 1} or g["nodes"][1]["span"]["line"] == 53
    assert g["findings"][0]["span"] == {"line": 57, "column": 33, "end_line": 57, "end_column": 45}


def test_crossed_order_draws_each_branch_edge_of_the_cycle():
    # The barriers are drawn in the innermost cluster holding all their participants: the parallel block.
    g = graph(pipeline(parallel(stage("a", [step("a1", "x"), step("a2", "y")]),
                                stage("b", [step("b1", "y"), step("b2", "x")]))))
    assert shape(g) == {
        "clusters": [("c0", "parallel", "parallel", None), ("c1", "stage", "stage a", "c0"),
                     ("c2", "stage", "stage b", "c0")],
        "nodes": [("n0", "step", "a1", "c1"), ("n1", "step", "a2", "c1"), ("n2", "step", "b1", "c2"),
                  ("n3", "step", "b2", "c2"), ("n4", "barrier", "x", "c0"), ("n5", "barrier", "y", "c0")],
        "edges": [("n0", "n1", "sequence", None), ("n2", "n3", "sequence", None),
                  ("n0", "n4", "participant", None), ("n1", "n5", "participant", None),
                  ("n2", "n5", "participant", None), ("n3", "n4", "participant", None),
                  ("n0", "n1", "deadlock", "x then y"), ("n2", "n3", "deadlock", "y then x")],
        # BL205 at each branch's later step; the related places are the other branch's steps.
        "findings": [("BL205", ["n1", "n3", "n0"], ["e6"]), ("BL205", ["n3", "n1", "n2"], ["e7"])],
    }


def test_rollback_steps_are_their_own_cluster_after_the_normal_flow():
    text = pipeline(
        "{stage: {identifier: s, type: Custom, spec: {execution: {"
        f"steps: [{step('n', 'x')}], rollbackSteps: [{step('r', 'x')}]}}}}}}}}",
        parallel(stage("t", [step("t1", "y")]), stage("u", [step("u1", "y")])),
    )
    # BL201 is left out: it also reports this pair today, against the catalogue ("except a normal-flow/
    # rollback pair, which BL204 reports"); that is the rule's business, not the graph's.
    assert shape(graph(text, Config(ignore=frozenset({"BL201"})))) == {
        "clusters": [("c0", "stage", "stage s", None), ("c1", "rollback", "rollback steps", "c0"),
                     ("c2", "parallel", "parallel", None), ("c3", "stage", "stage t", "c2"),
                     ("c4", "stage", "stage u", "c2")],
        "nodes": [("n0", "step", "n", "c0"), ("n1", "step", "r", "c1"), ("n2", "step", "t1", "c3"),
                  ("n3", "step", "u1", "c4"), ("n4", "barrier", "x", "c0"), ("n5", "barrier", "y", "c2")],
        "edges": [("n0", "c1", "sequence", "on failure"), ("c0", "c2", "sequence", None),
                  ("n0", "n4", "participant", None), ("n1", "n4", "participant", None),
                  ("n2", "n5", "participant", None), ("n3", "n5", "participant", None),
                  ("n0", "n1", "deadlock", "before rollback")],
        "findings": [("BL204", ["n1", "n0"], ["e6"])],
    }


def test_dag_stages_follow_depends_on_not_the_file_order():
    text = pipeline(
        stage("a", [step("a1", "x")], "dependsOn: [], "),
        stage("b", [step("b1", "x")], "dependsOn: [], "),
        stage("c", [step("c1", "y")], "dependsOn: [a, b], "),
        barriers=("x", "y"),
    )
    g = graph(text)
    assert [(e["source"], e["target"], e["kind"]) for e in g["edges"] if e["kind"] != "participant"] == [
        ("c0", "c2", "dependsOn"), ("c1", "c2", "dependsOn")]
    assert [c["depends_on"] for c in g["clusters"]] == [[], [], ["a", "b"]]
    assert [f["code"] for f in g["findings"]] == ["BL202"]  # y has one participant; a and b meet at x


def test_stages_without_barriers_collapse_and_runs_of_them_merge():
    quiet = [f"{{stage: {{identifier: q{i}, type: CI, spec: {{execution: {{steps: []}}}}}}}}" for i in range(5)]
    text = pipeline(
        quiet[0], quiet[1],  # two in a row: each its own node
        parallel(stage("a", [step("a1", "x")]), stage("b", [step("b1", "x")])),
        parallel(quiet[0].replace("q0", "p0"), quiet[1].replace("q1", "p1")),  # a quiet parallel block: one node
        stage("c", [step("c1", "x")]),
        quiet[2], quiet[3], quiet[4],  # three in a row: one node
        barriers=("x",),
    )
    s = shape(graph(text))
    assert [n for n in s["nodes"] if n[1] == "stages"] == [
        ("n0", "stages", "stage q0", None), ("n1", "stages", "stage q1", None),
        ("n4", "stages", "2 stages: p0 … p1", None), ("n6", "stages", "3 stages: q2 … q4", None)]
    assert [e for e in s["edges"] if e[2] == "sequence"] == [
        ("n0", "n1", "sequence", None), ("n1", "c0", "sequence", None), ("c0", "n4", "sequence", None),
        ("n4", "c3", "sequence", None), ("c3", "n6", "sequence", None)]


def test_step_groups_with_barriers_are_clusters_and_the_others_are_left_out():
    text = pipeline(parallel(
        "{stage: {identifier: s, type: Custom, spec: {execution: {steps: ["
        "{stepGroup: {identifier: quiet, steps: [{step: {type: ShellScript, identifier: sh}}]}}, "
        f"{{stepGroup: {{identifier: g, steps: [{step('g1', 'x')}]}}}}]}}}}}}}}",
        stage("t", [step("t1", "x")]),
    ), barriers=("x",))
    assert shape(graph(text))["clusters"] == [
        ("c0", "parallel", "parallel", None), ("c1", "stage", "stage s", "c0"), ("c2", "stepGroup", "step group g", "c1"),
        ("c3", "stage", "stage t", "c0")]


def test_single_participant_is_dashed_and_conditional_participant_marked():
    text = pipeline(parallel(
        stage("a", [step("a1", "x", "when: {stageStatus: Success, condition: <+pipeline.variables.go> == 'yes'}, "),
                    step("a2", "y")]),
        stage("b", [step("b1", "x")]),
    ))
    g = graph(text)
    assert [(f["code"], f["nodes"]) for f in g["findings"]] == [("BL206", ["n0"]), ("BL202", ["n1"])]
    participant = {(e["source"], e["target"]): e for e in g["edges"] if e["kind"] == "participant"}
    assert participant[("n1", "n4")].get("dashed") is True
    assert participant[("n0", "n3")].get("dashed") is None
    assert [n["conditional"] for n in g["nodes"] if n["kind"] == "step"] == [True, False, False]
    assert label_lines(g["nodes"][0]) == ["a1", "when: may be skipped"]
    mermaid = to_mermaid(g)
    assert "  n1 -.- n4\n" in mermaid and "  n0 --- n3\n" in mermaid
    assert "  class n1 single\n" in mermaid
    assert 'n0["a1<br/>when: may be skipped"]' in mermaid


def test_a_finding_that_is_ignored_is_not_drawn():
    text = (ROOT / "examples" / "sequential_stages.yaml").read_text()
    g = graph(text, Config(ignore=frozenset({"BL203"})))
    assert [e["kind"] for e in g["edges"]] == ["sequence", "participant", "participant"]
    assert g["findings"] == [] and {n["severity"] for n in g["nodes"]} == {None}


def test_positions_from_another_file_are_labelled_with_their_origin():
    def from_template(p):
        position = p.positions[0]
        via = Span(3, 4, 3, 10)
        s = position.span
        position.span = Span(s.start_line, s.start_col, s.end_line, s.end_col,
                             Origin("templates/gate.yaml", via, "template deploy_gate@v2"))

    g = graph(pipeline(parallel(stage("a", [step("a1", "x")]), stage("b", [step("b1", "x")])), barriers=("x",)),
              edit=from_template)
    node = g["nodes"][0]
    assert (node["origin"], node["span"]["file"]) == ("template deploy_gate@v2", "templates/gate.yaml")
    assert label_lines(node) == ["a1", "from template deploy_gate@v2"]
    assert 'n0["a1<br/>from template deploy_gate@v2"]' in to_mermaid(g)
    assert 'n0 [label="a1\\nfrom template deploy_gate@v2"]' in to_dot(g)


def test_labels_are_escaped_for_mermaid_and_dot():
    text = pipeline(parallel(
        "{stage: {name: 'Say \"hi\" <now> #1', type: Custom, spec: {execution: {steps: ["
        + step("a1", "x") + "]}}}}",
        stage("b", [step("b1", "x")])), barriers=("x",))
    g = graph(text)
    assert g["clusters"][1]["label"] == 'stage Say "hi" <now> #1'
    assert 'subgraph c1["stage Say #34;hi#34; #60;now#62; #35;1"]' in to_mermaid(g)
    assert 'label="stage Say \\"hi\\" <now> #1"' in to_dot(g)


def test_mermaid_form_of_the_sequential_example():
    g = graph((ROOT / "examples" / "sequential_stages.yaml").read_text())
    assert to_mermaid(g) == """\
%% barrier-lint synchronization graph (version 1) of database_release
flowchart TB
  n2{{"schema_ready<br/>Schema Ready"}}
  subgraph c0["stage migrate"]
    direction TB
    n0["schema_ready_gate"]
  end
  subgraph c1["stage deploy"]
    direction TB
    n1["wait_schema"]
  end
  c0 --> c1
  n0 --- n2
  n1 --- n2
  n0 ==>|"finishes before"| n1
  linkStyle 1 stroke:#d00000,stroke-width:2px
  linkStyle 2 stroke:#d00000,stroke-width:2px
  linkStyle 3 stroke:#d00000,stroke-width:3px,color:#d00000
  classDef error fill:#fde2e2,stroke:#d00000,stroke-width:2px,color:#000
  classDef warning fill:#fff1cc,stroke:#b26a00,stroke-width:2px,color:#000
  classDef info fill:#e3efff,stroke:#2f6fdd,stroke-width:2px,color:#000
  classDef barrier fill:#eef6ee,stroke:#2e7d32,color:#000
  classDef single stroke-dasharray:6 4
  classDef parallel fill:none,stroke:#999,stroke-dasharray:3 3
  class n0,n1 error
  class n2 barrier
"""


def test_json_form_round_trips_and_every_drawing_is_made_from_it_alone():
    g = graph((ROOT / "examples" / "crossed_and_looped.yaml").read_text())
    again = json.loads(render(g, "json"))
    assert again == g
    assert to_mermaid(again) == to_mermaid(g) and to_dot(again) == to_dot(g)


def run_cli(*args, stdin=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "barrier_lint", *args], input=stdin, capture_output=True,
                          cwd=cwd, timeout=60)


def test_graph_command_writes_each_format(tmp_path):
    example = str(ROOT / "examples" / "sequential_stages.yaml")
    mermaid = run_cli("graph", example)
    assert mermaid.returncode == 0, mermaid.stderr
    assert mermaid.stdout.decode().startswith("%% barrier-lint synchronization graph (version 1) of database_release\nflowchart TB\n")
    out = tmp_path / "deep" / "g.json"
    result = run_cli("graph", example, "--format", "json", "--output-file", str(out))
    assert (result.returncode, result.stdout) == (0, b"")
    written = json.loads(out.read_text())
    assert (written["file"], written["findings"][0]["code"]) == (example, "BL203")
    dot = run_cli("graph", "-", "--output-format", "dot", "--stdin-filename", "x.yaml", stdin=pathlib.Path(example).read_bytes())
    assert dot.stdout.decode().startswith("// barrier-lint synchronization graph (version 1) of database_release\ndigraph")


def test_graph_command_says_when_there_is_nothing_to_draw(tmp_path):
    other = tmp_path / "other.yaml"
    other.write_text("just: yaml\n")
    result = run_cli("graph", str(other))
    assert result.returncode == 2
    assert result.stderr.decode() == f"barrier-lint: nothing to draw: {other} holds no Harness pipeline, stage, step group or step\n"
    missing = run_cli("graph", str(tmp_path / "missing.yaml"))
    assert (missing.returncode, missing.stderr.decode()) == (2, f"barrier-lint: cannot read {tmp_path / 'missing.yaml'}: No such file or directory\n")


def test_graph_command_draws_the_document_asked_for(tmp_path):
    two = tmp_path / "two.yaml"
    two.write_text(pipeline(stage("a", [step("a1", "x")])) + "---\n" + pipeline(stage("b", [step("b1", "x")])))
    result = run_cli("graph", str(two), "--document", "2", "--format", "json")
    g = json.loads(result.stdout)
    assert (g["document"], g["clusters"][0]["label"]) == (1, "stage b")


def test_graph_command_draws_the_model_resolved_against_the_repository():
    """examples/harness-repo: the Barrier steps come from a template used in two sequential stages."""
    repo = ROOT / "examples" / "harness-repo"
    result = run_cli("graph", ".harness/pipelines/storefront_release.yaml", "--format", "json", cwd=repo)
    g = json.loads(result.stdout)
    assert [(n["label"], n["origin"], n["span"].get("file")) for n in g["nodes"]] == [
        ("wait_for_peers", "template canary_gate@v2", ".harness/templates/canary_gate/v2.yaml"),
        ("wait_for_peers", "template canary_gate@v2", ".harness/templates/canary_gate/v2.yaml"),
        ("canaries_healthy", None, None),
    ]
    # The finding is reported at the second use's templateRef; its deadlock edge joins the template's steps.
    assert [(f["code"], f["span"]["line"], f["edges"]) for f in g["findings"]] == [("BL203", 25, ["e3"])]
    assert (g["edges"][3]["source"], g["edges"][3]["target"], g["edges"][3]["kind"]) == ("n0", "n1", "deadlock")
    # A child pipeline's steps are drawn inside its Pipeline stage, labelled with it.
    train = run_cli("graph", ".harness/pipelines/storefront_train.yaml", cwd=repo).stdout.decode()
    assert '    subgraph c2["stage migrate<br/>from child pipeline storefront_migrations"]\n' in train
    assert "  n0 ==>|\"finishes before\"| n1\n" in train
    # --no-resolve: the file alone, whose stages show no Barrier step.
    alone = json.loads(run_cli("graph", ".harness/pipelines/storefront_release.yaml", "--no-resolve", "--format", "json",
                               cwd=repo).stdout)
    assert [(n["kind"], n["label"]) for n in alone["nodes"]] == [
        ("stages", "stage cart"), ("stages", "stage checkout"), ("barrier", "canaries_healthy")]


def test_every_real_file_draws_each_barrier_step_once():
    """The real Harness files (v0 and v1, templates included): each analysed document draws, with one node
    per Barrier step, and DOT, Mermaid and SVG forms made from it."""
    from .conftest import CORPUS

    files = sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []
    if not files:
        import pytest

        pytest.skip("the shared corpus is not here")
    drawn = 0
    for path in files:
        parsed = parse(path.read_text(encoding="utf-8", errors="replace"))
        diagnostics = lint_parsed(parsed)
        for document in parsed.documents:
            if document.pipeline is None or not document.kind.is_analysed:
                continue
            g = graph_of(parsed, diagnostics, document.index)
            steps = [n for n in g["nodes"] if n["kind"] == "step"]
            assert {n["path"] for n in steps} == {format_path(p.path) for p in document.pipeline.positions}, path.name
            assert to_mermaid(g) and to_dot(g)
            svg = ET.fromstring(to_svg(g))  # the view's drawing: every node and cluster, each once
            ids = [e.get("data-graph-id") for e in svg.iter("{http://www.w3.org/2000/svg}g") if e.get("data-graph-id")]
            assert sorted(ids) == sorted([c["id"] for c in g["clusters"]] + [n["id"] for n in g["nodes"]]), path.name
            drawn += 1
    assert drawn >= 80  # of about 95 files, the others are input sets and other YAML
