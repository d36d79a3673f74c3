"""The server under a raw JSON-RPC client that is not pygls (`tests/lsp_fixtures/raw.py`: a subprocess and
frames written byte by byte): bad framing, malformed and binary bodies, unknown methods, the lifecycle of
the specification, out-of-range positions and edits, edits splitting a surrogate pair, a burst of 1,000
edits, a 20 MB document, cancellation, and shutdown. After each case the server answers a normal request
correctly, and its resident memory (VmRSS) stays bounded."""

from __future__ import annotations

import json
import time

import pytest

from bench.generate import one_line_pipeline
from tests.lsp_fixtures.harness import fixture_text
from tests.lsp_fixtures.raw import RawServer, frame

RELEASE = fixture_text("release.yaml")
REF = (23, 40)  # a barrierRef of services_deployed in RELEASE
WEB_LINE = RELEASE.split("\n")[25]  # the flow-style stage named "Café 🚀", with the misspelt services_deployd
# Resident memory allowed above the server's own after initialize, in kB, for an ordinary case.
MEMORY_ALLOWANCE_KB = 60_000

pytestmark = pytest.mark.timeout(120)


def started(*args: str, encoding: str = "utf-16") -> RawServer:
    raw = RawServer(*args)
    raw.initialize(encoding)
    raw.baseline_kb = raw.rss_kb()
    return raw


@pytest.fixture(scope="module")
def server():
    """One server for the cases it must survive: each case then also runs after all those before it."""
    raw = started("--debounce-ms", "0")
    yield raw
    raw.close()


@pytest.fixture
def fresh():
    """A server of its own, for a case that ends it or grows it."""
    raw = started("--debounce-ms", "0")
    yield raw
    raw.close()


def hover(raw: RawServer, uri: str, line: int, character: int, msg_id=None) -> dict:
    params = {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
    if msg_id is None:
        return raw.request("textDocument/hover", params)
    raw.send({"jsonrpc": "2.0", "id": msg_id, "method": "textDocument/hover", "params": params})
    return raw.wait_response(msg_id)


def hover_message(msg_id) -> dict:
    return {"jsonrpc": "2.0", "id": msg_id, "method": "textDocument/hover",
            "params": {"textDocument": {"uri": "file:///work/nowhere.yaml"}, "position": {"line": 0, "character": 0}}}


def still_answers(raw: RawServer, allowance_kb: int = MEMORY_ALLOWANCE_KB) -> None:
    """A normal request gets its correct answer, and memory has not run away."""
    uri = f"file:///work/check-{raw.request_id()}.yaml"
    diagnostics = raw.open(uri, RELEASE)
    assert [d["code"] for d in diagnostics] == ["BL105", "BL202", "BL101"]
    answer = hover(raw, uri, *REF)
    assert answer["result"]["contents"]["value"].startswith("**Barrier Services Deployed** (`services_deployed`)")
    assert raw.rss_kb() < raw.baseline_kb + allowance_kb, (raw.baseline_kb, raw.rss_kb())
    raw.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


# ---------------------------------------------------------------------------------------------- framing


def test_malformed_json_gets_a_parse_error(server):
    server.write(frame(b'{"jsonrpc": "2.0", "id": 5, "method": '))
    error = server.wait_response(None)["error"]
    assert error["code"] == -32700 and "not JSON" in error["message"]
    still_answers(server)


def test_binary_body_gets_a_parse_error(server):
    server.write(frame(bytes(range(256)) * 4))
    assert server.wait_response(None)["error"]["code"] == -32700
    server.write(frame(b"\xff\xfe{\x00}"))
    assert server.wait_response(None)["error"]["code"] == -32700
    still_answers(server)


def test_content_length_too_long_then_another_frame(server):
    """The frame's message is answered, and the frame after it, whose header it ran into, too."""
    body = json.dumps(hover_message(101)).encode()
    server.write(frame(body, len(body) + 3) + frame(hover_message(102)))
    assert server.wait_response(101)["result"] is None
    assert server.wait_response(102)["result"] is None
    still_answers(server)


def test_content_length_too_long_and_nothing_after(server):
    """The bytes it waits for never come: when the stream pauses, the message that did arrive is answered."""
    body = json.dumps(hover_message(103)).encode()
    server.write(frame(body, len(body) + 3))
    assert server.wait_response(103)["result"] is None
    still_answers(server)


def test_content_length_too_short(server):
    body = json.dumps(hover_message(104)).encode()
    server.write(frame(body, len(body) - 3) + frame(hover_message(105)))
    assert server.wait_response(None)["error"]["code"] == -32700
    assert server.wait_response(105)["result"] is None
    still_answers(server)


@pytest.mark.parametrize("length", ["99999999999999999999", "abc", "-5", ""])
def test_unusable_content_length_reads_the_json_that_follows(server, length):
    server.write(frame(hover_message(106), length))
    assert server.wait_response(106)["result"] is None
    still_answers(server)


def test_missing_content_length_and_garbage_between_frames(server):
    body = json.dumps(hover_message(107)).encode()
    server.write(b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + body)
    assert server.wait_response(107)["result"] is None
    server.write(b"\x00\xffnot a header at all\r\n\r\n" + frame(hover_message(108)))
    assert server.wait_response(108)["result"] is None
    still_answers(server)


def test_not_json_rpc(server):
    server.send([hover_message(109)])  # a batch: LSP has none
    assert server.wait_response(None)["error"]["code"] == -32600
    server.send({"jsonrpc": "1.0", "id": 110, "method": "textDocument/hover"})
    assert server.wait_response(110)["error"]["code"] == -32600
    server.send({"jsonrpc": "2.0", "id": {"an": "object"}, "method": "textDocument/hover"})
    assert server.wait_response(None)["error"]["code"] == -32600
    still_answers(server)


def test_unknown_methods(server):
    assert server.request("barrierLint/noSuchRequest", {"x": 1})["error"]["code"] == -32601
    server.notify("barrierLint/noSuchNotification", [1, 2, 3])
    server.notify("$/somethingOptional", {})
    still_answers(server)


# -------------------------------------------------------------------------------------------- lifecycle


def test_requests_before_initialize_and_shutdown_before_initialize():
    raw = RawServer()
    try:
        assert hover(raw, "file:///work/x.yaml", 0, 0)["error"]["code"] == -32002
        raw.notify("textDocument/didOpen", {"textDocument": {"uri": "file:///work/early.yaml", "languageId": "yaml", "version": 1, "text": RELEASE}})
        assert raw.request("shutdown")["error"]["code"] == -32002
        assert raw.initialize()["result"]["serverInfo"]["name"] == "barrier-lint"
        # the didOpen before initialize was dropped, as the specification says
        assert hover(raw, "file:///work/early.yaml", *REF)["result"] is None
        raw.baseline_kb = raw.rss_kb()
        still_answers(raw)
    finally:
        raw.close()


def test_a_second_initialize_is_refused_and_keeps_the_open_documents(server):
    uri = "file:///work/unsaved/never-on-disk.yaml"
    server.open(uri, RELEASE)
    again = server.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
    assert again["error"]["code"] == -32600
    # the document's unsaved text is still what the server analyses
    assert hover(server, uri, *REF)["result"]["contents"]["value"].startswith("**Barrier Services Deployed**")
    still_answers(server)


def test_shutdown_then_more_requests_then_exit(fresh):
    server = fresh
    still_answers(server)
    assert server.request("shutdown") == {"jsonrpc": "2.0", "id": server.next_id, "result": None}
    assert hover(server, "file:///work/x.yaml", 0, 0)["error"]["code"] == -32600
    assert server.request("shutdown")["error"]["code"] == -32600
    server.notify("textDocument/didOpen", {"textDocument": {"uri": "file:///work/late.yaml", "languageId": "yaml", "version": 1, "text": RELEASE}})
    assert server.request("initialize", {"processId": None, "capabilities": {}})["error"]["code"] == -32600
    server.notify("exit")
    assert server.wait_exit() == 0


def test_exit_without_shutdown_exits_1(fresh):
    fresh.notify("exit")
    assert fresh.wait_exit() == 1


def test_exit_before_initialize_exits_1():
    raw = RawServer()
    try:
        raw.notify("exit")
        assert raw.wait_exit() == 1
    finally:
        raw.close()


@pytest.mark.parametrize("shut_down, code", [(True, 0), (False, 1)])
def test_end_of_input_ends_the_server_like_exit(shut_down, code):
    """The client went away without `exit`: the exit code says whether it had shut the server down."""
    raw = started()
    try:
        if shut_down:
            assert raw.request("shutdown")["result"] is None
        raw.process.stdin.close()  # type: ignore[union-attr]
        assert raw.wait_exit() == code
    finally:
        raw.close()


def test_cancel_request(server):
    uri = "file:///work/cancel.yaml"
    server.open(uri, RELEASE)
    params = {"textDocument": {"uri": uri}, "position": {"line": REF[0], "character": REF[1]}}
    server.send({"jsonrpc": "2.0", "id": 201, "method": "textDocument/hover", "params": params})
    server.notify("$/cancelRequest", {"id": 201})
    answer = server.wait_response(201)  # answered either way: with its result, or as cancelled
    assert "result" in answer or answer["error"]["code"] == -32800
    server.notify("$/cancelRequest", {"id": "never-sent"})
    server.notify("$/cancelRequest", {"id": None})
    still_answers(server)


# ---------------------------------------------------------------------------------------------- content


def test_out_of_range_positions_and_edits(server):
    uri = "file:///work/range.yaml"
    server.open(uri, RELEASE)
    for line, character in ((10**6, 0), (0, 10**9), (10**6, 10**9), (2**31 - 1, 2**31 - 1)):
        assert hover(server, uri, line, character)["result"] is None
        actions = server.request("textDocument/codeAction", {
            "textDocument": {"uri": uri}, "context": {"diagnostics": []},
            "range": {"start": {"line": line, "character": character}, "end": {"line": 0, "character": 0}}})
        assert actions["result"] == []
    assert hover(server, uri, -1, 0)["error"]["code"] == -32602
    for version, change in enumerate(
        [
            {"range": {"start": {"line": 5000, "character": 0}, "end": {"line": 6000, "character": 9}}, "text": "garbage"},
            {"range": {"start": {"line": 20, "character": 50}, "end": {"line": 3, "character": 0}}, "text": "x"},
            {"range": {"start": {"line": 3, "character": 10**9}, "end": {"line": 3, "character": 10**9}}, "text": ""},
        ],
        start=2,
    ):
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]})
        server.diagnostics(uri, version)
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 9}, "contentChanges": [{"text": RELEASE}]})
    assert [d["code"] for d in server.diagnostics(uri, 9)] == ["BL105", "BL202", "BL101"]
    still_answers(server)


@pytest.mark.parametrize("encoding, inside", [("utf-16", 1), ("utf-8", 2)])
def test_an_edit_splitting_a_surrogate_pair_lands_after_the_character(encoding, inside):
    raw = started("--debounce-ms", "0", encoding=encoding)
    try:
        uri = "file:///work/pair.yaml"
        before = raw.open(uri, RELEASE)[2]["range"]
        rocket = WEB_LINE[: WEB_LINE.index("🚀")]
        at = len(rocket.encode("utf-16-le")) // 2 if encoding == "utf-16" else len(rocket.encode())
        at += inside  # between the halves of the pair (UTF-16), inside its four bytes (UTF-8)
        raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": {"start": {"line": 25, "character": at}, "end": {"line": 25, "character": at}}, "text": "x"}]})
        after = next(d for d in raw.diagnostics(uri, 2) if d["code"] == "BL101")["range"]
        # `x` went in after the rocket: the misspelt reference later on the line moved by one unit
        assert after["start"] == {"line": 25, "character": before["start"]["character"] + 1}
        # new text with a lone surrogate in it: analysed or logged, never fatal
        raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
            {"range": {"start": {"line": 2, "character": 8}, "end": {"line": 2, "character": 8}}, "text": "\ud800"}]})
        raw.diagnostics(uri, 3)
        still_answers(raw)
    finally:
        raw.close()


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_an_edit_after_a_character_python_splits_lines_at_lands_on_its_line(server, separator):
    """U+2028, U+2029 and U+0085 end a line for str.splitlines, not for LSP."""
    uri = f"file:///work/separator-{ord(separator)}.yaml"
    text = RELEASE.replace("  name: Release\n", f'  name: "Re{separator}lease"\n')
    before = next(d for d in server.open(uri, text) if d["code"] == "BL101")["range"]
    at = WEB_LINE.index("Café") + 1
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": 25, "character": at}, "end": {"line": 25, "character": at}}, "text": "x"}]})
    after = next(d for d in server.diagnostics(uri, 2) if d["code"] == "BL101")["range"]
    assert after["start"] == {"line": 25, "character": before["start"]["character"] + 1}
    still_answers(server)


def test_a_thousand_edits_in_a_second():
    raw = started()  # the default debounce: a burst is linted once
    try:
        uri = "file:///work/burst.yaml"
        raw.open(uri, RELEASE)
        begun = time.monotonic()
        for i in range(1000):
            # type `#` at the start of line 2 and delete it again
            end = 0 if i % 2 == 0 else 1
            raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2 + i}, "contentChanges": [
                {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": end}}, "text": "#" if end == 0 else ""}]})
            if i % 100 == 99:
                time.sleep(max(0.0, begun + (i + 1) / 1000 - time.monotonic()))
        assert [d["code"] for d in raw.diagnostics(uri, 1001)] == ["BL105", "BL202", "BL101"]
        still_answers(raw)
    finally:
        raw.close()


def test_a_20_mb_document(fresh):
    server = fresh
    uri = "file:///work/huge.yaml"
    text = RELEASE + "# padding that makes the document 20 MB\n" * 500_000
    assert len(text) > 20_000_000
    assert server.open(uri, text) == []
    assert any("too large to analyse" in m["params"]["message"] for m in server.notifications if m["method"] == "window/logMessage")
    assert hover(server, uri, *REF)["result"] is None
    server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
        {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# "}]})
    assert server.diagnostics(uri, 2) == []
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    still_answers(server, allowance_kb=400_000)


def test_a_recursive_alias_does_not_hang_the_server(server):
    uri = "file:///work/recursive.yaml"
    server.open(uri, "a: &x\n  - *x\n")
    assert hover(server, uri, 1, 5)["result"] is None
    symbols = server.request("textDocument/documentSymbol", {"textDocument": {"uri": uri}})
    assert symbols["result"] == []
    server.open("file:///work/recursive-map.yaml", "a: &x\n  b: *x\n")
    server.open("file:///work/recursive-stages.yaml", "pipeline:\n  identifier: p\n  stages: &s\n    - parallel: *s\n")
    still_answers(server)


def test_a_one_line_pipeline_with_a_thousand_findings_is_answered_fast(server):
    """156 KB on one line, 1,001 findings: every position conversion used to count from the start of the line
    (18 s to the diagnostics, 55 s to the code actions)."""
    uri = "file:///work/one-line.yaml"
    text = one_line_pipeline().replace("name: One line", 'name: "Café 🚀 one line"')
    started = time.monotonic()
    diagnostics = server.open(uri, text)
    assert len(diagnostics) == 1001
    last = text.rindex("gate_999")
    assert diagnostics[-1]["range"]["start"] == {"line": 0, "character": len(text[:last].encode("utf-16-le")) // 2}
    whole = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}
    actions = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}})
    assert sum(a["title"].startswith("Suppress") for a in actions["result"]) == 1001
    assert time.monotonic() - started < 20  # was 74 s; about 2 s on a loaded machine
    still_answers(server)
