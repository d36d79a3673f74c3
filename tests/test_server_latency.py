"""Completion and hover never wait behind a lint (issue 13, part 5): the lint after a change runs in the
server's worker thread, so requests sent right after a change to a large document are read and answered
before that change's diagnostics are published. Through the raw JSON-RPC client (`lsp_fixtures/raw.py`),
which records the server's messages in the order they arrive."""

from __future__ import annotations

import pytest

from bench.generate import pipeline
from tests.lsp_fixtures.raw import RawServer

pytestmark = pytest.mark.timeout(180)

# About 30,000 lines: one lint costs over half a second of CPU, far more than answering a request.
TEXT = pipeline(30_000)
LINES = TEXT.split("\n")
REF_LINE = next(i for i, line in enumerate(LINES) if "barrierRef: " in line)
REF_COL = LINES[REF_LINE].index("barrierRef: ") + len("barrierRef: ")
URI = "file:///work/large.yaml"


@pytest.fixture
def raw():
    server = RawServer("--debounce-ms", "0")
    server.initialize()
    yield server
    server.close()


def published(raw: RawServer, version: int) -> bool:
    return any(
        m["method"] == "textDocument/publishDiagnostics" and m["params"].get("version") == version for m in raw.notifications
    )


def test_completion_and_hover_right_after_a_change_are_answered_before_its_diagnostics(raw):
    assert raw.open(URI, TEXT, timeout=120) == []
    # An edit at the end of the document, below the requests' positions, outside every stage (a key of the
    # root), so that its analysis is a full parse: an edit inside a stage re-reads only that stage, which is
    # too fast to race.
    last = len(LINES) - 1
    raw.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": last, "character": 0}, "end": {"line": last, "character": 0}}, "text": "notes: edited\n"}]})
    at = {"textDocument": {"uri": URI}, "position": {"line": REF_LINE, "character": REF_COL}}
    completion = raw.request("textDocument/completion", at, timeout=120)
    hover = raw.request("textDocument/hover", at, timeout=120)
    # Both answers arrived before the diagnostics of version 2 (messages are recorded in arrival order).
    assert not published(raw, 2)
    labels = [item["label"] for item in completion["result"]["items"]]
    assert labels[:2] == ["block0_gate0", "block0_gate1"]
    assert hover["result"]["contents"]["value"].startswith("**Barrier block0_gate0** (`block0_gate0`)\n\nParticipants (3):\n- stage b0_lane0, step gate_0 (line 735)")
    assert raw.diagnostics(URI, 2, timeout=120) == []
    # A request that reads the whole document waits for that analysis (without blocking the loop) and reads
    # the new version: the line added at the end is in the outline's range.
    symbols = raw.request("textDocument/documentSymbol", {"textDocument": {"uri": URI}}, timeout=120)["result"]
    assert symbols[0]["range"]["end"]["line"] >= last - 1
