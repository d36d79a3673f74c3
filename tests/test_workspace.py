"""Across files: golden workspaces. Each folder of tests/workspaces is a repository; linting it with the
command line's workspace resolution must give exactly the lines of the `.out` file beside it (findings with
their related locations, each in its own file). Regenerate with --update-golden and review the diff."""

from __future__ import annotations

import os
import shutil

import pytest

from barrier_lint.cli import Configs, lint_paths

from .conftest import ROOT

WORKSPACES = ROOT / "tests" / "workspaces"
CASES = sorted(p for p in WORKSPACES.iterdir() if p.is_dir())


def _name(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def workspace_output(folder, monkeypatch, *paths: str, **options) -> str:
    """Lint `paths` (default: the whole folder) inside a copy of `folder`, as the command line does
    (`options`: lint_paths's, such as jobs and cache)."""
    monkeypatch.chdir(folder)
    run = lint_paths(list(paths) or ["."], Configs(None, None, frozenset()), None, **options)
    lines = []
    for result in sorted(run.results, key=lambda r: _name(r.path)):
        for d in result.diagnostics:
            lines.append(f"{_name(result.path)}:{d.span.start_line + 1}:{d.span.start_col + 1}: {d.code} {d.message}")
            for r in d.related:
                where = r.span.origin.file if r.span.origin is not None else _name(result.path)
                lines.append(f"    = {where}:{r.span.start_line + 1}:{r.span.start_col + 1}: {r.message}")
    return "\n".join(lines) + "\n"


@pytest.fixture
def copy_of(tmp_path):
    def copy(case) -> str:
        target = tmp_path / case.name
        shutil.copytree(case, target)
        return str(target)

    return copy


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_workspace_matches_golden(case, copy_of, monkeypatch, update_golden):
    actual = workspace_output(copy_of(case), monkeypatch)
    expected = case.with_suffix(".out")
    if update_golden:
        expected.write_text(actual, encoding="utf-8")
    assert actual == expected.read_text(encoding="utf-8")


# -- the command line across files ------------------------------------------------------------------------


def run_cli(args, cwd, monkeypatch):
    import io
    import sys

    from barrier_lint import cli

    monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    status = cli.main(args)
    return status, out.getvalue(), err.getvalue()


def test_a_file_named_alone_is_resolved_against_its_workspace(copy_of, monkeypatch):
    folder = copy_of(WORKSPACES / "sequential_template")
    assert workspace_output(folder, monkeypatch, ".harness/release.yaml").splitlines()[0].startswith(
        ".harness/release.yaml:21:24: BL203 barrier 'services_deployed'"
    )
    # --no-resolve reads the file on its own: the template's steps are invisible, as before
    status, out, _ = run_cli(["--no-resolve", "--format", "json", ".harness/release.yaml"], folder, monkeypatch)
    assert (status, out.strip()) == (0, "[]")


def test_json_and_sarif_related_locations_carry_their_own_file(copy_of, monkeypatch):
    import json

    folder = copy_of(WORKSPACES / "sequential_template")
    _, out, _ = run_cli(["--format", "json", "."], folder, monkeypatch)
    [finding] = json.loads(out)
    assert [(r["file"], r["line"], r["column"]) for r in finding["related"]] == [
        (".harness/templates/deploy_gate.yaml", 18, 29),
        (".harness/templates/deploy_gate.yaml", 18, 29),
    ]
    assert (finding["line"], finding["column"], finding["code"]) == (21, 24, "BL203")
    _, out, _ = run_cli(["--format", "sarif", "."], folder, monkeypatch)
    [result] = json.loads(out)["runs"][0]["results"]
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == ".harness/templates/deploy_gate.yaml"
    assert related["region"]["startLine"] == 18
    assert "snippet" not in related["region"]  # the snippet would be quoted from the wrong file


def test_show_files_says_what_each_file_is_and_resolves(copy_of, monkeypatch):
    folder = copy_of(WORKSPACES / "chained_pipelines")
    _, out, _ = run_cli(["--show-files", "."], folder, monkeypatch)
    assert out.splitlines() == [
        "child.yaml  v0 pipeline",
        "orphan.yaml  v0 pipeline (parent.X references unchecked: no pipeline of the workspace chains it)",
        "parent_parallel.yaml  v0 pipeline (child pipeline deploy_child from child.yaml)",
        "parent_sequential.yaml  v0 pipeline (child pipeline deploy_child from child.yaml)",
        "parent_undeclared.yaml  v0 pipeline (child pipeline deploy_child from child.yaml)",
    ]
    folder = copy_of(WORKSPACES / "versions_and_scopes")
    _, out, _ = run_cli(["--show-files", ".harness/pipeline.yaml", "org"], folder, monkeypatch)
    assert out.splitlines() == [
        ".harness/pipeline.yaml  v0 pipeline (template wait_step unresolved; template org.org_wait unresolved; "
        "template wait_step@v2 from .harness/templates/wait_step/v2.yaml; template org_wait unresolved; "
        "template account.wait_step unresolved)",
        "org/org_wait.yaml  v0 template of type Step",
    ]


# -- the merge, case by case ------------------------------------------------------------------------------

STEP_TEMPLATE = """\
template:
  name: Wait
  identifier: wait_tpl
  versionLabel: "1"
  type: StepGroup
  spec:
    stageType: Custom
    when: <+input>
    steps:
      - step:
          type: Barrier
          name: Wait
          identifier: wait
          spec:
            barrierRef: <+input>.allowedValues(a,c)
          timeout: 1m
"""


def lint_pair(pipeline: str, template: str = STEP_TEMPLATE):
    from barrier_lint.workspace import Workspace

    workspace = Workspace()
    workspace.put("template.yaml", template)
    workspace.put("pipeline.yaml", pipeline)
    return [(d.code, d.span.start_line + 1, d.span.start_col + 1) for d in workspace.lint("pipeline.yaml")]


def group_use(inputs: str, *, sibling: str = "") -> str:
    return f"""\
pipeline:
  name: P
  identifier: p
  flowControl:
    barriers:
      - {{name: A, identifier: a}}
      - {{name: B, identifier: b}}
  stages:
    - parallel:
        - stage:
            name: One
            identifier: one
            type: Custom
            spec:
              execution:
                steps:
                  - stepGroup:
                      name: G
                      identifier: g
                      template:
                        templateRef: wait_tpl
                        versionLabel: "1"
{inputs}{sibling}
        - stage:
            name: Two
            identifier: two
            type: Custom
            spec:
              execution:
                steps:
                  - step: {{type: Barrier, name: W, identifier: w, spec: {{barrierRef: a}}, timeout: 1m}}
"""


def test_an_input_that_is_itself_a_runtime_input_keeps_the_templates_validators():
    inputs = """\
                        templateInputs:
                          steps:
                            - step:
                                identifier: wait
                                type: Barrier
                                spec:
                                  barrierRef: <+input>
"""
    # Still asked at run time with the template's .allowedValues(a,c): 'c' is not declared (BL101, which needs
    # the pipeline, at the use's templateRef); the BL103 lies wholly in the template, which reports it itself.
    assert lint_pair(group_use(inputs)) == [("BL101", 21, 38)]
    from barrier_lint.workspace import Workspace

    workspace = Workspace()
    workspace.put("template.yaml", STEP_TEMPLATE)
    assert [(d.code, d.span.start_line + 1) for d in workspace.lint("template.yaml")] == [("BL103", 15)]


def test_a_whole_subtree_runtime_input_takes_the_inputs_subtree_and_literals_fill_the_reference():
    inputs = """\
                        templateInputs:
                          when:
                            stageStatus: Success
                            condition: <+pipeline.variables.go> == "yes"
                          steps:
                            - step:
                                identifier: wait
                                type: Barrier
                                spec:
                                  barrierRef: a
"""
    # the `when` from the input can skip the group: BL206 at the barrierRef given in the pipeline
    assert lint_pair(group_use(inputs)) == [("BL105", 7, 31), ("BL206", 32, 47)]


def test_template_overrides_and_keys_beside_template_change_the_resolved_group():
    inputs = """\
                        templateInputs:
                          steps:
                            - step:
                                identifier: wait
                                type: Barrier
                                spec:
                                  barrierRef: a
"""
    sibling = """\
                      strategy:
                        repeat:
                          times: 3
                          maxConcurrency: 1
"""
    # the strategy written beside `template:` loops the group: BL207 at its maxConcurrency key
    assert lint_pair(group_use(inputs, sibling=sibling)) == [("BL105", 7, 31), ("BL207", 33, 27)]


def test_a_use_of_the_wrong_template_type_is_unresolved_and_says_why():
    from barrier_lint.workspace import Workspace

    workspace = Workspace()
    workspace.put("template.yaml", STEP_TEMPLATE)
    workspace.put("pipeline.yaml", group_use("").replace("- stepGroup:", "- step:"))
    [bl108] = [d for d in workspace.lint("pipeline.yaml") if d.code == "BL108"]
    assert "template 'wait_tpl' is a StepGroup template, used here as a Step" in bl108.message
    assert (bl108.span.start_line + 1, bl108.span.start_col + 1) == (21, 38)


def test_nesting_deeper_than_ten_levels_is_bl110_at_the_use_that_passes_the_limit():
    from barrier_lint.workspace import Workspace

    workspace = Workspace()
    for level in range(12):
        inner = (
            f"""\
    steps:
      - stepGroup:
          name: Deeper
          identifier: deeper
          template:
            templateRef: level_{level + 1}
            versionLabel: "1"
"""
            if level < 11
            else "    steps:\n      - step: {type: Barrier, name: W, identifier: w, spec: {barrierRef: a}}\n"
        )
        workspace.put(
            f"level_{level}.yaml",
            f'template:\n  name: L\n  identifier: level_{level}\n  versionLabel: "1"\n  type: StepGroup\n'
            f"  spec:\n    stageType: Custom\n{inner}",
        )
    found = [(d.code, d.span.start_line + 1, d.message) for d in workspace.lint("level_0.yaml") if d.code == "BL110"]
    assert len(found) == 1
    code, line, message = found[0]
    assert (code, line) == ("BL110", 13)  # level_0's own use of level_1, through which the limit is passed
    assert message.startswith("templates nest more than 10 levels deep (level_0@1 -> level_1@1 -> ")
    assert "level_10@1 -> level_11@1" in message


def test_the_example_repository_shows_each_cross_file_mistake(copy_of, monkeypatch):
    folder = copy_of(ROOT / "examples" / "harness-repo")
    lines = [line.split(" ", 2)[:2] for line in workspace_output(folder, monkeypatch).splitlines() if line[0] != " "]
    assert lines == [
        [".harness/input_sets/storefront_regions_prod.yaml:22:39:", "BL202"],  # the run leaves one participant
        [".harness/input_sets/storefront_regions_prod.yaml:33:39:", "BL101"],  # and picks an undeclared barrier
        [".harness/pipelines/storefront_regions.yaml:25:37:", "BL103"],
        [".harness/pipelines/storefront_regions.yaml:39:37:", "BL103"],
        [".harness/pipelines/storefront_release.yaml:25:24:", "BL203"],  # the template used in sequential stages
        [".harness/pipelines/storefront_train.yaml:35:21:", "BL203"],  # the child waits after its parent's stage
    ]


def test_template_paths_add_a_folder_outside_the_repository(tmp_path, monkeypatch):
    repo, shared = tmp_path / "repo", tmp_path / "org-templates"
    (repo / ".git").mkdir(parents=True)
    shared.mkdir()
    (shared / "gate.yaml").write_text((WORKSPACES / "sequential_template/.harness/templates/deploy_gate.yaml").read_text())
    (repo / "release.yaml").write_text((WORKSPACES / "sequential_template/.harness/release.yaml").read_text())
    # without the setting the template is not found: BL108, and the deadlock stays invisible
    _, out, _ = run_cli(["--format", "concise", "release.yaml"], repo, monkeypatch)
    assert [line.split(" ")[:3] for line in out.splitlines()[:2]] == [
        ["release.yaml:15:24:", "info", "BL108"], ["release.yaml:21:24:", "info", "BL108"]
    ]
    (repo / ".barrier-lint.toml").write_text('template-paths = ["../org-templates"]\n')
    status, out, _ = run_cli(["--format", "concise", "release.yaml"], repo, monkeypatch)
    assert status == 1
    assert out.splitlines()[0].startswith("release.yaml:21:24: error BL203 ")
    assert "(through template deploy_gate@v2: ../org-templates/gate.yaml:18)" in out.splitlines()[0]


# -- the merge never fails ---------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SCALARS = st.sampled_from(["<+input>", "<+input>.default(a)", "a", "Barrier", "x", "", "1"])
KEYS = st.sampled_from(["step", "stage", "stepGroup", "parallel", "insert", "identifier", "type", "spec",
                        "barrierRef", "timeout", "steps", "when", "template"])
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=30,
)


def _yaml(value, indent=0) -> str:
    import json

    return json.dumps(value)  # JSON is YAML: flow style, every shape


@settings(max_examples=300, deadline=None)
@given(template=TREES, inputs=TREES)
def test_merge_and_combine_take_any_shapes(template, inputs):
    from barrier_lint.parse import compose
    from barrier_lint.workspace.merge import combine, merge

    t = compose(_yaml({"template": template}), "t.yaml").documents[0][1]
    i = compose(_yaml({"template": inputs}), "i.yaml").documents[0][1]
    fixed: list = []
    merged = merge(t, i, fixed)
    combined = combine(t, i)
    assert merged is not None and combined is not None
    assert all(value.start_mark.name == "i.yaml" for value, _, _ in fixed)


def test_a_fifo_in_the_workspace_is_never_opened_for_resolution(tmp_path, monkeypatch):
    import os
    import threading

    folder = tmp_path / "repo"
    shutil.copytree(WORKSPACES / "sequential_template", folder)
    os.mkfifo(folder / ".harness" / "pipe.yaml")
    done = threading.Event()
    result = {}

    def run():
        result["out"] = workspace_output(str(folder), monkeypatch, ".harness/release.yaml")
        done.set()

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert done.wait(60), "the workspace blocked on a FIFO"
    assert result["out"].startswith(".harness/release.yaml:21:24: BL203 ")


def test_a_workspace_outside_git_is_walked_for_a_bounded_number_of_files(tmp_path, monkeypatch):
    from barrier_lint.workspace import files

    for i in range(12):
        (tmp_path / f"p{i:02}.yaml").write_text(f"pipeline:\n  identifier: p{i}\n")
    monkeypatch.setattr(files, "MAX_WALKED_FILES", 5)
    listed = list(files.workspace_files(str(tmp_path), None))
    assert [os.path.basename(p) for p in listed] == ["p00.yaml", "p01.yaml", "p02.yaml", "p03.yaml", "p04.yaml"]


# -- the reverse dependency map: a change costs the files that depend on it -----------------------------

def _stage(identifier: str, body: str) -> str:
    return f"""\
    - stage:
        name: {identifier}
        identifier: {identifier}
{body}"""


DEPENDENCY_FILES = {
    "wait.yaml": 'template:\n  name: Wait\n  identifier: wait\n  versionLabel: "1"\n  type: Step\n'
                 "  spec:\n    type: Barrier\n    spec:\n      barrierRef: <+input>\n    timeout: 1m\n",
    "gate.yaml": 'template:\n  name: Gate\n  identifier: gate\n  versionLabel: "1"\n  type: StepGroup\n'
                 "  spec:\n    steps:\n      - step:\n          name: W\n          identifier: w\n"
                 "          template:\n            templateRef: wait\n            versionLabel: \"1\"\n"
                 "            templateInputs:\n              type: Barrier\n              spec:\n"
                 "                barrierRef: <+input>\n",
    "deploy.yaml": 'template:\n  name: Deploy\n  identifier: deploy\n  versionLabel: "1"\n  type: Stage\n'
                   "  spec:\n    type: Custom\n    spec:\n      execution:\n        steps:\n"
                   "          - stepGroup:\n              name: G\n              identifier: g\n"
                   "              template:\n                templateRef: gate\n                versionLabel: \"1\"\n",
    "other.yaml": 'template:\n  name: Other\n  identifier: other\n  versionLabel: "1"\n  type: Step\n'
                  "  spec:\n    type: ShellScript\n    spec: {}\n",
    # uses the stage template (so gate, so wait)
    "p1.yaml": "pipeline:\n  identifier: p1\n  stages:\n"
               + _stage("a", '        template:\n          templateRef: deploy\n          versionLabel: "1"\n'),
    # uses the step template directly
    "p2.yaml": "pipeline:\n  identifier: p2\n  stages:\n"
               + _stage("b", "        type: Custom\n        spec:\n          execution:\n            steps:\n"
                             "              - step:\n                  identifier: s\n                  template:\n"
                             '                    templateRef: wait\n                    versionLabel: "1"\n'),
    # uses an unrelated template
    "p3.yaml": "pipeline:\n  identifier: p3\n  stages:\n"
               + _stage("c", "        type: Custom\n        spec:\n          execution:\n            steps:\n"
                             "              - step:\n                  identifier: s\n                  template:\n"
                             '                    templateRef: other\n                    versionLabel: "1"\n'),
    # chains p1: its analysis reads p1 and what p1 uses
    "p4.yaml": "pipeline:\n  identifier: p4\n  stages:\n"
               + _stage("d", "        type: Pipeline\n        spec:\n          org: o\n          project: x\n"
                             "          pipeline: p1\n"),
    "plain.yaml": "pipeline:\n  identifier: plain\n  stages:\n" + _stage("e", "        type: Custom\n        spec: {}\n"),
    "p2_inputs.yaml": "inputSet:\n  identifier: p2_inputs\n  pipeline:\n    identifier: p2\n",
}


def test_a_template_change_re_analyses_exactly_the_files_that_use_it(monkeypatch):
    import barrier_lint.workspace as ws
    from barrier_lint.workspace import Workspace

    workspace = Workspace()
    for name, text in DEPENDENCY_FILES.items():
        workspace.put(name, text)
    for name in DEPENDENCY_FILES:
        workspace.lint(name)
    analysed: list[str] = []
    real_read = ws.read
    monkeypatch.setattr(ws, "read", lambda composed, resolver: analysed.append(composed.name) or real_read(composed, resolver))

    workspace.put("wait.yaml", DEPENDENCY_FILES["wait.yaml"].replace("timeout: 1m", "timeout: 2m"))
    users = workspace.users_of("wait.yaml")
    for name in DEPENDENCY_FILES:  # what a full re-lint asks for: only what the change concerns is read again
        workspace.lint(name)
    assert users == ["deploy.yaml", "gate.yaml", "p1.yaml", "p2.yaml", "p2_inputs.yaml", "p4.yaml"]
    assert sorted(analysed) == ["deploy.yaml", "gate.yaml", "p1.yaml", "p2.yaml", "p2_inputs.yaml", "p4.yaml", "wait.yaml"]

    # A new file that makes an unresolved use resolve: the files naming it are analysed again, and only they.
    analysed.clear()
    workspace.put("p5.yaml", DEPENDENCY_FILES["p3.yaml"].replace("p3", "p5").replace("other", "later"))
    assert workspace.lint("p5.yaml")[0].code == "BL108"
    analysed.clear()
    workspace.put("later.yaml", DEPENDENCY_FILES["other.yaml"].replace("other", "later"))
    assert workspace.users_of("later.yaml") == ["p5.yaml"]
    for name in [*DEPENDENCY_FILES, "p5.yaml", "later.yaml"]:
        workspace.lint(name)
    assert sorted(analysed) == ["later.yaml", "p5.yaml"]
    assert [d.code for d in workspace.lint("p5.yaml")] == []

    # Removing a template: its users are analysed again (and now say it is missing), nothing else.
    analysed.clear()
    assert workspace.dependents("other.yaml") == {"p3.yaml"}
    workspace.remove("other.yaml")
    for name in [*DEPENDENCY_FILES, "p5.yaml", "later.yaml"]:
        if name != "other.yaml":
            workspace.lint(name)
    assert sorted(analysed) == ["p3.yaml"]
    assert [d.code for d in workspace.lint("p3.yaml")] == ["BL108"]


@pytest.mark.parametrize("case", CASES + [ROOT / "examples"], ids=lambda p: p.name)
def test_a_run_leaves_no_reference_cycles_for_the_collector_to_find(case, copy_of, monkeypatch):
    """`lint_paths` freezes what it built instead of letting the collector walk it (`collector_paused`'s
    `keep`): sound only while the run builds no reference cycles, which this checks by collecting with
    the run's objects unfrozen once it is dropped."""
    import gc

    monkeypatch.chdir(copy_of(case))
    lint_paths(["."], Configs(None, None, frozenset()), None)  # first imports (classes remade by dataclass(slots))
    gc.unfreeze()
    gc.collect()
    run = lint_paths(["."], Configs(None, None, frozenset()), None)
    assert run.results
    gc.unfreeze()
    del run
    assert gc.collect() == 0


def test_a_directory_run_lets_each_linted_pipeline_go_back_to_its_text(copy_of, monkeypatch):
    """`Workspace.release`: in a workspace that looks no pipeline up, a pipeline linted from the command line
    is let go (its text, tree and model), templates stay composed, and what is drawn from the run
    afterwards (`LintRun.model`) is the pipeline put, composed and resolved again, as the linter read it."""
    from barrier_lint.workspace import Workspace

    from .test_server_incremental import dump

    monkeypatch.chdir(copy_of(WORKSPACES / "sequential_template"))
    run = lint_paths(["."], Configs(None, None, frozenset()), None, keep_text=True, jobs=1, cache=False)
    (workspace,) = run.workspaces.loaded.values()
    assert workspace.releasing
    assert not workspace.index.pending and ".harness/release.yaml" not in workspace
    assert sorted(workspace.index.files) == [".harness/templates/deploy_gate.yaml"]
    assert workspace.model(".harness/release.yaml") is None

    (result,) = [r for r in run.results if r.path.endswith("release.yaml")]
    assert [d.code for d in result.diagnostics] == ["BL203"]  # (kept text: the finding is what needs it)
    fresh = Workspace.load(".")
    fresh.put(".harness/release.yaml", result.text)
    expected = fresh.read(".harness/release.yaml")
    assert dump(run.model(result).documents) == dump(expected.documents)
    assert ".harness/release.yaml" in workspace.index.files  # composed again by that lookup


@pytest.mark.parametrize("case", ["chained_pipelines", "input_sets"])
def test_a_workspace_that_looks_pipelines_up_keeps_every_file_composed(case, copy_of, monkeypatch):
    """A child pipeline or an input set is found by what it is, among every file: none is let go."""
    monkeypatch.chdir(copy_of(WORKSPACES / case))
    run = lint_paths(["."], Configs(None, None, frozenset()), None, jobs=1, cache=False)
    (workspace,) = run.workspaces.loaded.values()
    assert not workspace.releasing
    assert not workspace.index.pending
    assert sorted(workspace.index.files) == sorted(r.path.removeprefix("./") for r in run.results)


def test_a_directory_run_reads_each_file_once(copy_of, monkeypatch):
    """The workspace a directory run loads takes the bytes the command line read to lint its files; only a
    file that is not linted (a single file named, its templates beside it) is read for resolution."""
    from barrier_lint.workspace import files

    read: list[str] = []
    real_read_file = files.read_file
    monkeypatch.setattr(files, "read_file", lambda path, limit: read.append(os.path.basename(path)) or real_read_file(path, limit))
    folder = copy_of(WORKSPACES / "sequential_template")
    expected = (WORKSPACES / "sequential_template.out").read_text(encoding="utf-8")
    assert workspace_output(folder, monkeypatch, jobs=1) == expected
    assert read == []
    assert workspace_output(folder, monkeypatch, ".harness/release.yaml", jobs=1) == expected
    assert read == ["deploy_gate.yaml"]


def test_a_directory_run_walks_a_folder_outside_git_once(copy_of, monkeypatch):
    """Outside git, the workspace of a folder a directory run walked is what that walk found: the folder is
    not walked again, and the findings are the same. A run that walks otherwise (`.gitignore` not
    respected) leaves nothing to take."""
    from barrier_lint.workspace import files

    walks: list[str] = []
    real_discover = files.discover
    monkeypatch.setattr(files, "discover", lambda paths, *a, **k: walks.append(paths[0]) or real_discover(paths, *a, **k))
    folder = copy_of(WORKSPACES / "sequential_template")
    expected = (WORKSPACES / "sequential_template.out").read_text(encoding="utf-8")
    assert workspace_output(folder, monkeypatch, jobs=1) == expected
    assert walks == []
    assert workspace_output(folder, monkeypatch, jobs=1, respect_gitignore=False) == expected
    assert walks == [folder]


def test_a_relative_root_lists_the_folder_it_names_now(tmp_path, monkeypatch):
    """`workspace_files(".")` after a change of the working directory lists the new folder: the real path
    of a root, remembered per run, was remembered by the relative name, and stood for the first folder."""
    from barrier_lint.workspace import files

    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.yaml").write_text("pipeline:\n  identifier: p\n")
    listed = []
    for name in ("one", "two"):
        monkeypatch.chdir(tmp_path / name)
        listed.append([os.path.basename(p) for p in files.workspace_files(".", None)])
    assert listed == [["one.yaml"], ["two.yaml"]]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["template", "templat", ":", " ", "\t", "\n", "\r", "\r\n", "x", "# ", "- "]), max_size=12))
def test_a_template_file_is_told_as_the_multiline_pattern_tells_it(parts):
    """`key_at_line_start` (the workspace's and the cache's test for a file defining a template) answers
    what `^template\\s*:` under re.MULTILINE answers, in text and in bytes."""
    import re

    from barrier_lint.patterns import key_at_line_start

    text = "".join(parts)
    defines = key_at_line_start("template")
    assert defines(text) == (re.search(r"^template\s*:", text, re.M) is not None)
    assert defines(text.encode()) == (re.search(rb"^template\s*:", text.encode(), re.M) is not None)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["pipeline", "inputSet", "barrierRef", "template", ":", " ", "\t", "\n", "\r", "\x0c",
                                 "\x1c", "x", "# ", "- "]), max_size=12))
def test_an_ascii_file_looks_like_harness_yaml_as_bytes_as_it_does_as_text(parts):
    """`looks_like_harness` of an ASCII file's bytes (what the workspace asks of a file it keeps pending as
    bytes) is its answer for the text, but where `\\s` of the text takes a control character YAML refuses
    (U+001C to U+001F: such a file composes to nothing, pending or not)."""
    from barrier_lint.parse import compose
    from barrier_lint.syntax import looks_like_harness

    text = "".join(parts)
    if any("\x1c" <= c <= "\x1f" for c in text):
        assert compose(text).documents == []
    else:
        assert looks_like_harness(text.encode()) == looks_like_harness(text)


def test_a_file_read_already_waits_as_its_bytes_when_ascii_and_as_its_text_otherwise(tmp_path, monkeypatch):
    """`Workspace.load` with the bytes the command line read: an ASCII pipeline waits to be composed as those
    very bytes (no copy decoded up front), one with other characters as its text; a template is composed
    at once either way; putting a pending file with the bytes it waits as composes it without forgetting
    anything analysed; a lookup composes every file still pending, bytes decoded."""
    from barrier_lint.workspace import Workspace
    from barrier_lint.workspace.index import Scope

    monkeypatch.chdir(tmp_path)
    texts = {
        "plain.yaml": "pipeline:\n  identifier: plain\n  stages: []\n",
        "accented.yaml": "pipeline:\n  identifier: accented\n  name: Déploiement\n  stages: []\n",
        "template.yaml": "template:\n  identifier: t\n  type: Step\n  versionLabel: v1\n  spec:\n    type: Barrier\n",
        "notes.yaml": "just: yaml\n",
    }
    read = {}
    for name, text in texts.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        read[str(tmp_path / name)] = text.encode()
    workspace = Workspace.load(str(tmp_path), read=read)
    assert workspace.index.pending["plain.yaml"] is read[str(tmp_path / "plain.yaml")]
    assert workspace.index.pending["accented.yaml"] == texts["accented.yaml"]
    assert sorted(workspace.index.pending) == ["accented.yaml", "plain.yaml"]  # (not Harness YAML: not in it)
    assert sorted(workspace.index.files) == ["template.yaml"]
    model = workspace.read("template.yaml")
    with monkeypatch.context() as patched:  # (a change would ask what it affects: this one is none)
        patched.setattr(workspace, "_affected", lambda name: pytest.fail(f"{name} put as a change"))
        workspace.put("plain.yaml", texts["plain.yaml"], read[str(tmp_path / "plain.yaml")])
        workspace.put("accented.yaml", texts["accented.yaml"])
    assert workspace.index.files["plain.yaml"].composed.text == texts["plain.yaml"]
    assert workspace.model("template.yaml") is model
    workspace.index.put_later("accented.yaml", texts["accented.yaml"])
    workspace.index.put_later("plain.yaml", read[str(tmp_path / "plain.yaml")])
    assert workspace.resolver.find_pipeline("plain", Scope(None, None)).file == "plain.yaml"
    assert not workspace.index.pending
    assert [e.identifier for e in workspace.index.pipelines["accented"]] == ["accented"]


def test_only_templates_share_their_keys_where_nothing_looks_a_pipeline_up(tmp_path, monkeypatch):
    """`WorkspaceIndex.node_keys` holds the mappings of every file whose nodes may be spliced elsewhere: in a
    workspace none of whose files says a word of a lookup, the templates' alone (a pipeline reads its own
    mappings in its own index); once one does, every file's, those composed before included. The findings
    are the same either way."""
    from barrier_lint.workspace import Workspace

    template = "template:\n  identifier: t\n  type: Step\n  versionLabel: v1\n  spec:\n    type: Barrier\n    spec:\n      barrierRef: <+input>\n"
    pipeline = (
        "pipeline:\n  identifier: p\n  flowControl:\n    barriers:\n      - {name: b, identifier: b}\n  stages:\n"
        "    - stage:\n        identifier: s\n        type: Custom\n        spec:\n          execution:\n            steps:\n"
        "              - step:\n                  identifier: w\n                  template:\n                    templateRef: t\n"
        "                    versionLabel: v1\n                    templateInputs:\n                      spec:\n"
        "                        barrierRef: b\n"
    )
    monkeypatch.chdir(tmp_path)
    (tmp_path / "t.yaml").write_text(template)
    (tmp_path / "p.yaml").write_text(pipeline)

    def keys_of(workspace, name):
        indexes = [document[2] for document in workspace.index.files[name].composed.documents]
        every = {node for index in indexes for node in index}
        return {node for node in every if node in workspace.index.node_keys}, every

    alone = Workspace.load(str(tmp_path))
    alone.put("p.yaml", pipeline)
    found = [(d.code, d.span.start_line, d.span.start_col) for d in alone.lint("p.yaml")]
    assert found == [("BL202", 19, 36)]  # (one participant: its reference, written in the use's inputs)
    shared, every = keys_of(alone, "t.yaml")
    assert shared == every and every
    assert keys_of(alone, "p.yaml")[0] == set()

    # (composed before the input set is met, for the `template:` it says, though it defines none)
    (tmp_path / "m.yaml").write_text("pipeline:\n  identifier: m\n  stages: []\n---\ntemplate:\n  name: unfinished\n")
    (tmp_path / "z.yaml").write_text("inputSet:\n  identifier: i\n  pipeline:\n    identifier: p\n")
    looking = Workspace.load(str(tmp_path))
    assert "m.yaml" in looking.index.files
    looking.put("p.yaml", pipeline)
    assert [(d.code, d.span.start_line, d.span.start_col) for d in looking.lint("p.yaml")] == found
    for name in ("t.yaml", "p.yaml", "m.yaml"):
        shared, every = keys_of(looking, name)
        assert shared == every and every
