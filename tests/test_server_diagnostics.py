"""Diagnostics over stdio: on open, after changes (debounced, never stale), on save, cleared on close, with
ranges in the client's position encoding."""

from __future__ import annotations

from lsprotocol import types

from barrier_lint.rules import find_rule
from tests.lsp_fixtures.harness import fixture_text, make_client_fixture, rng

client = make_client_fixture()
# A pause longer than any test: diagnostics after a change can then only come from a save.
patient = make_client_fixture("--debounce-ms", "600000", clients=["visual-studio-code"])

URI = "file:///work/release.yaml"
RELEASE = fixture_text("release.yaml")
LINES = RELEASE.split("\n")


def summary(diagnostics):
    return [
        (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.severity)
        for d in diagnostics
    ]


async def test_open_publishes_every_finding_with_client_columns(client):
    session = client.session
    published = await session.open(URI, RELEASE)
    web = LINES[25]
    start = session.columns(web, 175)
    # 175 code points; VS Code counts the emoji as two UTF-16 units, Neovim counts UTF-8 bytes.
    assert start == (176 if session.encoding == "utf-16" else 179)
    assert published.version == 1
    assert summary(published.diagnostics) == [
        ("BL105", 8, 20, 8, 28, types.DiagnosticSeverity.Warning),
        ("BL202", 23, 36, 23, 53, types.DiagnosticSeverity.Warning),
        ("BL101", 25, start, 25, start + 16, types.DiagnosticSeverity.Error),
    ]
    unused, single, undeclared = published.diagnostics
    assert undeclared.message == "barrier 'services_deployd' (stage deploy_web) is not declared; did you mean 'services_deployed'?"
    assert undeclared.source == "barrier-lint"
    assert undeclared.code_description.href == find_rule("BL101").url()
    assert undeclared.code_description.href.endswith("#bl101-undeclared-barrier")
    assert list(unused.tags) == [types.DiagnosticTag.Unnecessary]
    assert undeclared.tags is None and single.tags is None


async def test_related_information_points_at_the_earlier_participant(client):
    session = client.session
    text = fixture_text("sequential.yaml")
    published = await session.open("file:///work/sequential.yaml", text)
    assert summary(published.diagnostics) == [("BL203", 28, 32, 28, 36, types.DiagnosticSeverity.Error)]
    (finding,) = published.diagnostics
    assert [(r.location.uri, r.location.range, r.message) for r in finding.related_information] == [
        ("file:///work/sequential.yaml", rng(17, 32, 17, 36), "earlier participant of 'sync' (stage first)")
    ]


async def test_a_burst_of_changes_is_linted_once_on_the_latest_text(client):
    session = client.session
    await session.open(URI, RELEASE)
    before = len(session.recorder.published)
    fixed = RELEASE.replace("services_deployd", "services_deployed")
    # Type the missing letter, delete it, type it again: only the last text counts.
    session.change(URI, fixed)
    session.change(URI, RELEASE)
    last = session.change(URI, fixed)
    published = await session.diagnostics(URI, last)
    assert [p.version for p in session.recorder.published[before:]] == [last]
    assert summary(published.diagnostics) == [("BL105", 8, 20, 8, 28, types.DiagnosticSeverity.Warning)]


async def test_incremental_change_is_applied_before_linting(client):
    session = client.session
    await session.open(URI, RELEASE)
    line = LINES[25]
    start = line.index("services_deployd") + len("services_deployd")
    at = session.columns(line, start)
    version = session.change(URI, "e", rng(25, at, 25, at))  # services_deployd -> services_deployde
    published = await session.diagnostics(URI, version)
    assert [d.code for d in published.diagnostics] == ["BL105", "BL202", "BL101"]
    assert published.diagnostics[2].message.startswith("barrier 'services_deployde' (stage deploy_web) is not declared")


async def test_save_lints_at_once_and_close_clears(patient):
    session = patient.session
    await session.open(URI, RELEASE)
    version = session.change(URI, RELEASE.replace("services_deployd", "old_gate"))
    session.client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    published = await session.diagnostics(URI, version)
    assert [d.code for d in published.diagnostics] == ["BL202", "BL202"]
    assert [p.version for p in session.recorder.published] == [1, version]
    session.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI))
    )
    cleared = await session.recorder.wait(lambda p: p.uri == URI and p.version is None, "clearing on close")
    assert list(cleared.diagnostics) == []


async def test_yaml_that_is_not_harness_gets_no_diagnostics(client):
    session = client.session
    published = await session.open("file:///work/compose.yaml", "services:\n  web:\n    image: nginx\n    ports: [80\n")
    assert list(published.diagnostics) == []
    published = await session.open("file:///work/other.yaml", "a: 1\na: 2\n")
    assert list(published.diagnostics) == []


async def test_a_syntax_error_in_harness_yaml_is_bl000(client):
    session = client.session
    published = await session.open("file:///work/broken.yaml", "pipeline:\n  identifier: x\n  stages: [\n")
    assert [d.code for d in published.diagnostics] == ["BL000"]
