"""Quick fixes over stdio: each is applied to the text and the result compared byte for byte."""

from __future__ import annotations

from lsprotocol import types

from tests.lsp_fixtures.harness import apply_edits, fixture_text, make_client_fixture, rng

client = make_client_fixture()

URI = "file:///work/release.yaml"
RELEASE = fixture_text("release.yaml")
LINES = RELEASE.split("\n")
WEB = 25


async def actions_at(session, uri: str, range_: types.Range):
    result = await session.client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=range_,
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    return {action.title: action for action in result or []}


def applied(session, text: str, action, uri: str = URI) -> str:
    return apply_edits(text, list(action.edit.changes[uri]), session.encoding)


async def test_misspelt_reference_on_a_non_ascii_line(client):
    session = client.session
    published = await session.open(URI, RELEASE)
    undeclared = published.diagnostics[2]
    actions = await actions_at(session, URI, undeclared.range)
    assert list(actions) == [
        "Change to 'services_deployed'",
        "Declare barrier 'services_deployd' in flowControl.barriers",
        "Suppress BL101 on this line",
    ]
    change = actions["Change to 'services_deployed'"]
    assert change.kind == types.CodeActionKind.QuickFix and change.is_preferred
    assert [d.code for d in change.diagnostics] == ["BL101"]
    assert change.diagnostics[0].range == undeclared.range
    assert applied(session, RELEASE, change) == RELEASE.replace("services_deployd", "services_deployed")
    declare = actions["Declare barrier 'services_deployd' in flowControl.barriers"]
    assert applied(session, RELEASE, declare) == RELEASE.replace(
        "        identifier: old_gate  # left over from the old flow\n",
        "        identifier: old_gate  # left over from the old flow\n"
        "      - name: services_deployd\n"
        "        identifier: services_deployd\n",
    )
    suppress = actions["Suppress BL101 on this line"]
    assert applied(session, RELEASE, suppress) == RELEASE.replace(
        "timeout: 30m}}]}}}\n", "timeout: 30m}}]}}}  # barrier-lint: disable=BL101\n"
    )


async def test_suppression_extends_an_existing_comment_and_is_honoured(client):
    session = client.session
    text = RELEASE.replace(
        "barrierRef: services_deployed\n", "barrierRef: services_deployed  # barrier-lint: disable=BL206  # why\n"
    )
    published = await session.open(URI, text)
    single = next(d for d in published.diagnostics if d.code == "BL202")
    actions = await actions_at(session, URI, single.range)
    suppress = actions["Suppress BL202 on this line"]
    fixed = applied(session, text, suppress)
    assert fixed == text.replace("disable=BL206  # why", "disable=BL206,BL202  # why")
    version = session.change(URI, fixed)
    published = await session.diagnostics(URI, version)
    assert [d.code for d in published.diagnostics] == ["BL105", "BL901", "BL101"]


async def test_remove_unused_declaration_with_its_comment(client):
    session = client.session
    published = await session.open(URI, RELEASE)
    unused = published.diagnostics[0]
    actions = await actions_at(session, URI, unused.range)
    assert list(actions) == ["Remove unused barrier 'old_gate'", "Suppress BL105 on this line"]
    fixed = applied(session, RELEASE, actions["Remove unused barrier 'old_gate'"])
    assert fixed == RELEASE.replace(
        "      - name: Old Gate\n        identifier: old_gate  # left over from the old flow\n", ""
    )


async def test_remove_the_only_declaration_leaves_an_empty_list(client):
    session = client.session
    text = (
        "pipeline:\n"
        "  identifier: p\n"
        "  flowControl:\n"
        "    barriers:   # none needed\n"
        "      - name: Gate\n"
        "        identifier: gate\n"
        "  stages: []\n"
    )
    published = await session.open(URI, text)
    actions = await actions_at(session, URI, published.diagnostics[0].range)
    fixed = applied(session, text, actions["Remove unused barrier 'gate'"])
    assert fixed == "pipeline:\n  identifier: p\n  flowControl:\n    barriers: []   # none needed\n  stages: []\n"


async def test_rollback_reuse_gets_its_own_declared_barrier_in_the_files_indentation(client):
    session = client.session
    text = fixture_text("rollback.yaml")
    published = await session.open(URI, text)
    cycle = next(d for d in published.diagnostics if d.code == "BL204")
    actions = await actions_at(session, URI, cycle.range)
    fix = actions["Use a separate rollback barrier 'deployed_rollback'"]
    lines = text.split("\n")
    lines[16] = lines[16].replace("barrierRef: deployed}", "barrierRef: deployed_rollback}")
    lines[6:6] = ["        -   name: deployed_rollback", "            identifier: deployed_rollback"]
    assert applied(session, text, fix) == "\n".join(lines)


DECLARE_CASES = {
    # no flowControl at all: created before the first key of the pipeline, in the file's indentation
    "missing": (
        "pipeline:\n    identifier: p\n    stages:\n    -   stage: {type: Custom, spec: {execution: {steps: [{step: {type: Barrier, spec: {barrierRef: gate}}}]}}}\n",
        "pipeline:\n    flowControl:\n        barriers:\n        -   name: gate\n            identifier: gate\n    identifier: p\n    stages:\n",
    ),
    # flowControl without barriers
    "no-barriers": (
        "pipeline:\n  identifier: p\n  flowControl:  # gates\n  stages:\n    - stage: {type: Custom, spec: {execution: {steps: [{step: {type: Barrier, spec: {barrierRef: gate}}}]}}}\n",
        "pipeline:\n  identifier: p\n  flowControl:  # gates\n    barriers:\n      - name: gate\n        identifier: gate\n  stages:\n",
    ),
    # an empty flow list
    "empty-list": (
        "pipeline:\n  identifier: p\n  flowControl:\n    barriers: []\n  stages:\n    - stage: {type: Custom, spec: {execution: {steps: [{step: {type: Barrier, spec: {barrierRef: gate}}}]}}}\n",
        "pipeline:\n  identifier: p\n  flowControl:\n    barriers:\n      - name: gate\n        identifier: gate\n  stages:\n",
    ),
}


async def test_declare_creates_what_is_missing(client):
    session = client.session
    for name, (text, expected_head) in DECLARE_CASES.items():
        uri = f"file:///work/{name}.yaml"
        published = await session.open(uri, text)
        undeclared = next(d for d in published.diagnostics if d.code == "BL101")
        actions = await actions_at(session, uri, undeclared.range)
        fixed = applied(session, text, actions["Declare barrier 'gate' in flowControl.barriers"], uri)
        assert fixed.startswith(expected_head), name
        assert fixed[len(expected_head):] == text.split("stages:\n", 1)[1], name


async def test_no_actions_away_from_findings(client):
    session = client.session
    await session.open(URI, RELEASE)
    assert await actions_at(session, URI, rng(1, 0, 1, 5)) == {}
