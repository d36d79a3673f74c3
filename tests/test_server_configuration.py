"""Configuration: the CLI's configuration files, initializationOptions, workspace/configuration per folder
and didChangeConfiguration."""

from __future__ import annotations

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp_fixtures.harness import CLIENTS, fixture_text, server_config, start

RELEASE = fixture_text("release.yaml")  # BL105 warning, BL202 warning, BL101 error


@pytest_lsp.fixture(config=server_config(), params=CLIENTS)
async def bare(request, lsp_client: LanguageClient):
    """A client that the test initializes itself (to set configuration first)."""
    lsp_client.kind = request.param  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


def found(published):
    return [(d.code, d.severity) for d in published.diagnostics]


W, E, I = types.DiagnosticSeverity.Warning, types.DiagnosticSeverity.Error, types.DiagnosticSeverity.Information


async def test_initialization_options(bare):
    session = await start(bare, bare.kind, initialization_options={"barrierLint": {"ignore": ["unused-barrier"]}})
    published = await session.open("file:///work/release.yaml", RELEASE)
    assert found(published) == [("BL202", W), ("BL101", E)]


async def test_configuration_file_then_editor_settings_on_top(bare, tmp_path):
    project = tmp_path / "project"
    (project / "pipelines").mkdir(parents=True)
    (project / "pyproject.toml").write_text('[tool.barrier-lint]\nignore = ["BL202"]\nseverity = { BL105 = "error" }\n')
    pipeline = project / "pipelines" / "release.yaml"
    pipeline.write_text(RELEASE)
    bare.set_configuration({"severity": {"BL101": "info"}}, section="barrierLint", scope_uri=project.as_uri())
    session = await start(
        bare, bare.kind, workspace_folders=[types.WorkspaceFolder(uri=project.as_uri(), name="project")]
    )
    published = await session.open(pipeline.as_uri(), RELEASE)
    assert found(published) == [("BL105", E), ("BL101", I)]


async def test_each_workspace_folder_has_its_own_settings(bare, tmp_path):
    strict, quiet = tmp_path / "strict", tmp_path / "quiet"
    strict.mkdir()
    quiet.mkdir()
    bare.set_configuration({"severity": {"BL202": "error"}}, section="barrierLint", scope_uri=strict.as_uri())
    bare.set_configuration({"select": ["BL1"], "ignore": ["BL105"]}, section="barrierLint", scope_uri=quiet.as_uri())
    session = await start(
        bare,
        bare.kind,
        workspace_folders=[
            types.WorkspaceFolder(uri=strict.as_uri(), name="strict"),
            types.WorkspaceFolder(uri=quiet.as_uri(), name="quiet"),
        ],
    )
    published = await session.open((strict / "a.yaml").as_uri(), RELEASE)
    assert found(published) == [("BL105", W), ("BL202", E), ("BL101", E)]
    published = await session.open((quiet / "a.yaml").as_uri(), RELEASE)
    assert found(published) == [("BL101", E)]


async def test_did_change_configuration_relints_open_documents(bare):
    session = await start(bare, bare.kind)
    uri = "file:///work/release.yaml"
    published = await session.open(uri, RELEASE)
    assert found(published) == [("BL105", W), ("BL202", W), ("BL101", E)]
    before = len(session.recorder.published)
    bare.set_configuration({"severity": {"BL101": "off", "single-participant": "info"}}, section="barrierLint")
    bare.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"barrierLint": {}}))
    published = await session.recorder.wait(
        lambda p: p.uri == uri and p in session.recorder.published[before:], "after the configuration changed"
    )
    assert found(published) == [("BL105", W), ("BL202", I)]


async def test_invalid_settings_are_logged_and_ignored(bare):
    session = await start(bare, bare.kind, initialization_options={"barrierLint": {"select": ["BL999"]}})
    published = await session.open("file:///work/release.yaml", RELEASE)
    assert found(published) == [("BL105", W), ("BL202", W), ("BL101", E)]
    assert any(
        "editor settings ignored" in log.message and "unknown rule 'BL999'" in log.message
        for log in session.recorder.logs
    )


async def test_keys_of_other_tools_and_an_empty_select_do_not_spoil_the_settings(bare):
    options = {"select": [], "ignore": ["BL105"], "trace": "verbose", "debounceMs": 0}
    session = await start(bare, bare.kind, initialization_options=options)
    published = await session.open("file:///work/release.yaml", RELEASE)
    assert found(published) == [("BL202", W), ("BL101", E)]
    assert [log.message for log in session.recorder.logs if "unknown setting" in log.message] == [
        "barrier-lint: unknown setting(s) in initializationOptions ignored: trace"
    ]
