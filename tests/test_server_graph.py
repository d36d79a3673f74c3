"""`barrierLint/syncGraph` over stdio: the graph of the open document's current text with its Mermaid and
DOT forms, and each item's range in the client's position encoding."""

from __future__ import annotations

import pytest
from pygls.exceptions import JsonRpcException

from barrier_lint.graph_render import to_mermaid
from tests.lsp_fixtures.harness import make_client_fixture

client = make_client_fixture()

URI = "file:///work/graph.yaml"
# Two stages one after the other with the same barrier; the step names carry an emoji and an accent, so
# the ranges after them differ between UTF-16 and UTF-8 clients.
TEXT = """\
pipeline:
  identifier: p
  flowControl:
    barriers:
      - {name: Ready, identifier: ready}
  stages:
    - stage:
        identifier: build
        type: Custom
        spec:
          execution:
            steps:
              - step: {name: "🚀é", type: Barrier, identifier: a, spec: {barrierRef: ready}}
    - stage:
        identifier: deploy
        type: Custom
        spec:
          execution:
            steps:
              - step: {name: "🚀é", type: Barrier, identifier: b, spec: {barrierRef: ready}}
"""


def field(value, name):
    return value[name] if isinstance(value, dict) else getattr(value, name)


async def request(session, uri=URI, **extra):
    return await session.client.protocol.send_request_async(
        "barrierLint/syncGraph", {"textDocument": {"uri": uri}, **extra})


async def test_sync_graph_answers_the_graph_its_text_forms_and_ranges(client):
    session = client.session
    await session.open(URI, TEXT)
    result = await request(session)
    graph = result.graph
    nodes = [(field(n, "id"), field(n, "kind"), field(n, "label")) for n in graph.nodes]
    assert nodes == [("n0", "step", "a"), ("n1", "step", "b"), ("n2", "barrier", "ready")]
    deadlocks = [(field(e, "source"), field(e, "target"), field(e, "label")) for e in graph.edges if field(e, "kind") == "deadlock"]
    assert deadlocks == [("n0", "n1", "finishes before")]
    assert (result.uri, result.version, field(graph, "file")) == (URI, 1, URI)
    assert result.mermaid.startswith("%% barrier-lint synchronization graph (version 1) of p\nflowchart TB\n")
    assert "  n0 ==>|\"finishes before\"| n1\n" in result.mermaid
    assert result.dot.startswith("// barrier-lint synchronization graph (version 1) of p\ndigraph")
    assert result.svg.startswith('<svg xmlns="http://www.w3.org/2000/svg" class="bl-graph"')
    assert 'data-kind="deadlock" data-id="L_n0_n1_0"' in result.svg
    # The barrierRef value of step b, line 19, after `🚀é` (2 UTF-16 units or 4 UTF-8 bytes for the rocket).
    line = TEXT.splitlines()[19]
    start = session.columns(line, line.index("ready}"))
    r = result.ranges.n1
    assert (r.start.line, r.start.character, r.end.line, r.end.character) == (19, start, 19, start + 5)
    c = result.ranges.c1  # the `stage` key of deploy
    assert (c.start.line, c.start.character, c.end.line, c.end.character) == (13, 6, 13, 11)


async def test_sync_graph_follows_the_edits(client):
    session = client.session
    await session.open(URI, TEXT)
    version = session.change(URI, TEXT.replace("barrierRef: ready}}\n    - stage:", "barrierRef: ready}}\n    - stage:", 1)
                             .replace("identifier: b, spec: {barrierRef: ready}", "identifier: b, spec: {barrierRef: other}"))
    result = await request(session)
    assert result.version == version
    assert [field(e, "kind") for e in result.graph.edges] == ["sequence", "participant", "participant"]
    assert [field(n, "label") for n in result.graph.nodes] == ["a", "b", "ready", "other"]


async def test_sync_graph_for_a_file_with_nothing_to_draw_or_not_open(client):
    session = client.session
    await session.open("file:///work/other.yaml", "just: yaml\n")
    assert await request(session, "file:///work/other.yaml") is None
    assert await request(session, "file:///work/never-opened.yaml") is None
    with pytest.raises(JsonRpcException, match="needs params.textDocument.uri"):
        await session.client.protocol.send_request_async("barrierLint/syncGraph", {"textDocument": {}})


def test_the_mermaid_answered_is_the_command_lines(tmp_path):
    """The server draws with the same renderer as `barrier-lint graph`: one graph, every drawing."""
    from barrier_lint.graph import graph_of
    from barrier_lint.linter import lint_parsed
    from barrier_lint.parse import parse

    parsed = parse(TEXT)
    graph = graph_of(parsed, lint_parsed(parsed))
    graph["file"] = URI
    assert to_mermaid(graph).splitlines()[0] == "%% barrier-lint synchronization graph (version 1) of p"
