"""Every edit the server sends covers exactly the scalar's characters, once, in either position encoding,
and writes the document's own line break: documents with a byte order mark, identifiers written through
an anchor and aliases, CRLF and CR files. Each edit is applied to the text, as an editor would, and the
result compared byte for byte."""

from __future__ import annotations

from lsprotocol import types

from tests.lsp_fixtures.harness import apply_edits, fixture_text, make_client_fixture, pos

client = make_client_fixture()

URI = "file:///work/edits.yaml"
DOC = types.TextDocumentIdentifier(uri=URI)

# A whole pipeline on line 0, where a BOM shifts every column: `gat` is a misspelt `gate` (BL101).
ONE_LINE = (
    "\ufeffpipeline: {identifier: p, flowControl: {barriers: [{name: Gate, identifier: gate}]}, stages: [{parallel: ["
    "{stage: {identifier: a, name: \"Café 🚀\", type: Custom, spec: {execution: {steps: [{step: {type: Barrier, identifier: w, "
    "spec: {barrierRef: gate}}}]}}}}, "
    "{stage: {identifier: b, type: Custom, spec: {execution: {steps: [{step: {type: Barrier, identifier: w, "
    "spec: {barrierRef: gat}}}]}}}}]}]}\n"
)


def units(session, text: str) -> int:
    """The length of `text` in the session's position units."""
    return session.columns(text, len(text))


async def actions_at(session, range_: types.Range) -> dict[str, types.CodeAction]:
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(text_document=DOC, range=range_, context=types.CodeActionContext(diagnostics=[]))
    )
    return {action.title: action for action in result or []}


def applied(session, text: str, action: types.CodeAction) -> str:
    return apply_edits(text, list(action.edit.changes[URI]), session.encoding)


async def rename(session, text: str, at: types.Position, new_name: str) -> list[types.TextEdit]:
    edit = await session.client.text_document_rename_async(types.RenameParams(text_document=DOC, position=at, new_name=new_name))
    return list(edit.changes[URI])


async def test_a_bom_does_not_shift_diagnostics_rename_or_fixes(client):
    session = client.session
    published = await session.open(URI, ONE_LINE)
    undeclared = published.diagnostics[1]
    first, start = ONE_LINE.index("gate}}"), ONE_LINE.index("gat}}")
    assert [(d.code, d.range) for d in published.diagnostics] == [
        ("BL202", types.Range(start=pos(0, units(session, ONE_LINE[:first])), end=pos(0, units(session, ONE_LINE[: first + 4])))),
        ("BL101", types.Range(start=pos(0, units(session, ONE_LINE[:start])), end=pos(0, units(session, ONE_LINE[: start + 3])))),
    ]

    actions = await actions_at(session, undeclared.range)
    assert applied(session, ONE_LINE, actions["Change to 'gate'"]) == ONE_LINE.replace("barrierRef: gat}", "barrierRef: gate}")
    assert applied(session, ONE_LINE, actions["Suppress BL101 on this line"]) == ONE_LINE.replace(
        "]}]}\n", "]}]}  # barrier-lint: disable=BL101\n"
    )

    at = pos(0, units(session, ONE_LINE[: ONE_LINE.index("identifier: gate") + 13]))
    prepared = await session.client.text_document_prepare_rename_async(types.PrepareRenameParams(text_document=DOC, position=at))
    declared = ONE_LINE.index("identifier: gate") + len("identifier: ")
    assert prepared.range == types.Range(
        start=pos(0, units(session, ONE_LINE[:declared])), end=pos(0, units(session, ONE_LINE[: declared + 4]))
    )
    edits = await rename(session, ONE_LINE, at, "release_gate")
    assert apply_edits(ONE_LINE, edits, session.encoding) == ONE_LINE.replace("identifier: gate}", "identifier: release_gate}").replace(
        "barrierRef: gate}", "barrierRef: release_gate}"
    )


ALIASED = (
    "pipeline:\n"
    "  identifier: p\n"
    "  flowControl:\n"
    "    barriers:\n"
    "      - name: Gate\n"
    "        identifier: &g !!str \"gate\"\n"
    "  stages:\n"
    "    - parallel:\n"
    "        - stage: {identifier: a, type: Custom, spec: {execution: {steps: [{step: {type: Barrier, identifier: w, spec: {barrierRef: *g}}}]}}}\n"
    "        - stage: {identifier: b, type: Custom, spec: {execution: {steps: [{step: {type: Barrier, identifier: w, spec: {barrierRef: *g}}}]}}}\n"
    "        - stage: {identifier: c, type: Custom, spec: {execution: {steps: [{step: {type: Barrier, identifier: w, spec: {barrierRef: gate}}}]}}}\n"
)


async def test_rename_through_an_anchor_edits_the_scalar_once_and_keeps_anchor_and_tag(client):
    session = client.session
    await session.open(URI, ALIASED)
    at = pos(10, ALIASED.split("\n")[10].index("barrierRef: gate") + 13)
    edits = await rename(session, ALIASED, at, "all_up")
    anchored = ALIASED.split("\n")[5].index('"gate"') + 1
    literal = ALIASED.split("\n")[10].index("gate}")
    assert [(e.range, e.new_text) for e in edits] == [
        (types.Range(start=pos(5, anchored), end=pos(5, anchored + 4)), "all_up"),
        (types.Range(start=pos(10, literal), end=pos(10, literal + 4)), "all_up"),
    ]
    assert apply_edits(ALIASED, edits, session.encoding) == ALIASED.replace('&g !!str "gate"', '&g !!str "all_up"').replace(
        "barrierRef: gate}", "barrierRef: all_up}"
    )


async def test_declare_and_rollback_fixes_write_the_files_own_line_break(client):
    session = client.session
    release = fixture_text("release.yaml")
    rollback = fixture_text("rollback.yaml")
    for eol in ("\r\n", "\r"):
        text = release.replace("\n", eol)
        version = session.change(URI, text) if URI in session.versions else None
        published = await (session.diagnostics(URI, version) if version else session.open(URI, text))
        undeclared = next(d for d in published.diagnostics if d.code == "BL101")
        actions = await actions_at(session, undeclared.range)
        declare = actions["Declare barrier 'services_deployd' in flowControl.barriers"]
        assert applied(session, text, declare) == text.replace(
            f"        identifier: old_gate  # left over from the old flow{eol}",
            f"        identifier: old_gate  # left over from the old flow{eol}"
            f"      - name: services_deployd{eol}"
            f"        identifier: services_deployd{eol}",
        ), repr(eol)

        text = rollback.replace("\n", eol)
        published = await session.diagnostics(URI, session.change(URI, text))
        cycle = next(d for d in published.diagnostics if d.code == "BL204")
        fix = (await actions_at(session, cycle.range))["Use a separate rollback barrier 'deployed_rollback'"]
        lines = rollback.split("\n")
        lines[16] = lines[16].replace("barrierRef: deployed}", "barrierRef: deployed_rollback}")
        lines[6:6] = ["        -   name: deployed_rollback", "            identifier: deployed_rollback"]
        assert applied(session, text, fix) == eol.join(lines), repr(eol)
