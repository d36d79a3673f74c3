"""Completion of barrierRef values and the Barrier-step snippet, over stdio with both capability sets."""

from __future__ import annotations

from lsprotocol import types

from tests.lsp_fixtures.harness import fixture_text, make_client_fixture, pos, rng

client = make_client_fixture()

URI = "file:///work/release.yaml"
RELEASE = fixture_text("release.yaml")
LINES = RELEASE.split("\n")
REF_LINE = 23  # `barrierRef: services_deployed` in stage deploy_api
WEB_LINE = 25  # the flow-style stage with `é` and an emoji before `barrierRef: services_deployd`


async def complete(session, uri: str, line: int, character: int):
    result = await session.client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=pos(line, character))
    )
    items = result.items if isinstance(result, types.CompletionList) else result
    return list(items or [])


def refs(items):
    """(label, detail, replaced range, new text) of the barrierRef items."""
    return [
        (i.label, i.detail, i.text_edit.range, i.text_edit.new_text)
        for i in items
        if i.kind == types.CompletionItemKind.EnumMember
    ]


def with_line(line: int, text: str) -> str:
    lines = list(LINES)
    lines[line] = text
    return "\n".join(lines)


async def test_empty_value_offers_every_declared_barrier_with_name_and_participants(client):
    session = client.session
    text = with_line(REF_LINE, "                        barrierRef: ")
    await session.open(URI, text)
    items = await complete(session, URI, REF_LINE, 36)
    assert refs(items) == [
        ("services_deployed", "Services Deployed", rng(REF_LINE, 36, REF_LINE, 36), "services_deployed"),
        ("old_gate", "Old Gate", rng(REF_LINE, 36, REF_LINE, 36), "old_gate"),
    ]
    assert items[0].documentation.kind == types.MarkupKind.Markdown
    assert items[0].documentation.value == "No Barrier step uses this barrier yet."
    assert items[1].documentation.value == "No Barrier step uses this barrier yet."


async def test_partial_value_is_replaced_whole(client):
    session = client.session
    await session.open(URI, RELEASE)
    # Cursor after `serv` in `barrierRef: services_deployed`: the whole value is replaced.
    items = await complete(session, URI, REF_LINE, 40)
    assert refs(items)[0] == ("services_deployed", "Services Deployed", rng(REF_LINE, 36, REF_LINE, 53), "services_deployed")
    assert items[0].documentation.value == "Participants:\n- stage deploy_api, step wait (line 24)"


async def test_non_ascii_flow_line_uses_client_units(client):
    session = client.session
    await session.open(URI, RELEASE)
    line = LINES[WEB_LINE]
    start = line.index("services_deployd")
    cursor = session.columns(line, start + 4)
    items = await complete(session, URI, WEB_LINE, cursor)
    expected = rng(WEB_LINE, session.columns(line, start), WEB_LINE, session.columns(line, start + 16))
    assert refs(items)[0] == ("services_deployed", "Services Deployed", expected, "services_deployed")
    assert expected.start.character == (176 if session.encoding == "utf-16" else 179)


async def test_quoted_value_is_completed_inside_the_quotes(client):
    session = client.session
    text = with_line(REF_LINE, '                        barrierRef: "ol"')
    await session.open(URI, text)
    items = await complete(session, URI, REF_LINE, 39)
    assert [r[2] for r in refs(items)] == [rng(REF_LINE, 37, REF_LINE, 39)] * 2
    text = with_line(REF_LINE, "                        barrierRef: '")
    await session.open("file:///work/single.yaml", text)
    items = await complete(session, "file:///work/single.yaml", REF_LINE, 37)
    assert [r[0] for r in refs(items)] == ["services_deployed", "old_gate"]
    assert [r[2] for r in refs(items)] == [rng(REF_LINE, 37, REF_LINE, 37)] * 2


async def test_a_document_mid_edit_falls_back_to_its_last_good_model(client):
    session = client.session
    await session.open(URI, RELEASE)
    # An unclosed flow mapping: the text no longer parses.
    broken = with_line(REF_LINE, "                        barrierRef: {")
    version = session.change(URI, broken)
    published = await session.diagnostics(URI, version)
    assert [d.code for d in published.diagnostics] == ["BL000"]
    broken = with_line(REF_LINE, "                        barrierRef: o")
    broken = broken.replace("    - parallel:", "    - parallel: [")
    session.change(URI, broken)
    items = await complete(session, URI, REF_LINE, 37)
    assert refs(items) == [
        ("services_deployed", "Services Deployed", rng(REF_LINE, 36, REF_LINE, 37), "services_deployed"),
        ("old_gate", "Old Gate", rng(REF_LINE, 36, REF_LINE, 37), "old_gate"),
    ]
    assert items[0].documentation.value == "Participants:\n- stage deploy_api, step wait (line 24)"


async def test_a_document_that_never_parsed_is_scanned_for_declarations(client):
    session = client.session
    text = (
        "pipeline:\n"
        "  flowControl:\n"
        "    barriers:\n"
        "      - name: Gate One  # first\n"
        "        identifier: gate_one\n"
        "      - {name: 'Gate Two', identifier: \"gate_two\"}\n"
        "  stages:\n"
        "    - stage: {spec: {execution: {steps: [{step: {type: Barrier, spec: {barrierRef: g\n"
    )
    published = await session.open("file:///work/new.yaml", text)
    assert [d.code for d in published.diagnostics] == ["BL000"]
    items = await complete(session, "file:///work/new.yaml", 7, 84)
    assert refs(items) == [
        ("gate_one", "Gate One", rng(7, 83, 7, 84), "gate_one"),
        ("gate_two", "Gate Two", rng(7, 83, 7, 84), "gate_two"),
    ]


async def test_barrier_step_snippet_offers_the_declared_identifiers(client):
    session = client.session
    text = RELEASE.replace("                      timeout: 30m\n", "                      timeout: 30m\n                  - \n", 1)
    await session.open(URI, text)
    items = await complete(session, URI, 25, 20)
    (snippet,) = [i for i in items if i.kind == types.CompletionItemKind.Snippet]
    assert snippet.label == "Barrier step"
    assert snippet.insert_text_format == types.InsertTextFormat.Snippet
    assert snippet.text_edit.range == rng(25, 18, 25, 20)
    assert snippet.text_edit.new_text == (
        "- step:\n"
        "                      type: Barrier\n"
        "                      name: ${1:Wait}\n"
        "                      identifier: ${2:wait}\n"
        "                      spec:\n"
        "                        barrierRef: ${3|services_deployed,old_gate|}\n"
        "                      timeout: ${4:10m}"
    )
    assert refs(items) == []


async def test_no_completion_outside_barrier_refs_or_in_other_yaml(client):
    session = client.session
    await session.open(URI, RELEASE)
    assert await complete(session, URI, 1, 14) == []  # `identifier: release`
    await session.open("file:///work/compose.yaml", "services:\n  \n")
    assert await complete(session, "file:///work/compose.yaml", 1, 2) == []
