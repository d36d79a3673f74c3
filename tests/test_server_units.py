"""In-process checks of the server's pieces that the stdio tests cannot reach: a failing handler, the
debounce option, position conversion at surrogate pairs, layout detection and the tolerant scan."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from barrier_lint.model import Span
from barrier_lint_server.actions import Layout
from barrier_lint_server.completion import scan_declarations
from barrier_lint_server.convert import Positions, split_lines
from barrier_lint_server.server import create_server, guarded


async def test_a_failing_handler_logs_and_returns_the_empty_result():
    server = create_server()
    logged = []
    server.log = lambda message, kind=types.MessageType.Warning: logged.append((message, kind))  # type: ignore[method-assign]

    def explode(params):
        raise KeyError("boom")

    handler = guarded(server, lambda: [])(explode)
    assert await handler(None) == []
    ((message, kind),) = logged
    assert message.startswith("explode failed:\nTraceback") and "KeyError: 'boom'" in message
    assert kind == types.MessageType.Error


def test_initialization_options_set_the_debounce():
    server = create_server()
    handler = server.protocol.fm.features[types.INITIALIZE]
    params = types.InitializeParams(capabilities=types.ClientCapabilities(), initialization_options={"debounceMs": 0})
    import asyncio

    asyncio.run(handler(params))
    assert server.debounce == 0
    assert create_server().debounce == 0.2
    assert create_server(debounce_ms=50).debounce == 0.05


def test_positions_convert_code_points_to_each_encoding_and_back():
    lines = split_lines('name: "Café 🚀", ref: x\r\nnext\rlast')
    assert lines == ['name: "Café 🚀", ref: x', "next", "last"]
    col = lines[0].index("ref")  # 16 code points
    for encoding, units in (("utf-8", 20), ("utf-16", 17), ("utf-32", 16)):
        positions = Positions(lines, PositionCodec(encoding))
        assert positions.range(Span(0, col, 0, col + 3)) == types.Range(
            start=types.Position(line=0, character=units), end=types.Position(line=0, character=units + 3)
        )
        assert positions.to_server(types.Position(line=0, character=units)) == (0, col)
    positions = Positions(lines, PositionCodec("utf-16"))
    assert positions.to_server(types.Position(line=99, character=99)) == (2, 4)
    assert positions.to_server(types.Position(line=1, character=99)) == (1, 4)


def test_positions_agree_with_pygls_codec_on_every_column():
    """The tables of wide characters give the units pygls's codec counts one by one, both ways; a position
    inside a character (half a surrogate pair, the middle of a UTF-8 sequence) means the end of it."""
    lines = ["", "ascii only", "é€🚀", "a🚀b🚀🚀c", "\ud800x", "Café 🚀 " * 40, "🚀"]
    for encoding in ("utf-8", "utf-16", "utf-32"):
        codec = PositionCodec(encoding)
        positions = Positions(lines, codec)
        for number, line in enumerate(lines):
            for col in range(len(line) + 1):
                units = codec.client_num_units(line[:col])
                assert positions.units(number, col) == units, (encoding, line, col)
                assert positions.to_server(types.Position(line=number, character=units)) == (number, col)
            for units in range(codec.client_num_units(line) + 3):
                expected = next((c for c in range(len(line) + 1) if codec.client_num_units(line[:c]) >= units), len(line))
                assert positions.to_server(types.Position(line=number, character=units)) == (number, expected)


def test_positions_count_a_bom_on_the_first_line_only():
    lines = ["pipeline: {a: 🚀, b: x}", "  c: d"]  # the core's lines: the text after the BOM
    for encoding, bom, rocket in (("utf-8", 3, 4), ("utf-16", 1, 2), ("utf-32", 1, 1)):
        positions = Positions(lines, PositionCodec(encoding), bom=True)
        b = lines[0].index("b")
        assert positions.position(0, b) == types.Position(line=0, character=bom + b - 1 + rocket)
        assert positions.to_server(types.Position(line=0, character=bom + b - 1 + rocket)) == (0, b)
        assert positions.to_server(types.Position(line=0, character=0)) == (0, 0)  # before the BOM: the start
        assert positions.position(1, 2) == types.Position(line=1, character=2)


def test_layout_follows_the_file():
    assert vars(Layout(["a:", "  b:", "    - c: 1", "      d: 2"])) == {"eol": "\n", "step": 2, "dash": 2, "gap": 2}
    assert vars(Layout(["a:", "    b:", "    -   c: 1", "        d: 2"])) == {"eol": "\n", "step": 4, "dash": 0, "gap": 4}
    assert vars(Layout([])) == {"eol": "\n", "step": 2, "dash": 2, "gap": 2}


def test_tolerant_scan_reads_block_and_flow_entries_and_stops_at_the_list_end():
    text = (
        "pipeline:\n"
        "  flowControl:\n"
        "    barriers:\n"
        "    - name: A  # first\n"
        "      identifier: a\n"
        "    - {identifier: 'b', name: \"B\"}\n"
        "    - identifier: a\n"  # a duplicate: offered once
        "  stages:\n"
        "    - step: {identifier: not_a_barrier}\n"
        "      barriers:\n"  # not under flowControl
        "        - identifier: nope\n"
    )
    assert [(d.identifier, d.name) for d in scan_declarations(text)] == [("a", "A"), ("b", "B")]


def test_an_analyzer_failure_is_logged_and_withdraws_the_old_diagnostics(monkeypatch):
    from pygls.workspace import Workspace

    import barrier_lint_server.server as server_module
    from barrier_lint_server.documents import OpenDocument

    server = create_server()
    server.protocol._workspace = Workspace(None)
    uri = "file:///work/x.yaml"
    server.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="yaml", version=7, text="pipeline: {}\n"))
    server.documents[uri] = OpenDocument(uri)
    logged, published = [], []
    server.log = lambda message, kind=types.MessageType.Warning: logged.append(message)  # type: ignore[method-assign]
    server.text_document_publish_diagnostics = published.append  # type: ignore[method-assign]

    def broken(*args):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(server_module, "analyse", broken)
    server.lint(uri)
    assert [(p.uri, p.version, list(p.diagnostics)) for p in published] == [(uri, 7, [])]
    ((message,),) = [logged]
    assert message.startswith(f"analysing {uri} failed:\nTraceback") and "RecursionError" in message


async def test_the_requests_after_an_edit_share_one_analysis_of_that_version(monkeypatch):
    """One parse per document version: the lint in the worker thread and every request that follows the
    edit (outline, code lens, code actions, highlight, completion, hover) read the same analysis."""
    import asyncio

    from pygls.workspace import Workspace

    import barrier_lint_server.server as server_module
    from barrier_lint_server.documents import OpenDocument, analyse
    from tests.lsp_fixtures.harness import fixture_text

    server = create_server(debounce_ms=0)
    server.protocol._workspace = Workspace(None)
    server.protocol.client_capabilities = types.ClientCapabilities()
    uri = "file:///work/release.yaml"
    text = fixture_text("release.yaml")
    server.workspace.put_text_document(types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
    server.documents[uri] = OpenDocument(uri)
    published = []
    server.text_document_publish_diagnostics = published.append  # type: ignore[method-assign]
    analysed = []

    def counting(text, version, *args):
        analysed.append(version)
        return analyse(text, version, *args)

    monkeypatch.setattr(server_module, "analyse", counting)
    server.lint(uri)
    server.workspace.put_text_document(
        types.TextDocumentItem(uri=uri, language_id="yaml", version=2, text=text.replace("services_deployd", "services_deployed"))
    )
    server.lint_later(uri)
    doc = types.TextDocumentIdentifier(uri=uri)
    at = types.Position(line=23, character=40)
    whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=40, character=0))
    features = server.protocol.fm.features
    results = await asyncio.gather(
        features[types.TEXT_DOCUMENT_DOCUMENT_SYMBOL](types.DocumentSymbolParams(text_document=doc)),
        features[types.TEXT_DOCUMENT_CODE_LENS](types.CodeLensParams(text_document=doc)),
        features[types.TEXT_DOCUMENT_CODE_ACTION](
            types.CodeActionParams(text_document=doc, range=whole, context=types.CodeActionContext(diagnostics=[]))
        ),
        features[types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT](types.DocumentHighlightParams(text_document=doc, position=at)),
    )
    assert all(results)
    await features[types.TEXT_DOCUMENT_COMPLETION](types.CompletionParams(text_document=doc, position=at))
    await features[types.TEXT_DOCUMENT_HOVER](types.HoverParams(text_document=doc, position=at))
    assert analysed == [1, 2]
    assert [p.version for p in published] == [1, 2]
    assert [d.code for d in published[0].diagnostics] != [d.code for d in published[1].diagnostics]





@settings(max_examples=300, deadline=None)
@given(
    text=st.lists(st.sampled_from(["a", "é", "🚀", "\r", "\n", " ", "\u2028"]), max_size=40).map("".join),
    start=st.tuples(st.integers(0, 8), st.integers(0, 8)),
    end=st.tuples(st.integers(0, 8), st.integers(0, 8)),
    encoding=st.sampled_from(["utf-16", "utf-8"]),
)
def test_an_incremental_change_lands_where_the_whole_line_table_puts_it(text, start, end, encoding):
    """`apply_change` finds only the lines of the range (not a table of every line): the same result as
    splitting the whole document at \\r\\n, \\r and \\n."""
    from barrier_lint_server.convert import apply_change

    codec = PositionCodec(encoding)
    lines = split_lines(text)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + (2 if text.startswith("\r\n", starts[-1] + len(line)) else 1))
    positions = Positions(lines, codec)

    def offset(line: int, character: int) -> int:
        return len(text) if line >= len(lines) else starts[line] + positions.code_points(line, character)

    range_ = types.Range(start=types.Position(*start), end=types.Position(*end))
    first, last = offset(*start), offset(*end)
    assert apply_change(text, range_, "X", codec) == text[:first] + "X" + text[max(first, last):]
