"""The language server on the v1 simplified syntax, over stdio with both capability sets: diagnostics,
completion of declared names, the v1 Barrier snippet, hover, definition, references, rename, code lens,
outline and quick fixes."""

from __future__ import annotations

from lsprotocol import types

from tests.lsp_fixtures.harness import apply_edits, fixture_text, make_client_fixture, pos, rng

from .test_server_code_actions import actions_at
from .test_server_completion import complete, refs

client = make_client_fixture()

URI = "file:///work/release_v1.yaml"
RELEASE = fixture_text("release_v1.yaml")  # deploy_web misspells `deployed` as `deployd`
FIXED = RELEASE.replace("deployd}", "deployed}")
LINES = RELEASE.split("\n")
DECL = (3, 6)  # `- deployed` in pipeline.barriers
BLOCK_REF = (12, 24)  # `name: deployed` under `barrier:` in deploy_api
FLOW_LINE = 17  # `- {id: wait, barrier: {name: deployd}, timeout: 30m}` in deploy_web


def doc(uri=URI):
    return types.TextDocumentIdentifier(uri=uri)


def with_line(text: str, line: int, new: str) -> str:
    lines = text.split("\n")
    lines[line] = new
    return "\n".join(lines)


async def test_v1_diagnostics_are_published(client):
    published = await client.session.open(URI, RELEASE)
    assert [(d.code, d.range.start.line, d.range.start.character) for d in published.diagnostics] == [
        ("BL105", 4, 6), ("BL202", 12, 24), ("BL101", FLOW_LINE, 43),
    ]


async def test_completion_in_a_flow_barrier_name_replaces_the_value(client):
    session = client.session
    await session.open(URI, RELEASE)
    items = await complete(session, URI, FLOW_LINE, 46)  # after `dep` in `{name: deployd}`
    assert refs(items) == [
        ("deployed", None, rng(FLOW_LINE, 43, FLOW_LINE, 50), "deployed"),
        ("old_gate", None, rng(FLOW_LINE, 43, FLOW_LINE, 50), "old_gate"),
    ]
    assert items[0].documentation.value == "Participants:\n- stage deploy_api, step wait (line 13)"


async def test_completion_after_name_under_a_barrier_key_only(client):
    session = client.session
    text = with_line(RELEASE, 12, "                  name: ")
    await session.open(URI, text)
    items = await complete(session, URI, 12, 24)
    assert [(label, edit_range) for label, _, edit_range, _ in refs(items)] == [
        ("deployed", rng(12, 24, 12, 24)), ("old_gate", rng(12, 24, 12, 24)),
    ]
    # A stage's own `name:` is not a barrier reference.
    assert await complete(session, URI, 15, 24) == []


async def test_completion_scans_v1_declarations_when_the_text_never_parsed(client):
    session = client.session
    text = "pipeline:\n  barriers: [gate_one, 'gate_two']\n  stages:\n    - {id: a, steps: [{barrier: {name: g\n"
    published = await session.open("file:///work/new_v1.yaml", text)
    assert [d.code for d in published.diagnostics] == ["BL000"]
    items = await complete(session, "file:///work/new_v1.yaml", 3, 40)
    assert refs(items) == [
        ("gate_one", None, rng(3, 39, 3, 40), "gate_one"),
        ("gate_two", None, rng(3, 39, 3, 40), "gate_two"),
    ]


async def test_the_barrier_snippet_is_written_in_v1_form(client):
    session = client.session
    text = RELEASE.replace("                timeout: 30m\n", "                timeout: 30m\n              - \n", 1)
    await session.open(URI, text)
    items = await complete(session, URI, 14, 16)
    (snippet,) = [i for i in items if i.kind == types.CompletionItemKind.Snippet]
    assert snippet.text_edit.range == rng(14, 14, 14, 16)
    assert snippet.text_edit.new_text == (
        "- id: ${2:wait}\n"
        "                name: ${1:Wait}\n"
        "                barrier:\n"
        "                  name: ${3|deployed,old_gate|}\n"
        "                timeout: ${4:10m}"
    )


async def test_the_v1_snippet_only_where_a_step_entry_can_start(client):
    """The placement v0 uses (completion.step_entry_can_start), with v1's lists: `steps:` and `rollback:`."""
    session = client.session
    cases = [
        (14, "              - ", 16, True),  # beside `- id: wait` in deploy_api's steps
        (4, "    - ", 6, False),  # in pipeline.barriers
        (15, "          - ", 12, False),  # in the parallel block's list of stages
        (14, "                ", 16, False),  # a key of the step above
    ]
    for line, line_text, col, offered in cases:
        lines = list(LINES)
        lines.insert(line, line_text)
        await session.open(URI, "\n".join(lines))
        snippets = [i for i in await complete(session, URI, line, col) if i.kind == types.CompletionItemKind.Snippet]
        assert bool(snippets) is offered, line_text


async def test_hover_on_a_v1_reference(client):
    session = client.session
    await session.open(URI, FIXED)
    hover = await session.client.text_document_hover_async(types.HoverParams(text_document=doc(), position=pos(12, 26)))
    assert hover.range == rng(12, 24, 12, 32)
    assert hover.contents.value == (
        "**Barrier `deployed`**\n"
        "\n"
        "Participants (2):\n"
        "- stage deploy_api, step wait (line 13)\n"
        "- stage deploy_web, step wait (line 18)\n"
        "\n"
        "The participants run concurrently, so they can meet."
    )
    await session.open(URI, RELEASE, version=2)
    hover = await session.client.text_document_hover_async(
        types.HoverParams(text_document=doc(), position=pos(FLOW_LINE, 45))
    )
    assert hover.contents.value.startswith("**Barrier `deployd`** (not declared in pipeline.barriers)")


async def test_definition_references_and_rename(client):
    session = client.session
    await session.open(URI, FIXED)
    [definition] = await session.client.text_document_definition_async(
        types.DefinitionParams(text_document=doc(), position=pos(FLOW_LINE, 45))
    )
    assert (definition.uri, definition.range) == (URI, rng(3, 6, 3, 14))
    found = await session.client.text_document_references_async(
        types.ReferenceParams(
            text_document=doc(), position=pos(*DECL), context=types.ReferenceContext(include_declaration=True)
        )
    )
    expected = [rng(3, 6, 3, 14), rng(12, 24, 12, 32), rng(FLOW_LINE, 43, FLOW_LINE, 51)]
    assert [r.range for r in found] == expected
    prepared = await session.client.text_document_prepare_rename_async(
        types.PrepareRenameParams(text_document=doc(), position=pos(*BLOCK_REF))
    )
    assert (prepared.range, prepared.placeholder) == (rng(12, 24, 12, 32), "deployed")
    edit = await session.client.text_document_rename_async(
        types.RenameParams(text_document=doc(), position=pos(*BLOCK_REF), new_name="all_up")
    )
    assert [e.range for e in edit.changes[URI]] == expected
    assert apply_edits(FIXED, edit.changes[URI], session.encoding) == FIXED.replace("deployed", "all_up")


async def test_code_lens_and_outline(client):
    session = client.session
    await session.open(URI, FIXED)
    lenses = await session.client.text_document_code_lens_async(types.CodeLensParams(text_document=doc()))
    assert [(lens.range, lens.command.title) for lens in lenses] == [
        (rng(3, 6, 3, 14), "2 participants: stage deploy_api, stage deploy_web"),
        (rng(4, 6, 4, 14), "unused"),
    ]
    symbols = await session.client.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=doc()))

    def tree(items):
        return [(s.name, s.detail, tree(s.children or [])) for s in items]

    assert tree(symbols) == [
        ("release", "v1 pipeline", [
            ("barriers", "2 declared", [("deployed", None, []), ("old_gate", None, [])]),
            ("deploy_api", "stage", [("Barrier wait", "barrier.name: deployed", [])]),
            ("Deploy Web", "stage", [("Barrier wait", "barrier.name: deployed", [])]),
        ]),
    ]


async def test_quick_fixes_fix_the_typo_or_declare_the_name_in_pipeline_barriers(client):
    session = client.session
    published = await session.open(URI, RELEASE)
    undeclared = published.diagnostics[2]
    actions = await actions_at(session, URI, undeclared.range)
    assert list(actions) == [
        "Change to 'deployed'", "Declare barrier 'deployd' in pipeline.barriers", "Suppress BL101 on this line",
    ]
    change = apply_edits(RELEASE, list(actions["Change to 'deployed'"].edit.changes[URI]), session.encoding)
    assert change == FIXED
    declare = apply_edits(RELEASE, list(actions["Declare barrier 'deployd' in pipeline.barriers"].edit.changes[URI]), session.encoding)
    assert declare == RELEASE.replace("    - old_gate\n", "    - old_gate\n    - deployd\n")
    version = session.change(URI, declare)
    published = await session.diagnostics(URI, version)
    assert [d.code for d in published.diagnostics] == ["BL105", "BL202", "BL202"]  # BL101 gone


async def test_declare_creates_pipeline_barriers_when_missing(client):
    session = client.session
    text = "pipeline:\n  id: p\n  stages:\n    - {id: a, steps: [{barrier: {name: gate}}]}\n"
    published = await session.open("file:///work/bare_v1.yaml", text)
    [undeclared] = published.diagnostics
    actions = await actions_at(session, "file:///work/bare_v1.yaml", undeclared.range)
    declare = actions["Declare barrier 'gate' in pipeline.barriers"]
    assert apply_edits(text, list(declare.edit.changes["file:///work/bare_v1.yaml"]), session.encoding) == (
        "pipeline:\n  barriers:\n    - gate\n  id: p\n  stages:\n    - {id: a, steps: [{barrier: {name: gate}}]}\n"
    )
