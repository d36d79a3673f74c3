"""Hover, go to definition, references, highlights, rename, outline and code lenses, over stdio."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException

from tests.lsp_fixtures.harness import apply_edits, fixture_text, make_client_fixture, pos, rng

client = make_client_fixture()

URI = "file:///work/release.yaml"
# Both stages of the parallel block use services_deployed (the typo fixed).
PARALLEL = fixture_text("release.yaml").replace("services_deployd", "services_deployed")
LINES = PARALLEL.split("\n")
DECL = (6, 20)  # `identifier: services_deployed` in flowControl.barriers
REF = (23, 36)  # `barrierRef: services_deployed` in stage deploy_api
WEB = 25  # the flow-style line with `é` and an emoji


def doc(uri=URI):
    return types.TextDocumentIdentifier(uri=uri)


def web_range(session):
    line = LINES[WEB]
    start = line.index("services_deployed")
    return rng(WEB, session.columns(line, start), WEB, session.columns(line, start + 17))


async def test_hover_on_a_reference_lists_participants_and_concurrency(client):
    session = client.session
    await session.open(URI, PARALLEL)
    hover = await session.client.text_document_hover_async(types.HoverParams(text_document=doc(), position=pos(*REF)))
    assert hover.range == rng(23, 36, 23, 53)
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value == (
        "**Barrier Services Deployed** (`services_deployed`)\n"
        "\n"
        "Participants (2):\n"
        "- stage deploy_api, step wait (line 24)\n"
        "- stage deploy_web, step wait (line 26)\n"
        "\n"
        "The participants run concurrently, so they can meet."
    )


async def test_hover_on_a_declaration_says_when_participants_are_sequential(client):
    session = client.session
    await session.open("file:///work/sequential.yaml", fixture_text("sequential.yaml"))
    hover = await session.client.text_document_hover_async(
        types.HoverParams(text_document=doc("file:///work/sequential.yaml"), position=pos(5, 22))
    )
    assert hover.range == rng(5, 20, 5, 24)
    assert hover.contents.value == (
        "**Barrier Sync** (`sync`)\n"
        "\n"
        "Participants (2):\n"
        "- stage first, step wait (line 18)\n"
        "- stage second, step wait (line 29)\n"
        "\n"
        "The participants do not all run concurrently: line 18 must finish before line 29 starts."
    )


async def test_hover_elsewhere_is_empty(client):
    session = client.session
    await session.open(URI, PARALLEL)
    hover = await session.client.text_document_hover_async(types.HoverParams(text_document=doc(), position=pos(1, 5)))
    assert hover is None


async def test_definition_from_a_flow_style_reference_on_a_non_ascii_line(client):
    session = client.session
    await session.open(URI, PARALLEL)
    target = web_range(session)
    result = await session.client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(), position=target.start)
    )
    assert result == [types.Location(uri=URI, range=rng(6, 20, 6, 37))]


async def test_references_from_declaration_and_from_reference(client):
    session = client.session
    await session.open(URI, PARALLEL)
    expected = [rng(6, 20, 6, 37), rng(23, 36, 23, 53), web_range(session)]
    for where in (DECL, REF, (web_range(session).end.line, web_range(session).end.character)):
        result = await session.client.text_document_references_async(
            types.ReferenceParams(
                text_document=doc(), position=pos(*where), context=types.ReferenceContext(include_declaration=True)
            )
        )
        assert [loc.range for loc in result] == expected
        assert {loc.uri for loc in result} == {URI}
    result = await session.client.text_document_references_async(
        types.ReferenceParams(text_document=doc(), position=pos(*DECL), context=types.ReferenceContext(include_declaration=False))
    )
    assert [loc.range for loc in result] == expected[1:]


async def test_document_highlight_marks_declaration_as_write(client):
    session = client.session
    await session.open(URI, PARALLEL)
    result = await session.client.text_document_document_highlight_async(
        types.DocumentHighlightParams(text_document=doc(), position=pos(*REF))
    )
    assert [(h.range, h.kind) for h in result] == [
        (rng(6, 20, 6, 37), types.DocumentHighlightKind.Write),
        (rng(23, 36, 23, 53), types.DocumentHighlightKind.Read),
        (web_range(session), types.DocumentHighlightKind.Read),
    ]


async def test_rename_rewrites_declaration_and_every_reference(client):
    session = client.session
    await session.open(URI, PARALLEL)
    prepared = await session.client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(), position=pos(*REF))
    )
    assert prepared.range == rng(23, 36, 23, 53)
    assert prepared.placeholder == "services_deployed"
    edit = await session.client.text_document_rename_async(
        types.RenameParams(text_document=doc(), position=pos(*REF), new_name="all_up")
    )
    edits = edit.changes[URI]
    assert [e.range for e in edits] == [rng(6, 20, 6, 37), rng(23, 36, 23, 53), web_range(session)]
    assert PARALLEL.count("services_deployed") == 3
    assert apply_edits(PARALLEL, edits, session.encoding) == PARALLEL.replace("services_deployed", "all_up")


async def test_rename_inside_quotes_keeps_the_quotes(client):
    session = client.session
    text = PARALLEL.replace("identifier: services_deployed", 'identifier: "services_deployed"')
    await session.open(URI, text)
    edit = await session.client.text_document_rename_async(
        types.RenameParams(text_document=doc(), position=pos(6, 25), new_name="ready")
    )
    assert apply_edits(text, edit.changes[URI], session.encoding) == text.replace("services_deployed", "ready")
    assert 'identifier: "ready"' in apply_edits(text, edit.changes[URI], session.encoding)


@pytest.mark.parametrize(
    "new_name, message",
    [
        ("services-deployed", "'services-deployed' is not a valid barrier identifier"),
        ("9lives", "'9lives' is not a valid barrier identifier"),
        ("step", "'step' is a reserved word in Harness"),
        ("x" * 129, "'" + "x" * 129 + "' is not a valid barrier identifier"),
        ("null", "'null' is a reserved word in Harness"),
        ("old_gate", "a barrier 'old_gate' is already declared; renaming would merge two barriers"),
    ],
)
async def test_rename_refuses_invalid_or_taken_names(client, new_name, message):
    session = client.session
    await session.open(URI, PARALLEL)
    with pytest.raises(JsonRpcException) as raised:
        await session.client.text_document_rename_async(
            types.RenameParams(text_document=doc(), position=pos(*REF), new_name=new_name)
        )
    assert str(raised.value.message).startswith(message)


async def test_prepare_rename_refuses_what_is_not_a_barrier_identifier(client):
    session = client.session
    text = PARALLEL.replace("barrierRef: services_deployed\n", "barrierRef: <+input>\n")
    await session.open(URI, text)
    for where in ((1, 16), (REF[0], REF[1] + 2)):  # the pipeline identifier; a runtime input
        prepared = await session.client.text_document_prepare_rename_async(
            types.PrepareRenameParams(text_document=doc(), position=pos(*where))
        )
        assert prepared is None


async def test_document_symbols_outline_barriers_stages_and_steps(client):
    session = client.session
    await session.open(URI, PARALLEL)
    symbols = await session.client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc()))

    def tree(items):
        return [(s.name, s.kind, tree(s.children or [])) for s in items]

    assert tree(symbols) == [
        ("Release", types.SymbolKind.Module, [
            ("barriers", types.SymbolKind.Namespace, [
                ("services_deployed", types.SymbolKind.Event, []),
                ("old_gate", types.SymbolKind.Event, []),
            ]),
            ("Deploy API", types.SymbolKind.Class, [("Barrier wait", types.SymbolKind.Event, [])]),
            ("Café 🚀", types.SymbolKind.Class, [("Barrier wait", types.SymbolKind.Event, [])]),
        ]),
    ]
    (release,) = symbols
    barriers, api, web = release.children
    assert barriers.children[0].detail == "Services Deployed"
    # The selection range starts on the symbol's first line (the `- stage:` key, not `identifier:` below it):
    # VS Code's sticky scroll pins the selection range's line as the symbol's header.
    assert api.selection_range == rng(11, 10, 11, 15)
    assert barriers.children[0].selection_range.start == pos(5, 8)
    for symbol in [release, barriers, *barriers.children, api, *api.children]:
        assert symbol.selection_range.start.line == symbol.range.start.line, symbol.name
    assert api.detail == "stage, Deployment"
    line = LINES[WEB]
    start = line.index("deploy_web")
    assert web.selection_range == rng(WEB, session.columns(line, start), WEB, session.columns(line, start + 10))
    assert web.range.end == pos(WEB, session.columns(line, len(line)))


async def test_code_lens_counts_participants(client):
    session = client.session
    await session.open(URI, PARALLEL)
    lenses = await session.client.text_document_code_lens_async(types.CodeLensParams(text_document=doc()))
    assert [(lens.range, lens.command.title) for lens in lenses] == [
        (rng(6, 20, 6, 37), "2 participants: stage deploy_api, stage deploy_web"),
        (rng(8, 20, 8, 28), "unused"),
    ]


ROLLBACK = fixture_text("rollback.yaml")
ROLLBACK_URI = "file:///work/rollback.yaml"


async def test_code_lens_names_each_place_once_and_the_rollback_flow_apart(client):
    session = client.session
    await session.open(ROLLBACK_URI, ROLLBACK)
    lenses = await session.client.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=ROLLBACK_URI)))
    assert [lens.command.title for lens in lenses] == ["3 participants: stage api, rollback of stage api, stage web"]
    doubled = ROLLBACK.replace("identifier: sync, spec: {barrierRef: deployed}}\n                        rollbackSteps",
                               "identifier: sync, spec: {barrierRef: deployed}}\n                        -   step: {type: Barrier, identifier: sync2, spec: {barrierRef: deployed}}\n                        rollbackSteps")
    await session.open(ROLLBACK_URI + "2", doubled)
    lenses = await session.client.text_document_code_lens_async(types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=ROLLBACK_URI + "2")))
    assert [lens.command.title for lens in lenses] == ["4 participants: stage api (2 steps), rollback of stage api, stage web"]


async def test_an_edit_of_the_document_itself_sends_no_code_lens_refresh(client):
    """Issue 9 item 10: after a quick fix, VS Code showed the old lens for about 1 s. The client asks for the
    lenses of a document it changed on its own, and VS Code restarts its wait (at least 250 ms) on every
    workspace/codeLens/refresh: the refresh the server sent after such an edit only delayed the new lens.
    The lens answered after the edit is the new one. (A change in another file does refresh:
    test_server_workspace.py.)"""
    session = client.session
    await session.open(ROLLBACK_URI, ROLLBACK)
    version = session.change(ROLLBACK_URI, ROLLBACK.replace("identifier: web", "identifier: web2"))
    await session.diagnostics(ROLLBACK_URI, version)  # a lens title changed: stage web2
    lenses = await session.client.text_document_code_lens_async(
        types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=ROLLBACK_URI)))
    assert [lens.command.title for lens in lenses] == ["3 participants: stage api, rollback of stage api, stage web2"]
    await asyncio.sleep(0.2)
    assert session.recorder.code_lens_refreshes == 0
