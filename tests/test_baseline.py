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
    assert data["version"] == 1
    assert [(f["file"], f["code"], f["barrier"], f["tree_path"]) for f in data["findings"]] == [
        ("pipelines/release.yaml", "BL105", "spare", "flowControl.barriers.spare"),
        ("pipelines/release.yaml", "BL203", "ready", "stages[1].stage.spec.execution.steps[0].step"),
        ("pipelines/release.yaml", "BL101", "redy", "stages[1].stage.spec.execution.steps[1].step"),
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
        ('{"version": 7, "findings": []}', "baseline missing.json is not a barrier-lint baseline (version 1)"),
        ('{"version": 1, "findings": [{"code": "BL101"}]}', "baseline missing.json: every finding needs a fingerprint"),
    ],
)
def test_bad_baseline_is_exit_2(project, monkeypatch, content, message):
    if content is not None:
        (project / "missing.json").write_text(content)
    status, out, err = run_main(["--baseline", "missing.json", "pipelines"], monkeypatch, project)
    assert (status, out) == (2, "")
    assert err.startswith(f"barrier-lint: {message}")
