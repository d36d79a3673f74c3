"""The language server across files (issue 10, "The language server"): the workspace folder is indexed in
the background with `$/progress`, open pipelines are analysed against it (templates resolved), a change to a
template re-publishes the open pipelines that use it (edit, close, watched files), and definition, hover,
references, rename and completion see through template uses. Over stdio with pytest-lsp."""

from __future__ import annotations

import asyncio
import shutil

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from tests.lsp_fixtures.harness import CLIENTS, WAIT, pos, rng, server_config, start

from .conftest import ROOT

CASE = ROOT / "tests" / "workspaces" / "sequential_template"
RELEASE = ".harness/release.yaml"
TEMPLATE = ".harness/templates/deploy_gate.yaml"
FIRST_USE = rng(14, 23, 14, 34)  # the first `templateRef: deploy_gate` in release.yaml
SECOND_USE = rng(20, 23, 20, 34)
TEMPLATE_REF = rng(17, 28, 17, 45)  # `barrierRef: services_deployed` in the template
TEMPLATE_ID = rng(2, 14, 2, 25)  # `identifier: deploy_gate` in the template
DECLARATION = rng(8, 20, 8, 37)  # `identifier: services_deployed` in release.yaml
# A second pipeline using the same template: renaming in the template then changes it too.
OTHER = """pipeline:
  name: Other
  identifier: other
  orgIdentifier: default
  projectIdentifier: payments
  flowControl:
    barriers:
      - name: Services Deployed
        identifier: services_deployed
  stages:
    - parallel:
        - stage:
            name: One
            identifier: one
            template:
              templateRef: deploy_gate
              versionLabel: v2
        - stage:
            name: Two
            identifier: two
            template:
              templateRef: deploy_gate
              versionLabel: v2
"""


@pytest_lsp.fixture(config=server_config("--debounce-ms", "0"), params=CLIENTS)
async def bare(request, lsp_client: LanguageClient):
    lsp_client.kind = request.param  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def repo(tmp_path):
    target = tmp_path / "repo"
    shutil.copytree(CASE, target)
    return target


async def indexed(client: LanguageClient, repo) -> None:
    """Start a session on the workspace folder `repo` and wait until its index is built."""
    client.session = await start(  # type: ignore[attr-defined]
        client, client.kind, workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="repo")]
    )

    async def ended():
        while not any(isinstance(r, types.WorkDoneProgressEnd) for rs in client.progress_reports.values() for r in rs):
            await asyncio.sleep(0.05)

    await asyncio.wait_for(ended(), WAIT)


async def open_indexed(client: LanguageClient, repo, name: str) -> str:
    """Index `repo`, then open its file `name` as it is on disk; returns its URI."""
    await indexed(client, repo)
    opened = uri(repo, name)
    await client.session.open(opened, (repo / name).read_text())  # type: ignore[attr-defined]
    return opened


def uri(repo, name: str) -> str:
    return (repo / name).as_uri()


def summary(published: types.PublishDiagnosticsParams):
    return [
        (
            d.code,
            d.range,
            [(r.location.uri, r.location.range, r.message) for r in d.related_information or []],
        )
        for d in published.diagnostics
    ]


async def published_after(session, count: int, name: str, predicate=lambda p: True):
    """The first diagnostics for `name` published after the first `count` notifications."""
    # By identity: a notification equal to an earlier one is a new one all the same.
    return await session.recorder.wait(
        lambda p: any(p is q for q in session.recorder.published[count:]) and p.uri == name and predicate(p),
        f"for {name}",
    )


def blocked(repo) -> list:
    """Release's finding: its two sequential stages use the template's Barrier step (rules.md BL203)."""
    where = uri(repo, TEMPLATE)
    return [
        (
            "BL203",
            SECOND_USE,
            [
                (where, TEMPLATE_REF, "where it is, in template deploy_gate@v2"),
                (where, TEMPLATE_REF, "earlier participant of 'services_deployed' (stage deploy_api)"),
            ],
        )
    ]


async def test_the_index_is_built_with_progress_and_findings_point_into_the_template(bare, repo):
    await indexed(bare, repo)
    [reports] = bare.progress_reports.values()
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert reports[0].title == "barrier-lint: indexing repo"
    assert reports[-1] == types.WorkDoneProgressEnd(message="2 Harness files")
    published = await bare.session.open(uri(repo, RELEASE), (repo / RELEASE).read_text())
    assert summary(published) == blocked(repo)


async def test_requests_are_answered_while_the_index_is_partial(bare, repo):
    # Opened before indexing can have finished: answered at once (templates not found yet), then published
    # again, resolved, when the index is complete.
    session = await start(bare, bare.kind, workspace_folders=[types.WorkspaceFolder(uri=repo.as_uri(), name="repo")])
    release = uri(repo, RELEASE)
    session.client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=release, language_id="yaml", version=1, text=(repo / RELEASE).read_text())
        )
    )
    final = await session.recorder.wait(lambda p: p.uri == release and [d.code for d in p.diagnostics] == ["BL203"], "resolved")
    assert summary(final) == blocked(repo)


async def test_editing_a_template_republishes_the_open_pipelines_using_it(bare, repo):
    await indexed(bare, repo)
    session = bare.session
    release, template = uri(repo, RELEASE), uri(repo, TEMPLATE)
    await session.open(release, (repo / RELEASE).read_text())
    await session.open(template, (repo / TEMPLATE).read_text())
    count = len(session.recorder.published)
    session.change(template, "other_gate", TEMPLATE_REF)
    again = await published_after(session, count, release)
    assert again.version == 1  # the pipeline did not change: its diagnostics did
    assert [(d.code, d.range) for d in again.diagnostics] == [
        ("BL105", DECLARATION),
        ("BL101", FIRST_USE),
        ("BL101", SECOND_USE),
        ("BL203", SECOND_USE),  # the new barrier is still used by two sequential stages
    ]
    # Closing the template without saving: the disk's text is what the pipeline uses again.
    count = len(session.recorder.published)
    session.client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=template))
    )
    restored = await published_after(session, count, release)
    assert summary(restored) == blocked(repo)


async def test_a_template_edit_that_changes_a_pipelines_code_lens_refreshes_it(bare, repo):
    """The pipeline's text did not change, so the client would not ask for its lenses again: the server
    sends workspace/codeLens/refresh, to clients that support it (VS Code's set; not Neovim's)."""
    await indexed(bare, repo)
    session = bare.session
    release, template = uri(repo, RELEASE), uri(repo, TEMPLATE)
    await session.open(release, (repo / RELEASE).read_text())
    await session.open(template, (repo / TEMPLATE).read_text())
    lens = types.CodeLensParams(text_document=types.TextDocumentIdentifier(uri=release))
    assert [lens.command.title for lens in await bare.text_document_code_lens_async(lens)] == [
        "2 participants: stage deploy_api, stage deploy_web"]
    count = len(session.recorder.published)
    session.change(template, "other_gate", TEMPLATE_REF)
    await published_after(session, count, release)
    await asyncio.sleep(0.2)
    assert session.recorder.code_lens_refreshes == (1 if session.kind == "visual-studio-code" else 0)
    assert [lens.command.title for lens in await bare.text_document_code_lens_async(lens)] == ["unused"]


async def test_a_template_changed_on_disk_republishes_through_watched_files(bare, repo):
    await indexed(bare, repo)
    session = bare.session
    if bare.kind == "visual-studio-code":  # the client that registers watchers dynamically
        [registration] = session.recorder.registrations
        assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
        assert registration.register_options == {"watchers": [{"globPattern": "**/*.{yaml,yml}"}]}
    else:
        assert session.recorder.registrations == []
    release = uri(repo, RELEASE)
    await session.open(release, (repo / RELEASE).read_text())
    path = repo / TEMPLATE
    path.write_text(path.read_text().replace("barrierRef: services_deployed", "barrierRef: other_gate"))
    count = len(session.recorder.published)
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri(repo, TEMPLATE), type=types.FileChangeType.Changed)])
    )
    again = await published_after(session, count, release)
    assert [d.code for d in again.diagnostics] == ["BL105", "BL101", "BL101", "BL203"]
    # Deleted: the uses no longer resolve (BL108 at each).
    path.unlink()
    count = len(session.recorder.published)
    session.client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(changes=[types.FileEvent(uri=uri(repo, TEMPLATE), type=types.FileChangeType.Deleted)])
    )
    gone = await published_after(session, count, release)
    assert [(d.code, d.range) for d in gone.diagnostics] == [("BL108", FIRST_USE), ("BL108", SECOND_USE)]


async def test_definition_on_a_template_ref_opens_the_template_at_its_identifier(bare, repo):
    release = await open_indexed(bare, repo, RELEASE)
    result = await bare.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=release), position=pos(20, 25))
    )
    assert result == [types.Location(uri=uri(repo, TEMPLATE), range=TEMPLATE_ID)]


async def test_hover_on_a_template_use_says_what_it_resolved_to(bare, repo):
    release = await open_indexed(bare, repo, RELEASE)
    hover = await bare.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=release), position=pos(14, 30))
    )
    assert hover.range == FIRST_USE
    assert hover.contents.value == (
        "**Stage template `deploy_gate@v2`**\n"
        "\n"
        "File: `.harness/templates/deploy_gate.yaml` line 3  \n"
        "Version: `v2` (written here)\n"
        "\n"
        "Barrier steps it brings (1):\n"
        "- step wait: barrierRef `services_deployed` (.harness/templates/deploy_gate.yaml:18)"
    )


async def test_template_nodes_are_not_found_at_their_lines_in_the_pipeline(bare, repo):
    # The template's barrierRef is at line 17, columns 28-45, of its own file: the same place in the
    # pipeline (here a comment) is not a barrier reference, and the outline holds no template step.
    path = repo / RELEASE
    text = path.read_text().replace("        name: Deploy Web\n", "        name: Deploy Web  # a comment that is long enough\n")
    path.write_text(text)
    await indexed(bare, repo)
    release = uri(repo, RELEASE)
    await bare.session.open(release, text)
    document = types.TextDocumentIdentifier(uri=release)
    assert await bare.text_document_hover_async(types.HoverParams(text_document=document, position=pos(17, 35))) is None
    assert await bare.text_document_definition_async(types.DefinitionParams(text_document=document, position=pos(17, 35))) == []
    symbols = await bare.text_document_document_symbol_async(types.DocumentSymbolParams(text_document=document))

    def names(items):
        return [n for s in items for n in [s.name, *names(s.children or [])]]

    assert names(symbols) == ["Release", "barriers", "services_deployed", "Deploy API", "Deploy Web"]


async def test_references_include_positions_reached_through_templates(bare, repo):
    release = await open_indexed(bare, repo, RELEASE)
    result = await bare.text_document_references_async(
        types.ReferenceParams(
            text_document=types.TextDocumentIdentifier(uri=release),
            position=pos(8, 25),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert list(result) == [
        types.Location(uri=release, range=DECLARATION),
        types.Location(uri=uri(repo, TEMPLATE), range=TEMPLATE_REF),
    ]


@pytest.mark.parametrize(
    "start, position",
    [(RELEASE, pos(8, 25)), (TEMPLATE, pos(17, 30))],
    ids=["from-the-pipeline", "from-the-template"],
)
async def test_rename_rewrites_a_template_only_this_pipeline_uses(bare, repo, start, position):
    # Started on the declaration or on the template's step, the rename is the same edit: the template
    # has one user, so it is rewritten without a label.
    document = await open_indexed(bare, repo, start)
    edit = await bare.text_document_rename_async(
        types.RenameParams(text_document=types.TextDocumentIdentifier(uri=document), position=position, new_name="ready")
    )
    assert {k: list(v) for k, v in edit.changes.items()} == {
        uri(repo, RELEASE): [types.TextEdit(range=DECLARATION, new_text="ready")],
        uri(repo, TEMPLATE): [types.TextEdit(range=TEMPLATE_REF, new_text="ready")],
    }
    assert edit.document_changes is None


async def test_rename_never_rewrites_a_shared_template_without_saying_so(bare, repo):
    (repo / ".harness" / "other.yaml").write_text(OTHER)
    await indexed(bare, repo)
    release, template = uri(repo, RELEASE), uri(repo, TEMPLATE)
    await bare.session.open(release, (repo / RELEASE).read_text())
    edit = await bare.text_document_rename_async(
        types.RenameParams(text_document=types.TextDocumentIdentifier(uri=release), position=pos(8, 25), new_name="ready")
    )
    if bare.kind == "visual-studio-code":  # supports change annotations: the template's edit needs confirming
        assert edit.changes is None
        assert [(c.text_document, list(c.edits)) for c in edit.document_changes] == [
            (
                types.OptionalVersionedTextDocumentIdentifier(uri=release, version=None),
                [types.TextEdit(range=DECLARATION, new_text="ready")],
            ),
            (
                types.OptionalVersionedTextDocumentIdentifier(uri=template, version=None),
                [types.AnnotatedTextEdit(range=TEMPLATE_REF, new_text="ready", annotation_id=f"shared:{TEMPLATE}")],
            ),
        ]
        note = edit.change_annotations[f"shared:{TEMPLATE}"]
        assert note.label == f"Also rewrites template {TEMPLATE}, used by .harness/other.yaml"
        assert note.needs_confirmation is True
        assert bare.messages == []
    else:  # no annotations: the template is left alone, and the user is told
        assert {k: list(v) for k, v in edit.changes.items()} == {release: [types.TextEdit(range=DECLARATION, new_text="ready")]}
        await asyncio.sleep(0.2)  # the message is sent just before the answer
        assert [m.message for m in bare.messages] == [
            f"Renamed 'services_deployed' in this pipeline only: not in the shared template(s) {TEMPLATE} "
            "(also used by .harness/other.yaml). Rename it there by hand if every pipeline using them should change."
        ]


# OTHER with a Barrier step of its own on the same barrier: a participant reached through the barrier only.
OTHER_STEP = OTHER + """        - stage:
            name: Three
            identifier: three
            type: Custom
            spec:
              execution:
                steps:
                  - step: {type: Barrier, name: W, identifier: w, spec: {barrierRef: services_deployed}, timeout: 1m}
"""
OTHER_DECLARATION = rng(8, 20, 8, 37)
OTHER_STEP_REF = rng(30, 85, 30, 102)


async def test_references_in_a_template_reach_the_pipelines_using_it(bare, repo):
    (repo / ".harness" / "other.yaml").write_text(OTHER_STEP)
    template = await open_indexed(bare, repo, TEMPLATE)
    release, other = uri(repo, RELEASE), uri(repo, ".harness/other.yaml")
    for include, expected in (
        (True, [(template, TEMPLATE_REF), (other, OTHER_DECLARATION), (other, OTHER_STEP_REF), (release, DECLARATION)]),
        (False, [(template, TEMPLATE_REF), (other, OTHER_STEP_REF)]),
    ):
        result = await bare.text_document_references_async(
            types.ReferenceParams(
                text_document=types.TextDocumentIdentifier(uri=template),
                position=pos(17, 30),
                context=types.ReferenceContext(include_declaration=include),
            )
        )
        assert [(r.uri, r.range) for r in result] == expected


async def test_rename_in_a_shared_template_renames_every_user_and_says_it_is_shared(bare, repo):
    (repo / ".harness" / "other.yaml").write_text(OTHER_STEP)
    template = await open_indexed(bare, repo, TEMPLATE)
    release, other = uri(repo, RELEASE), uri(repo, ".harness/other.yaml")
    edit = await bare.text_document_rename_async(
        types.RenameParams(text_document=types.TextDocumentIdentifier(uri=template), position=pos(17, 30), new_name="ready")
    )
    users = ".harness/other.yaml, .harness/release.yaml"
    if bare.kind == "visual-studio-code":  # supports change annotations: the shared template's edit is labelled
        assert [(c.text_document.uri, list(c.edits)) for c in edit.document_changes] == [
            (template, [types.AnnotatedTextEdit(range=TEMPLATE_REF, new_text="ready", annotation_id=f"shared:{TEMPLATE}")]),
            (other, [types.TextEdit(range=OTHER_DECLARATION, new_text="ready"),
                     types.TextEdit(range=OTHER_STEP_REF, new_text="ready")]),
            (release, [types.TextEdit(range=DECLARATION, new_text="ready")]),
        ]
        note = edit.change_annotations[f"shared:{TEMPLATE}"]
        assert note.label == f"Rewrites template {TEMPLATE}, shared by {users}: renamed in each of them"
        assert note.needs_confirmation is True
    else:  # no annotations: everything is renamed, and the message says the template is shared
        assert {k: list(v) for k, v in edit.changes.items()} == {
            template: [types.TextEdit(range=TEMPLATE_REF, new_text="ready")],
            other: [types.TextEdit(range=OTHER_DECLARATION, new_text="ready"),
                    types.TextEdit(range=OTHER_STEP_REF, new_text="ready")],
            release: [types.TextEdit(range=DECLARATION, new_text="ready")],
        }
        await asyncio.sleep(0.2)  # the message is sent just before the answer
        assert [m.message for m in bare.messages] == [
            f"Renamed 'services_deployed' in template {TEMPLATE}, shared by {users}: those pipelines were renamed too."
        ]


async def test_rename_in_a_template_refuses_a_name_a_user_already_declares(bare, repo):
    (repo / ".harness" / "other.yaml").write_text(OTHER.replace(
        "        identifier: services_deployed\n", "        identifier: services_deployed\n      - {name: R, identifier: ready}\n"))
    template = await open_indexed(bare, repo, TEMPLATE)
    with pytest.raises(Exception, match="already declared"):
        await bare.text_document_rename_async(
            types.RenameParams(text_document=types.TextDocumentIdentifier(uri=template), position=pos(17, 30), new_name="ready")
        )


async def test_completion_in_a_template_offers_the_barriers_of_the_pipelines_using_it(bare, repo):
    (repo / ".harness" / "other.yaml").write_text(OTHER.replace("services_deployed", "other_ready"))
    await indexed(bare, repo)
    template = uri(repo, TEMPLATE)
    await bare.session.open(template, (repo / TEMPLATE).read_text())
    result = await bare.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=template), position=pos(17, 45))
    )
    assert [(i.label, i.detail) for i in result.items] == [
        ("other_ready", "Services Deployed (declared in .harness/other.yaml)"),
        ("services_deployed", "Services Deployed (declared in .harness/release.yaml)"),
    ]


# -- chained pipelines and input sets (issue 11, "The language server") -----------------------------------


@pytest.fixture
def cases(tmp_path):
    def copy(name: str):
        target = tmp_path / name
        shutil.copytree(ROOT / "tests" / "workspaces" / name, target)
        return target

    return copy


async def test_definition_on_parent_x_opens_each_parents_declaration(bare, cases):
    repo = cases("chained_pipelines")
    child = await open_indexed(bare, repo, "child.yaml")
    result = await bare.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=child), position=pos(18, 40))
    )
    # parent_undeclared.yaml chains it too, and declares no release_gate.
    assert list(result) == [
        types.Location(uri=uri(repo, "parent_parallel.yaml"), range=rng(8, 20, 8, 32)),
        types.Location(uri=uri(repo, "parent_sequential.yaml"), range=rng(8, 20, 8, 32)),
    ]


async def test_definition_on_a_pipeline_stage_opens_the_child_and_on_parent_x_in_its_inputs_this_file(bare, cases):
    repo = cases("chained_pipelines")
    path = repo / "parent_parallel.yaml"
    path.write_text(path.read_text().replace("parent.rollout_done", "parent.release_gate"))
    parent = await open_indexed(bare, repo, "parent_parallel.yaml")
    document = types.TextDocumentIdentifier(uri=parent)
    result = await bare.text_document_definition_async(types.DefinitionParams(text_document=document, position=pos(32, 26)))
    assert list(result) == [types.Location(uri=uri(repo, "child.yaml"), range=rng(2, 14, 2, 26))]
    # A `parent.X` written in this parent's spec.inputs: the parent is this file.
    result = await bare.text_document_definition_async(types.DefinitionParams(text_document=document, position=pos(46, 50)))
    assert list(result) == [types.Location(uri=parent, range=rng(8, 20, 8, 32))]


async def test_hover_on_a_pipeline_stage_says_what_it_resolved_to_and_the_barriers_the_child_joins(bare, cases):
    repo = cases("chained_pipelines")
    parent = await open_indexed(bare, repo, "parent_parallel.yaml")
    result = await bare.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=parent), position=pos(32, 26))
    )
    assert result.range == rng(32, 24, 32, 36)
    assert result.contents.value == (
        "**Child pipeline `deploy_child`**\n\n"
        "File: `child.yaml` line 3\n\n"
        "Barriers of this pipeline it joins (2):\n"
        "- `release_gate` (declared here): step join (child.yaml:19)\n"
        "- `rollout_done` (not declared here): step own (parent_parallel.yaml:47)"
    )


async def test_completion_in_a_chained_child_offers_the_parents_barriers(bare, cases):
    repo = cases("chained_pipelines")
    child = await open_indexed(bare, repo, "child.yaml")
    result = await bare.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=child), position=pos(18, 32))
    )
    assert [(i.label, i.detail, i.text_edit.range) for i in result.items] == [
        ("parent.release_gate", "Release gate (declared in parent_parallel.yaml, parent_sequential.yaml)", rng(18, 32, 18, 51)),
    ]


async def test_editing_a_child_republishes_its_open_parents(bare, cases):
    repo = cases("chained_pipelines")
    await indexed(bare, repo)
    session = bare.session
    parent, child = uri(repo, "parent_sequential.yaml"), uri(repo, "child.yaml")
    before = await session.open(parent, (repo / "parent_sequential.yaml").read_text())
    assert [(d.code, d.range) for d in before.diagnostics] == [("BL203", rng(31, 20, 31, 32))]
    await session.open(child, (repo / "child.yaml").read_text())
    count = len(session.recorder.published)
    session.change(child, "parent.other", rng(18, 32, 18, 51))
    again = await published_after(session, count, parent)
    assert [(d.code, d.range) for d in again.diagnostics] == [
        ("BL202", rng(22, 32, 22, 44)),  # release_gate is left with one participant
        ("BL101", rng(31, 20, 31, 32)),  # parent.other: no barrier 'other' here
    ]


async def test_input_sets_complete_their_pipelines_barriers_and_follow_its_edits(bare, cases):
    repo = cases("input_sets")
    await indexed(bare, repo)
    session = bare.session
    typo, pipeline = uri(repo, "typo.yaml"), uri(repo, "pipeline.yaml")
    first = await session.open(typo, (repo / "typo.yaml").read_text())
    assert [(d.code, d.range) for d in first.diagnostics] == [("BL101", rng(30, 38, 30, 44))]
    result = await bare.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=typo), position=pos(30, 38))
    )
    assert [(i.label, i.detail) for i in result.items] == [
        ("deployed", "Deployed (declared in pipeline.yaml)"),
        ("verified", "Verified (declared in pipeline.yaml)"),
    ]
    # The pipeline renames its barrier: the input set's run is checked again.
    text = (repo / "pipeline.yaml").read_text()
    await session.open(pipeline, text)
    count = len(session.recorder.published)
    session.change(pipeline, "deploy", rng(8, 20, 8, 28))
    again = await published_after(session, count, typo)
    assert [(d.code, d.range) for d in again.diagnostics] == [("BL101", rng(19, 38, 19, 46))]


# -- configuration ------------------------------------------------------------------------------------------


def two_versions(repo) -> str:
    """The template in versions v1 and v2, and a release that names none: which is stable is configuration."""
    template = repo / TEMPLATE
    (template.parent / "deploy_gate_v1.yaml").write_text(template.read_text().replace("versionLabel: v2", "versionLabel: v1"))
    text = (repo / RELEASE).read_text().replace("          versionLabel: v2\n", "")
    (repo / RELEASE).write_text(text)
    return text


async def test_stable_templates_from_the_folders_editor_settings(bare, repo):
    text = two_versions(repo)
    bare.set_configuration({"stable-templates": {"deploy_gate": "v2"}}, section="barrierLint", scope_uri=repo.as_uri())
    await indexed(bare, repo)
    published = await bare.session.open(uri(repo, RELEASE), text)
    assert [(d.code, d.range) for d in published.diagnostics] == [("BL203", rng(19, 23, 19, 34))]


async def test_without_a_stable_version_the_uses_are_not_resolved(bare, repo):
    text = two_versions(repo)
    await indexed(bare, repo)
    published = await bare.session.open(uri(repo, RELEASE), text)
    assert [(d.code, d.range) for d in published.diagnostics] == [("BL108", FIRST_USE), ("BL108", rng(19, 23, 19, 34))]


async def test_excluded_files_are_not_indexed(bare, repo):
    (repo / ".barrier-lint.toml").write_text('exclude = [".harness/templates/"]\n')
    await indexed(bare, repo)
    [reports] = bare.progress_reports.values()
    assert reports[-1] == types.WorkDoneProgressEnd(message="1 Harness file")
    published = await bare.session.open(uri(repo, RELEASE), (repo / RELEASE).read_text())
    assert [(d.code, d.range) for d in published.diagnostics] == [("BL108", FIRST_USE), ("BL108", SECOND_USE)]


async def test_hover_on_a_barrier_names_the_template_of_each_participant_it_brings(bare, repo):
    release = await open_indexed(bare, repo, RELEASE)
    hover = await bare.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=release), position=pos(8, 25))
    )
    # Line 18 is the template's, not the pipeline's (whose line 18 is a stage's name).
    assert hover.contents.value == (
        "**Barrier Services Deployed** (`services_deployed`)\n"
        "\n"
        "Participants (2):\n"
        "- stage deploy_api, step wait (line 18 of template deploy_gate@v2)\n"
        "- stage deploy_web, step wait (line 18 of template deploy_gate@v2)\n"
        "\n"
        "The participants do not all run concurrently: line 18 of template deploy_gate@v2 must finish before "
        "line 18 of template deploy_gate@v2 starts."
    )


async def test_a_workspace_folder_added_later_is_indexed_and_its_open_documents_resolve(bare, repo):
    session = await start(bare, bare.kind)  # no workspace folder (nor git repository): read on its own
    release = uri(repo, RELEASE)
    alone = await session.open(release, (repo / RELEASE).read_text())
    assert list(alone.diagnostics) == []  # as `barrier-lint --no-resolve` reads it: no BL108, nothing resolved
    count = len(session.recorder.published)
    bare.workspace_did_change_workspace_folders(
        types.DidChangeWorkspaceFoldersParams(
            event=types.WorkspaceFoldersChangeEvent(added=[types.WorkspaceFolder(uri=repo.as_uri(), name="repo")], removed=[])
        )
    )
    resolved = await published_after(session, count, release, lambda p: [d.code for d in p.diagnostics] == ["BL203"])
    assert summary(resolved) == blocked(repo)


# -- an edit inside one stage (issue 13 part 5) --------------------------------------------------------------

PLAIN_FIRST = """pipeline:
  name: Mixed
  identifier: mixed
  orgIdentifier: default
  projectIdentifier: payments
  flowControl:
    barriers:
      - name: Services Deployed
        identifier: services_deployed
  stages:
    - stage:
        name: Prepare
        identifier: prepare
        type: Custom
        spec:
          execution:
            steps:
              - step:
                  type: Barrier
                  name: Wait
                  identifier: wait
                  spec:
                    barrierRef: services_deployed
    - parallel:
        - stage:
            name: Deploy API
            identifier: deploy_api
            template:
              templateRef: deploy_gate
              versionLabel: v2
        - stage:
            name: Deploy Web
            identifier: deploy_web
            template:
              templateRef: deploy_gate
              versionLabel: v2
"""


async def test_typing_in_a_plain_stage_of_a_workspace_pipeline_publishes_the_full_analysis(bare, repo):
    (repo / ".harness" / "mixed.yaml").write_text(PLAIN_FIRST)
    opened = await open_indexed(bare, repo, ".harness/mixed.yaml")
    session = bare.session
    template = uri(repo, TEMPLATE)
    first = await session.diagnostics(opened, 1)
    # `services_deployed` -> `services_deployxed` -> `services_deployed` (typed and deleted), then a line added
    # in the stage: the template uses below it move down one line.
    version = session.change(opened, "x", rng(22, 46, 22, 46))
    typo = await session.diagnostics(opened, version)
    assert [(d.code, d.range) for d in typo.diagnostics] == [("BL101", rng(22, 32, 22, 50))]
    version = session.change(opened, "", rng(22, 46, 22, 47))
    assert summary(await session.diagnostics(opened, version)) == summary(first)
    version = session.change(opened, "\n                  timeout: 10m", rng(22, 49, 22, 49))
    moved = await session.diagnostics(opened, version)
    # (each use's Barrier step runs after `prepare`'s: its related locations, in the template and here)
    related = [(template, TEMPLATE_REF, "where it is, in template deploy_gate@v2"),
               (opened, rng(22, 32, 22, 49), "earlier participant of 'services_deployed' (stage prepare)")]
    assert summary(first) == [("BL203", rng(28, 27, 28, 38), related), ("BL203", rng(34, 27, 34, 38), related)]
    assert summary(moved) == [("BL203", rng(29, 27, 29, 38), related), ("BL203", rng(35, 27, 35, 38), related)]
    # The workspace learned the text: go to definition on the moved templateRef opens the template.
    found = await bare.text_document_definition_async(
        types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=opened), position=pos(29, 30))
    )
    assert [(f.uri, f.range) for f in found] == [(template, TEMPLATE_ID)]
