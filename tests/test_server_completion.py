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


SNIPPET_CASES = [
    # (text of the line, where it goes, cursor column, snippet offered)
    ("                  - ", 25, 20, True),  # after `- ` in the steps list
    ("                  - st", 25, 22, True),
    ("                  - step", 25, 24, True),
    ("                  ", 25, 18, True),
    ("                      ", 25, 22, False),  # a key of the step above, not a new entry
    ("  ", 9, 2, False),  # a pipeline key
    ("      - ", 8, 8, False),  # inside flowControl.barriers
    ("            ", 25, 12, False),  # a stage key
]


async def test_barrier_step_snippet_uses_the_documents_own_line_break(client):
    # Before: the snippet's lines were joined with \n, so accepting it in a CRLF file mixed line endings.
    session = client.session
    text = RELEASE.replace("                      timeout: 30m\n", "                      timeout: 30m\n                  - \n", 1)
    await session.open(URI, text.replace("\n", "\r\n"))
    (snippet,) = [i for i in await complete(session, URI, 25, 20) if i.kind == types.CompletionItemKind.Snippet]
    assert snippet.text_edit.new_text.startswith("- step:\r\n                      type: Barrier\r\n")
    assert "\n" not in snippet.text_edit.new_text.replace("\r\n", "")


async def test_barrier_step_snippet_only_where_a_step_entry_can_start(client):
    session = client.session
    for line_text, line, col, offered in SNIPPET_CASES:
        lines = list(LINES)
        lines.insert(line, line_text)
        await session.open(URI, "\n".join(lines))
        items = await complete(session, URI, line, col)
        snippets = [i for i in items if i.kind == types.CompletionItemKind.Snippet]
        assert bool(snippets) is offered, (line_text, line)
        if snippets:
            typed = line_text.strip()
            assert snippets[0].filter_text.startswith(typed), (snippets[0].filter_text, typed)


async def test_no_barrier_step_snippet_inside_another_steps_spec(client):
    session = client.session
    spec = (
        "                  - step:\n                      type: K8sRollingDeploy\n                      identifier: roll\n"
        "                      spec:\n                        skipDryRun: false\n                        \n"
    )
    text = RELEASE.replace("                      timeout: 30m\n", "                      timeout: 30m\n" + spec, 1)
    await session.open(URI, text)
    assert [i for i in await complete(session, URI, 30, 24) if i.kind == types.CompletionItemKind.Snippet] == []
    # In a parallel block of steps it is offered; in a parallel block of stages it is not.
    parallel = "                  - parallel:\n                      - \n"
    await session.open(URI, RELEASE.replace("                      timeout: 30m\n", "                      timeout: 30m\n" + parallel, 1))
    assert [i.label for i in await complete(session, URI, 26, 24) if i.kind == types.CompletionItemKind.Snippet] == ["Barrier step"]
    await session.open(URI, RELEASE.replace("    - parallel:\n", "    - parallel:\n        - \n", 1))
    assert [i for i in await complete(session, URI, 11, 10) if i.kind == types.CompletionItemKind.Snippet] == []


async def test_type_in_a_step_offers_barrier(client):
    session = client.session
    await session.open(URI, with_line(19, "                      type: Ba"))
    items = await complete(session, URI, 19, 30)
    assert [(i.label, i.text_edit.range, i.text_edit.new_text) for i in items] == [("Barrier", rng(19, 28, 19, 30), "Barrier")]
    # A stage's type is not a step's.
    await session.open(URI, with_line(14, "            type: "))
    assert await complete(session, URI, 14, 18) == []
