"""Hostile input: nothing a client sends stops the server from answering."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.lsp_fixtures.harness import fixture_text, make_client_fixture, pos, rng

client = make_client_fixture()

URI = "file:///work/release.yaml"
RELEASE = fixture_text("release.yaml")
DOC = types.TextDocumentIdentifier(uri=URI)


def send_raw(client, method: str, params, msg_id: str | None = None):
    """Write a JSON-RPC message as given, bypassing the client's typed serialization."""
    message = {"jsonrpc": "2.0", "method": method, "params": params}
    if msg_id is None:
        client.protocol._send_data(message)
        return None
    future: concurrent.futures.Future = concurrent.futures.Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._send_data({**message, "id": msg_id})
    return asyncio.wrap_future(future)


async def still_answers(session) -> None:
    """The server is alive and right: a hover on a known reference still works."""
    await session.open("file:///work/check.yaml", RELEASE)
    hover = await session.client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri="file:///work/check.yaml"), position=pos(23, 40))
    )
    assert hover.contents.value.startswith("**Barrier Services Deployed** (`services_deployed`)")


async def every_request(session, uri: str, position: types.Position) -> list:
    doc = types.TextDocumentIdentifier(uri=uri)
    c = session.client
    results = [
        await c.text_document_hover_async(types.HoverParams(text_document=doc, position=position)),
        await c.text_document_completion_async(types.CompletionParams(text_document=doc, position=position)),
        await c.text_document_definition_async(types.DefinitionParams(text_document=doc, position=position)),
        await c.text_document_references_async(
            types.ReferenceParams(text_document=doc, position=position, context=types.ReferenceContext(include_declaration=True))
        ),
        await c.text_document_document_highlight_async(types.DocumentHighlightParams(text_document=doc, position=position)),
        await c.text_document_prepare_rename_async(types.PrepareRenameParams(text_document=doc, position=position)),
        await c.text_document_code_action_async(
            types.CodeActionParams(
                text_document=doc, range=types.Range(start=position, end=position),
                context=types.CodeActionContext(diagnostics=[]),
            )
        ),
        await c.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc)),
        await c.text_document_code_lens_async(types.CodeLensParams(text_document=doc)),
    ]
    return [list(r) if isinstance(r, tuple) else r for r in results]


async def test_requests_on_a_document_never_opened_are_empty(client):
    session = client.session
    results = await every_request(session, "file:///nowhere/ghost.yaml", pos(3, 4))
    assert results == [None, [], [], [], [], None, [], [], []]
    await still_answers(session)


async def test_out_of_range_positions(client):
    session = client.session
    await session.open(URI, RELEASE)
    for where in (pos(10_000, 0), pos(0, 10_000), pos(10_000, 10_000)):
        results = await every_request(session, URI, where)
        assert results[0] is None  # nothing to hover there
    # A position past the end of the barrierRef line still finds the reference before it.
    hover = await session.client.text_document_hover_async(types.HoverParams(text_document=DOC, position=pos(23, 999)))
    assert hover is not None and hover.range == rng(23, 36, 23, 53)
    actions = await session.client.text_document_code_action_async(
        types.CodeActionParams(text_document=DOC, range=rng(30, 5, 2, 0), context=types.CodeActionContext(diagnostics=[]))
    )
    assert list(actions) == []
    await still_answers(session)


async def test_changes_to_an_unknown_document_are_ignored(client):
    session = client.session
    session.client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri="file:///work/ghost.yaml", version=3),
            content_changes=[types.TextDocumentContentChangePartial(range=rng(5, 0, 6, 0), text="x")],
        )
    )
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri="file:///work/ghost.yaml")))
    session.client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri="file:///work/ghost.yaml")))
    await still_answers(session)


@pytest.mark.parametrize(
    "method, params",
    [
        ("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}}),
        ("textDocument/hover", {"textDocument": {"uri": 5}, "position": "here"}),
        ("textDocument/completion", {}),
        ("textDocument/rename", {"textDocument": {"uri": URI}, "position": {"line": 1, "character": 1}}),
    ],
)
async def test_malformed_requests_get_an_error_answer(client, method, params):
    session = client.session
    await session.open(URI, RELEASE)
    with pytest.raises(JsonRpcException) as raised:
        await asyncio.wait_for(send_raw(session.client, method, params, msg_id="bad-1"), 10)
    assert raised.value.code == -32602  # InvalidParams
    await still_answers(session)


async def test_malformed_notifications_are_survived(client):
    session = client.session
    send_raw(session.client, "textDocument/didOpen", {"textDocument": {"uri": URI}})
    send_raw(session.client, "textDocument/didChange", {"textDocument": None, "contentChanges": 7})
    send_raw(session.client, "workspace/didChangeConfiguration", {"settings": {"barrierLint": ["not", "a", "table"]}})
    send_raw(session.client, "$/unknownNotification", [1, 2, 3])
    await still_answers(session)


async def test_binary_and_huge_documents(client):
    session = client.session
    published = await session.open("file:///work/blob.yaml", "\x00\x01\x02\xff" * 1000)
    assert list(published.diagnostics) == []
    published = await session.open("file:///work/nul.yaml", "pipeline:\n  identifier: x\x00\n")
    assert [(d.code, d.range) for d in published.diagnostics] == [("BL000", rng(1, 15, 1, 16))]
    huge = RELEASE + "# padding\n" * 500_000  # 5 MB
    published = await session.open("file:///work/huge.yaml", huge)
    assert list(published.diagnostics) == []
    assert any("too large to analyse" in log.message for log in session.recorder.logs)
    results = await every_request(session, "file:///work/huge.yaml", pos(23, 40))
    assert results[0] is None
    await still_answers(session)


async def test_every_request_while_the_document_is_typed_in(client):
    """Type the pipeline in chunks from an empty file, asking for everything at every step."""
    session = client.session
    await session.open(URI, "")
    lines = RELEASE.split("\n")
    text = ""
    for number, line in enumerate(lines):
        for piece in (line[: len(line) // 2], line[len(line) // 2 :] + ("\n" if number < len(lines) - 1 else "")):
            end = text.split("\n")
            at = pos(len(end) - 1, len(end[-1].encode("utf-16-le")) // 2 if session.encoding == "utf-16" else len(end[-1].encode()))
            session.change(URI, piece, types.Range(start=at, end=at))
            text += piece
            if number % 5 == 0:
                await every_request(session, URI, at)
    version = session.versions[URI]
    published = await session.diagnostics(URI, version)
    assert [d.code for d in published.diagnostics] == ["BL105", "BL202", "BL101"]
    symbols = await session.client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=DOC))
    assert [s.name for s in symbols] == ["Release"]


async def test_edits_with_impossible_ranges_then_a_full_replacement(client):
    session = client.session
    await session.open(URI, RELEASE)
    session.change(URI, "garbage", rng(5_000, 0, 6_000, 9))  # past the end
    session.change(URI, "x", rng(20, 50, 3, 0))  # end before start
    session.change(URI, "\x00", rng(0, 0, 0, 0))  # a NUL byte mid-edit
    version = session.change(URI, RELEASE)  # the editor resynchronises with the whole text
    published = await session.diagnostics(URI, version)
    assert [d.code for d in published.diagnostics] == ["BL105", "BL202", "BL101"]
    await still_answers(session)
