"""The synchronization graph resolved against the workspace (issue 14 part 1), in every place it is drawn:
`barrier-lint graph`, the markdown format's diagrams (run from the command line) and the language server's
`barrierLint/syncGraph` (through a real client over stdio). tests/graph/workspace: a crossed order whose one
branch comes from a stage template, and a child pipeline that is the only participant of a barrier."""

from __future__ import annotations

import json
import re
import shutil

import pytest
import pytest_lsp
from pytest_lsp import LanguageClient

from tests.lsp_fixtures.harness import CLIENTS, server_config

from .conftest import ROOT
from .test_graph import run_cli
from .test_server_workspace import open_indexed

CASE = ROOT / "tests" / "graph" / "workspace"
RELEASE = ".harness/release.yaml"
TEMPLATE = ".harness/templates/push_then_warm.yaml"
CHILD = ".harness/smoke.yaml"

# (id, kind, label, cluster or parent, origin, the file it is written in, line)
CLUSTERS = [
    ("c0", "parallel", "parallel", None, None, None, None),
    ("c1", "stage", "stage api", "c0", None, None, 18),
    ("c2", "stage", "stage web", "c0", None, None, 24),
    ("c3", "stage", "stage smoke", None, None, None, 33),
    ("c4", "stage", "stage check", "c3", "child pipeline smoke", CHILD, 9),
]
NODES = [
    ("n0", "step", "push", "c1", "template push_then_warm@v1", TEMPLATE, 13),
    ("n1", "step", "warm", "c1", "template push_then_warm@v1", TEMPLATE, 14),
    ("n2", "step", "web_warm", "c2", None, None, 30),
    ("n3", "step", "web_push", "c2", None, None, 31),
    ("n4", "step", "join", "c4", "child pipeline smoke", CHILD, 15),
    ("n5", "barrier", "config_pushed", "c0", None, None, 12),
    ("n6", "barrier", "caches_warm", "c0", None, None, 13),
    ("n7", "barrier", "smoke_done", "c4", None, None, 14),
]
# (id, source, target, kind, label, deadlock participant link / dashed)
EDGES = [
    ("e0", "n0", "n1", "sequence", None, None),
    ("e1", "n2", "n3", "sequence", None, None),
    ("e2", "c0", "c3", "sequence", None, None),
    ("e3", "n0", "n5", "participant", None, "deadlock"),
    ("e4", "n1", "n6", "participant", None, "deadlock"),
    ("e5", "n2", "n6", "participant", None, "deadlock"),
    ("e6", "n3", "n5", "participant", None, "deadlock"),
    ("e7", "n4", "n7", "participant", None, "dashed"),
    ("e8", "n2", "n3", "deadlock", "caches_warm then config_pushed", None),
    ("e9", "n0", "n1", "deadlock", "config_pushed then caches_warm", None),
]
# (code, line, column, nodes, deadlock edges): the first BL205 is at the template use (line 21).
FINDINGS = [
    ("BL205", 21, 28, ["n0", "n1", "n3"], ["e9"]),
    ("BL205", 31, 96, ["n3", "n1", "n2"], ["e8"]),
    ("BL202", 39, 21, ["n4"], []),
]


def get(value, name):
    return value.get(name) if isinstance(value, dict) else getattr(value, name, None)


def shape(graph) -> tuple[list, list, list, list]:
    """The graph's items as the tables above write them (the JSON as a client sees it: dicts or objects)."""
    def where(item):
        span = get(item, "span")
        return (get(span, "file"), get(span, "line")) if span is not None else (None, None)

    clusters = [(get(c, "id"), get(c, "kind"), get(c, "label"), get(c, "parent"), get(c, "origin"), *where(c))
                for c in get(graph, "clusters")]
    nodes = [(get(n, "id"), get(n, "kind"), get(n, "label"), get(n, "cluster"), get(n, "origin"), *where(n))
             for n in get(graph, "nodes")]
    edges = [(get(e, "id"), get(e, "source"), get(e, "target"), get(e, "kind"), get(e, "label"),
              "deadlock" if get(e, "deadlock") else "dashed" if get(e, "dashed") else None)
             for e in get(graph, "edges")]
    findings = [(get(f, "code"), get(get(f, "span"), "line"), get(get(f, "span"), "column"), list(get(f, "nodes")),
                 list(get(f, "edges"))) for f in get(graph, "findings")]
    return clusters, nodes, edges, findings


def test_the_graph_command_draws_the_template_and_the_child_pipeline():
    g = json.loads(run_cli("graph", RELEASE, "--format", "json", cwd=CASE).stdout)
    assert shape(g) == (CLUSTERS, NODES, EDGES, FINDINGS)


def test_the_markdown_diagrams_are_drawn_from_the_resolved_pipeline():
    """Each error's diagram holds the template's steps and the red edge between them, as `graph` draws them;
    it used to be drawn from the file alone (stage api without its steps, no deadlock edge)."""
    out = run_cli("--format", "markdown", RELEASE, cwd=CASE).stdout.decode()
    diagrams = re.findall(r"```mermaid\n(.*?)```", out, re.DOTALL)
    assert len(diagrams) == 2  # the two errors; the warning has no diagram
    first = diagrams[0].splitlines()
    assert [line.strip() for line in first if re.match(r"\s+(n\d|subgraph)", line)] == [
        'subgraph c0["parallel"]',
        'n5{{"config_pushed<br/>Config Pushed"}}',
        'n6{{"caches_warm<br/>Caches Warm"}}',
        'subgraph c1["stage api"]',
        'n0["push<br/>from template push_then_warm@v1"]',
        'n1["warm<br/>from template push_then_warm@v1"]',
        'subgraph c2["stage web"]',
        'n2["web_warm"]',
        'n3["web_push"]',
        "n0 --> n1",
        "n2 --> n3",
        "n0 --- n5",
        "n1 --- n6",
        "n2 --- n6",
        "n3 --- n5",
        'n2 ==>|"caches_warm then config_pushed"| n3',
        'n0 ==>|"config_pushed then caches_warm"| n1',
    ]
    assert "  class n0,n1,n2,n3 error" in first
    # --no-resolve: the file alone, whose stage api has no Barrier step to draw.
    alone = run_cli("--format", "markdown", "--no-resolve", RELEASE, cwd=CASE).stdout.decode()
    assert "from template" not in alone


@pytest_lsp.fixture(config=server_config("--debounce-ms", "0"), params=CLIENTS)
async def bare(request, lsp_client: LanguageClient):
    lsp_client.kind = request.param  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


async def test_sync_graph_is_the_pipeline_resolved_against_the_workspace(bare, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(CASE, repo)
    opened = await open_indexed(bare, repo, RELEASE)
    result = await bare.protocol.send_request_async("barrierLint/syncGraph", {"textDocument": {"uri": opened}})
    # Here an item written in another file names it as the workspace does: its absolute path.
    def absolute(items):
        return [(*item[:5], str(repo / item[5]) if item[5] else None, item[6]) for item in items]

    assert shape(result.graph) == (absolute(CLUSTERS), absolute(NODES), EDGES, FINDINGS)
    assert '      n0["push<br/>from template push_then_warm@v1"]' in result.mermaid.splitlines()
    # Items written in this file can be revealed; those from the template and the child pipeline cannot.
    ranges = {key: (r.start.line, r.start.character) for key, r in result.ranges._asdict().items()}
    assert sorted(ranges) == ["c1", "c2", "c3", "n2", "n3", "n5", "n6", "n7"]
    assert (ranges["n2"], ranges["n5"]) == ((29, 95), (11, 42))


def test_a_pipeline_without_template_uses_is_drawn_without_loading_its_workspace(tmp_path, monkeypatch):
    """As the linter does (cli._standalone): resolution cannot change a file with no template use, child
    pipeline or input set, so `graph` does not read its folder (in a big folder without a repository, such
    as /tmp, reading it took seconds)."""
    import io

    from barrier_lint import cli, workspace

    def refuse(*args, **kwargs):
        raise AssertionError("the workspace was loaded")

    monkeypatch.setattr(workspace.Workspace, "load", refuse)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text((ROOT / "examples" / "sequential_stages.yaml").read_text())
    out = io.StringIO()
    assert cli.graph_command(["p.yaml", "--format", "json"], out) == 0
    assert [f["code"] for f in json.loads(out.getvalue())["findings"]] == ["BL203"]
    # A file that uses a template still is resolved against its workspace.
    (tmp_path / "t.yaml").write_text((CASE / RELEASE).read_text())
    with pytest.raises(AssertionError, match="the workspace was loaded"):
        cli.graph_command(["t.yaml"], io.StringIO())
