"""Baselines: record today's findings, then report only new ones, even after lines move."""

from __future__ import annotations

import json
import pathlib

import pytest

from .test_cli_integrations import RELEASE, run_main


@pytest.fixture
def project(tmp_path: pathlib.Path, monkeypatch) -> pathlib.Path:
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "release.yaml").write_text(RELEASE)
    status, out, err = run_main(["--write-baseline", "baseline.json", "pipelines"], monkeypatch, tmp_path)
    assert (status, out, err) == (0, "", "barrier-lint: recorded 3 findings in baseline.json\n")
    return tmp_path


def lint(project: pathlib.Path, monkeypatch, *extra: str) -> tuple[int, list[str]]:
    status, out, _ = run_main(["-q", "--baseline", "baseline.json", *extra, "pipelines"], monkeypatch, project)
    return status, out.splitlines()


def test_baseline_file_records_each_finding(project):
    data = json.loads((project / "baseline.json").read_text())
    assert data["version"] == 2
    assert [(f["file"], f["code"], f["barrier"], f["subject"]) for f in data["findings"]] == [
        ("pipelines/release.yaml", "BL105", "spare", "flowControl.barriers.spare"),
        ("pipelines/release.yaml", "BL203", "ready", "stage deploy > step wait"),
        ("pipelines/release.yaml", "BL101", "redy", "stage deploy > step other"),
    ]
    assert len({f["fingerprint"] for f in data["findings"]}) == 3


def test_nothing_new_nothing_reported(project, monkeypatch):
    assert lint(project, monkeypatch) == (0, [])


def test_findings_stay_suppressed_when_lines_move(project, monkeypatch):
    moved = RELEASE.replace(
        "  stages:\n",
        "  tags:\n    team: release\n    owner: platform\n  stages:\n",
    ).replace("pipeline:\n", "# Release pipeline, owned by the platform team\n\npipeline:\n")
    (project / "pipelines" / "release.yaml").write_text(moved)
    # The findings moved five lines down...
    status, out, _ = run_main(["-q", "--format", "concise", "pipelines"], monkeypatch, project)
    assert [line.split(" ")[0] for line in out.splitlines()] == [
        "pipelines/release.yaml:9:35:", "pipelines/release.yaml:29:88:", "pipelines/release.yaml:30:90:",
    ]
    # ... and the baseline still knows them.
    assert lint(project, monkeypatch) == (0, [])


def test_a_new_finding_is_reported(project, monkeypatch):
    text = RELEASE.replace("{barrierRef: redy}", "{barrierRef: redy}, strategy: {repeat: {times: 2}}")
    (project / "pipelines" / "release.yaml").write_text(text)
    status, out = lint(project, monkeypatch)
    assert status == 1
    assert [line.split(" ")[:2] for line in out] == [["pipelines/release.yaml:25:97:", "BL301"]]


def test_a_second_identical_finding_is_new(project, monkeypatch):
    """Identical findings are counted: a copy of an accepted mistake is still new."""
    doubled = RELEASE.replace(
        "      - {name: Spare, identifier: spare}\n",
        "      - {name: Spare, identifier: spare}\n      - {name: Spare2, identifier: spare}\n",
    )
    (project / "pipelines" / "release.yaml").write_text(doubled)
    status, out = lint(project, monkeypatch, "--select", "BL104,BL105")
    assert [line.split(" ")[:2] for line in out] == [
        ["pipelines/release.yaml:8:36:", "BL104"],
        ["pipelines/release.yaml:8:36:", "BL105"],
    ]


def test_fixed_findings_leave_the_rest_accepted(project, monkeypatch):
    (project / "pipelines" / "release.yaml").write_text(RELEASE.replace("barrierRef: redy", "barrierRef: ready"))
    status, out = lint(project, monkeypatch, "--select", "BL1")
    assert (status, out) == (0, [])


def test_baseline_works_from_another_directory(project, monkeypatch):
    status, out, _ = run_main(["-q", "--baseline", "../baseline.json", "."], monkeypatch, project / "pipelines")
    assert (status, out) == (0, "")


def test_other_formats_honour_the_baseline(project, monkeypatch):
    status, out, _ = run_main(["--baseline", "baseline.json", "--format", "json", "pipelines"], monkeypatch, project)
    assert (status, json.loads(out)) == (0, [])


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read baseline missing.json: No such file or directory"),
        ("not json", "baseline missing.json is not JSON: "),
        ('{"version": 7, "findings": []}', "baseline missing.json is not a barrier-lint baseline (version 2)"),
        ('{"version": 2, "findings": [{"code": "BL101"}]}', "baseline missing.json: every finding needs a fingerprint"),
        (
            '{"version": 1, "findings": []}',
            "baseline missing.json was written by an older barrier-lint whose fingerprints changed when steps moved; "
            "record it again with --write-baseline missing.json",
        ),
    ],
)
def test_bad_baseline_is_exit_2(project, monkeypatch, content, message):
    if content is not None:
        (project / "missing.json").write_text(content)
    status, out, err = run_main(["--baseline", "missing.json", "pipelines"], monkeypatch, project)
    assert (status, out) == (2, "")
    assert err.startswith(f"barrier-lint: {message}")


# --------------------------------------------------------------------------------------- what a fingerprint is

SHELL = "              - step: {type: ShellScript, name: Echo, identifier: echo, spec: {shell: Bash}}\n"
STAGE = """\
    - stage:
        name: Smoke
        identifier: smoke
        type: Custom
        spec:
          execution:
            steps:
""" + SHELL


@pytest.mark.parametrize(
    "edit",
    [
        # Before: a step before the Barrier step, or a stage before the earlier one, made the BL203 new.
        lambda text: text.replace("            steps:\n", "            steps:\n" + SHELL),
        lambda text: text.replace("  stages:\n", "  stages:\n" + STAGE),
        lambda text: text.replace("    - stage:\n        name: Deploy", STAGE + "    - stage:\n        name: Deploy"),
        lambda text: text + STAGE,
        # Removal and reordering: the Other step before the Wait step in stage deploy.
        lambda text: text.replace(
            "      - step: {type: Barrier, name: Wait, identifier: wait, spec: {barrierRef: ready}, timeout: 10m}\n"
            "              - step: {type: Barrier, name: Other",
            "      - step: {type: Barrier, name: Other",
        ).replace("{barrierRef: redy}, timeout: 10m}\n", "{barrierRef: redy}, timeout: 10m}\n"
                  "              - step: {type: Barrier, name: Wait, identifier: wait, spec: {barrierRef: ready}, timeout: 10m}\n"),
        # Steps wrapped in a parallel block.
        lambda text: text.replace(
            "              - step: {type: Barrier, name: Other",
            "              - parallel:\n                  - step: {type: Barrier, name: Other",
        ),
    ],
    ids=["step-before", "stage-first", "stage-between", "stage-after", "steps-reordered", "into-parallel"],
)
def test_accepted_findings_survive_unrelated_steps_and_stages(project, monkeypatch, edit):
    edited = edit(RELEASE)
    assert edited != RELEASE
    (project / "pipelines" / "release.yaml").write_text(edited)
    status, out, _ = run_main(["-q", "pipelines"], monkeypatch, project)
    assert sorted(line.split(" ")[1] for line in out.splitlines()) == ["BL101", "BL105", "BL203"]  # still there
    assert lint(project, monkeypatch) == (0, [])  # and still accepted


def test_renaming_the_step_makes_the_finding_new(project, monkeypatch):
    (project / "pipelines" / "release.yaml").write_text(RELEASE.replace("identifier: other", "identifier: other2"))
    status, out = lint(project, monkeypatch)
    assert (status, [line.split(" ")[:2] for line in out]) == (1, [["pipelines/release.yaml:25:91:", "BL101"]])


def test_fingerprints_are_unique_and_published_by_sarif_and_gitlab(tmp_path, monkeypatch):
    # Findings that share code, barrier and stage (steps without identifiers, two copies of one mistake).
    text = RELEASE.replace("name: Other, identifier: other,", "name: Other,").replace(
        "{barrierRef: redy}, timeout: 10m}\n",
        "{barrierRef: redy}, timeout: 10m}\n"
        "              - step: {type: Barrier, name: Other, spec: {barrierRef: redy}, timeout: 10m}\n"
        "              - step: {type: Barrier, spec: {barrierRef: redy}, timeout: 10m}\n"
        "              - step: {type: Barrier, spec: {barrierRef: redy}, timeout: 10m}\n",
    )
    (tmp_path / "release.yaml").write_text(text)
    status, out, _ = run_main(["--format", "sarif", "release.yaml"], monkeypatch, tmp_path)
    sarif = [r["partialFingerprints"] for r in json.loads(out)["runs"][0]["results"]]
    status, out, _ = run_main(["--format", "gitlab", "release.yaml"], monkeypatch, tmp_path)
    gitlab = [issue["fingerprint"] for issue in json.loads(out)]
    assert len(gitlab) == len(sarif) >= 8
    assert len(set(gitlab)) == len(gitlab)
    assert len({tuple(sorted(p.items())) for p in sarif}) == len(sarif)


def test_a_finding_through_a_template_keeps_its_fingerprint_when_the_template_moves_lines():
    from barrier_lint.baseline import fingerprints
    from barrier_lint.diagnostics import Diagnostic, Severity
    from barrier_lint.model import Origin, Span
    from barrier_lint.output.common import FileResult

    def reported(template_line: int, message_line: int) -> FileResult:
        # What the workspace resolver gives: a range at the use (via) and the message naming the template's line.
        origin = Origin("templates/gate.yaml", Span(12, 20, 12, 29), "template gate@v2")
        d = Diagnostic(
            "BL203", "sequential-barrier-participants", Severity.ERROR,
            f"barrier 'ready' is also used at line {message_line} (template gate@v2, templates/gate.yaml:{template_line})",
            Span(template_line, 4, template_line, 9, origin), barrier="ready", tree_path="stage deploy > step wait",
        )
        return FileResult("release.yaml", [d])

    assert fingerprints([reported(3, 16)]) == fingerprints([reported(40, 61)])


# --------------------------------------------------------------------------------------- writes that lose nothing


def test_a_failed_run_never_writes_the_baseline(project, monkeypatch):
    before = (project / "baseline.json").read_bytes()
    # Before: a mistyped path rewrote the baseline with 0 entries, then exited 2.
    status, out, err = run_main(["--write-baseline", "baseline.json", "pipelnes"], monkeypatch, project)
    assert (status, out) == (2, "")
    assert err == (
        "barrier-lint: baseline.json not written: the run failed\n"
        "barrier-lint: cannot read pipelnes: no such file or directory\n"
    )
    assert (project / "baseline.json").read_bytes() == before


def test_writes_are_atomic(project, monkeypatch):
    before = (project / "baseline.json").read_bytes()
    (project / "report.json").write_text("[]\n")

    def broken(results, out, options):
        out.write("[{")  # half written, then the process dies
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("barrier_lint.output.json_format.render", broken)
    status, _, err = run_main(["--format", "json", "--output", "report.json", "pipelines"], monkeypatch, project)
    assert (status, err) == (2, "barrier-lint: cannot write report.json: No space left on device\n")
    assert (project / "report.json").read_text() == "[]\n"  # the old report, whole
    assert sorted(p.name for p in project.iterdir()) == ["baseline.json", "pipelines", "report.json"]  # no temporary left

    def dump_fails(*args, **kwargs):
        raise OSError(28, "No space left on device")

    import json as real_json

    class FailingJson:  # the baseline's json alone: the result cache writes JSON too, and must not be broken
        def __getattr__(self, name):
            return dump_fails if name == "dumps" else getattr(real_json, name)

    monkeypatch.setattr("barrier_lint.baseline.json", FailingJson())
    status, _, err = run_main(["--write-baseline", "baseline.json", "pipelines"], monkeypatch, project)
    assert (status, err) == (2, "barrier-lint: cannot write baseline baseline.json: No space left on device\n")
    assert (project / "baseline.json").read_bytes() == before


def test_atomic_write_keeps_permissions_and_follows_symlinks(tmp_path):
    from barrier_lint.output.common import write_atomically

    target = tmp_path / "real.json"
    target.write_text("old")
    target.chmod(0o640)
    (tmp_path / "link.json").symlink_to("real.json")
    write_atomically(str(tmp_path / "link.json"), lambda out: out.write("new"))
    assert (tmp_path / "link.json").is_symlink()
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "args",
    [
        ["--write-baseline", "pipelines/release.yaml", "pipelines"],
        ["--format", "json", "--output", "pipelines/release.yaml", "pipelines"],
        ["--format", "json", "--output", "./pipelines/../pipelines/release.yaml", "pipelines/release.yaml"],
        ["--format", "sarif", "--output", "alias.yaml", "pipelines"],  # a symlink to the pipeline
        ["--format", "sarif", "--output", "hard.yaml", "pipelines"],  # a hard link to it
    ],
    ids=["baseline", "output", "output-other-spelling", "symlink", "hard-link"],
)
def test_an_output_that_is_an_input_is_refused(project, monkeypatch, args):
    pipeline = project / "pipelines" / "release.yaml"
    (project / "alias.yaml").symlink_to(pipeline)
    (project / "hard.yaml").hardlink_to(pipeline)
    before = pipeline.read_bytes()
    status, out, err = run_main(args, monkeypatch, project)
    option, path = (args[0], args[1]) if args[0] == "--write-baseline" else ("--output-file", args[3])  # --output is its alias
    assert (status, out) == (2, "")
    assert err == f"barrier-lint: {option} {path} is one of the files being linted; refusing to overwrite it (choose another file)\n"
    assert pipeline.read_bytes() == before


@pytest.mark.parametrize("option", ["--write-baseline", "--output-file"])
def test_an_output_over_a_harness_file_the_run_did_not_lint_is_refused(project, monkeypatch, option):
    # A template or a child pipeline is read only to resolve a use, or not read at all: overwriting it
    # loses what the user wrote just the same.
    template = project / "templates" / "stage.YML"
    template.parent.mkdir()
    template.write_text("template:\n  identifier: stage\n  versionLabel: v1\n  type: Stage\n")
    before = template.read_bytes()
    args = [option, "templates/stage.YML", "pipelines/release.yaml"]
    if option == "--output-file":
        args[:0] = ["--output-format", "json"]
    status, out, err = run_main(args, monkeypatch, project)
    assert (status, out) == (2, "")
    assert err == f"barrier-lint: {option} templates/stage.YML holds Harness YAML; refusing to overwrite it (choose another file)\n"
    assert template.read_bytes() == before


def test_an_output_over_other_yaml_is_written(project, monkeypatch):
    # Only Harness YAML is protected: a report named .yaml over an old report is rewritten as asked.
    (project / "report.yaml").write_text("old: report\n")
    status, _, err = run_main(["--output-format", "json", "--output-file", "report.yaml", "pipelines/release.yaml"], monkeypatch, project)
    assert err == ""
    assert (project / "report.yaml").read_text().startswith("[")
