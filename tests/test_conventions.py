"""Issue 9: what users of ruff, actionlint and VS Code expect from the command line. Each test pins one
convention (docs/integrations.md, "Conventions")."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys

import pytest

from barrier_lint import cli

from .test_cli_integrations import CLEAN, RELEASE, run_cli, run_main


@pytest.fixture
def release(tmp_path):
    (tmp_path / "release.yaml").write_text(RELEASE)
    (tmp_path / "clean.yaml").write_text(CLEAN)
    return tmp_path


# ---------------------------------------------------------------------------------- paths (item 5)


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "junit", "github", "sarif", "gitlab", "full", "json-lines"])
def test_every_format_writes_one_normalised_path(release, fmt):
    (release / "sub").mkdir()
    result = run_cli(["--output-format", fmt, "./sub/../release.yaml"], release)
    assert result.returncode == 1, result.stderr
    assert "release.yaml" in result.stdout
    assert "./" not in result.stdout.replace("://", "") and "sub/" not in result.stdout, result.stdout


def test_statistics_honour_json(release):
    result = run_cli(["--statistics", "--output-format", "json", "release.yaml"], release)
    assert json.loads(result.stdout) == [
        {"code": "BL101", "name": "undeclared-barrier", "count": 1},
        {"code": "BL105", "name": "unused-barrier", "count": 1},
        {"code": "BL203", "name": "sequential-barrier-participants", "count": 1},
    ]
    assert json.loads(run_cli(["--statistics", "--output-format", "json", "clean.yaml"], release).stdout) == []
    # A --report still gets the full report.
    run_cli(["--statistics", "--report", "json:all.json", "release.yaml"], release)
    assert [f["code"] for f in json.loads((release / "all.json").read_text())] == ["BL105", "BL203", "BL101"]


# --------------------------------------------------------------------------- runs that check nothing (6)


def test_an_empty_directory_warns(tmp_path):
    (tmp_path / "empty").mkdir()
    result = run_cli(["empty"], tmp_path)
    assert (result.returncode, result.stdout) == (0, "no problems (0 files checked)\n")
    assert result.stderr == "barrier-lint: warning: no Harness YAML files found under empty\n"


def test_a_directory_of_yaml_that_is_not_harness_warns(tmp_path):
    (tmp_path / "compose.yaml").write_text("services: {web: {image: nginx}}\n")
    result = run_cli(["."], tmp_path)
    assert result.stderr == "barrier-lint: warning: no Harness YAML files found under .\n"


def test_upper_case_extensions_are_found(tmp_path):
    (tmp_path / "RELEASE.YAML").write_text(RELEASE)
    (tmp_path / "Other.Yml").write_text(RELEASE)
    result = run_cli(["--show-files", "."], tmp_path)
    assert [line.split("  ")[0] for line in result.stdout.splitlines()] == ["Other.Yml", "RELEASE.YAML"]
    assert run_cli(["-q", "."], tmp_path).returncode == 1


# ------------------------------------------------------------------------------------ terminal (7)


@pytest.mark.parametrize(
    ("environ", "tty", "expected"),
    [
        ({}, True, True),
        ({}, False, False),
        ({"NO_COLOR": ""}, True, True),  # no-color.org: an empty NO_COLOR does not count
        ({"NO_COLOR": "1"}, True, False),
        ({"FORCE_COLOR": "1"}, False, True),  # force-color.org
        ({"FORCE_COLOR": ""}, False, False),
        ({"TERM": "dumb"}, True, False),
        ({"TERM": "dumb", "FORCE_COLOR": "1"}, True, True),
        ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),  # the user's "no" wins
    ],
)
def test_colour_follows_the_environment(environ, tty, expected):
    stream = io.StringIO()
    stream.isatty = lambda: tty
    assert cli.use_color("auto", stream, environ) is expected
    assert cli.use_color("always", stream, {"NO_COLOR": "1"}) is True
    assert cli.use_color("never", stream, {"FORCE_COLOR": "1"}) is False


def test_force_color_colours_a_pipe(release):
    result = run_cli(["-q", "release.yaml"], release, env={"FORCE_COLOR": "1"})
    assert result.stdout.splitlines()[0] == (
        "\033[1mrelease.yaml:7:35:\033[0m \033[33mBL105\033[0m \033[33m[warning]\033[0m barrier 'spare' is declared but no Barrier step uses it"
    )


# --------------------------------------------------------------------------------- arguments (8)


def test_repeated_select_adds_up(release, monkeypatch):
    _, out, _ = run_main(["-q", "--output-format", "concise", "--select", "BL105", "--select", "BL101", "release.yaml"], monkeypatch, release)
    assert [line.split(" ")[2] for line in out.splitlines()] == ["BL105", "BL101"]


def test_extend_select_and_extend_ignore(release, monkeypatch):
    (release / ".barrier-lint.toml").write_text('select = ["BL105"]\nignore = ["BL101"]\n')
    _, out, _ = run_main(["-q", "--output-format", "concise", "--extend-select", "BL101,BL203", "release.yaml"], monkeypatch, release)
    assert [line.split(" ")[2] for line in out.splitlines()] == ["BL105", "BL203", "BL101"]
    _, out, _ = run_main(["-q", "--output-format", "concise", "--extend-ignore", "BL105", "release.yaml"], monkeypatch, release)
    assert out == ""


@pytest.mark.parametrize("option", ["--form", "--out", "--sel", "--stat"])
def test_abbreviated_options_are_refused(release, option):
    result = run_cli([option, "json", "release.yaml"], release)
    assert result.returncode == 2
    assert f"unrecognized arguments: {option}" in result.stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--select", "BL2O3"], "barrier-lint: error: --select: unknown rule 'BL2O3' (did you mean 'BL203'?)"),
        (["--ignore", "unused-barier"], "barrier-lint: error: --ignore: unknown rule 'unused-barier' (did you mean 'unused-barrier'?)"),
        (["--select", ""], "barrier-lint: error: --select: no rule given (an empty selection would check nothing)"),
    ],
)
def test_unknown_rules_are_one_line_with_a_suggestion(release, argv, message):
    result = run_cli([*argv, "release.yaml"], release)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message, "(see `barrier-lint --help`)"]


def test_rule_command_suggests_and_points_at_a_folder_named_rule(tmp_path):
    result = run_cli(["rule", "BL2O3"], tmp_path)
    assert (result.returncode, result.stderr) == (2, "barrier-lint: unknown rule 'BL2O3' (did you mean 'BL203'?)\n")
    (tmp_path / "rule").mkdir()
    (tmp_path / "rule" / "release.yaml").write_text(RELEASE)
    result = run_cli(["rule", "release.yaml"], tmp_path)
    assert result.returncode == 2
    assert "to lint the folder named rule, write `barrier-lint ./rule` or `barrier-lint -- rule`" in result.stderr
    for argv in (["./rule"], ["--", "rule"]):
        linted = run_cli(["-q", "--output-format", "concise", *argv], tmp_path)
        assert linted.returncode == 1, argv
        assert linted.stdout.splitlines()[0].startswith("rule/release.yaml:7:35: warning BL105"), argv


def test_config_select_empty_and_bad_stage_types_are_errors(release, monkeypatch):
    (release / ".barrier-lint.toml").write_text("select = []\n")
    status, _, err = run_main(["release.yaml"], monkeypatch, release)
    assert status == 2
    assert err.endswith("select: selects no rule, so nothing would be checked: remove it to check every rule, or list the rules\n")
    (release / ".barrier-lint.toml").write_text('stage-types = ["Deploymnt"]\n')
    status, _, err = run_main(["release.yaml"], monkeypatch, release)
    assert (status, err) == (2, f"barrier-lint: {release / '.barrier-lint.toml'}: stage-types: 'Deploymnt' is not a Harness stage type (did you mean 'Deployment'?)\n")
    (release / ".barrier-lint.toml").write_text('stage-types = ["Deployment", "CI"]\n')
    status, _, err = run_main(["release.yaml"], monkeypatch, release)
    assert (status, err.split(": ", 2)[2]) == (2, "stage-types: a CI stage cannot hold a Barrier step (Harness rejects it)\n")
    (release / ".barrier-lint.toml").write_text('stage-types = ["Deployment", "Custom", "Approval", "IACM"]\n')
    assert run_main(["-q", "release.yaml"], monkeypatch, release)[0] == 1


# --------------------------------------------------------------------------------------- smaller (10)


def test_stdin_filename_without_dash_reads_standard_input(release):
    result = subprocess.run(
        [sys.executable, "-m", "barrier_lint", "-q", "--stdin-filename", "pipelines/release.yaml"],
        input=RELEASE, capture_output=True, text=True, cwd=release,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "pipelines/release.yaml:7:35: BL105 [warning] barrier 'spare' is declared but no Barrier step uses it"
    with_paths = run_cli(["--stdin-filename", "x.yaml", "release.yaml"], release)
    assert with_paths.returncode == 2
    assert "--stdin-filename names standard input: add - to the paths" in with_paths.stderr


def test_baseline_says_what_it_hid_and_what_is_stale(release, monkeypatch):
    run_main(["--write-baseline", "bl.json", "release.yaml"], monkeypatch, release)
    status, out, err = run_main(["-q", "--baseline", "bl.json", "release.yaml"], monkeypatch, release)
    assert (status, out, err) == (0, "", "barrier-lint: bl.json hid 3 known findings\n")
    # Fix the BL101 (the step now has new findings of its own): its entry is stale. A run over another file
    # says nothing about this one's entries.
    (release / "release.yaml").write_text(RELEASE.replace("barrierRef: redy", "barrierRef: ready"))
    _, _, err = run_main(["-q", "--baseline", "bl.json", "release.yaml", "clean.yaml"], monkeypatch, release)
    assert err.splitlines()[0] == "barrier-lint: bl.json hid 2 known findings"
    assert err.splitlines()[1] == (
        "barrier-lint: warning: 1 entry of bl.json no longer match a finding (fixed, or changed): run --write-baseline again to drop them"
    )
    _, _, err = run_main(["-q", "--baseline", "bl.json", "clean.yaml"], monkeypatch, release)
    assert err == "barrier-lint: bl.json hid 0 known findings\n"


def test_named_but_excluded_file_is_linted_unless_force_exclude(release, monkeypatch):
    (release / ".barrier-lint.toml").write_text('exclude = ["release.yaml"]\n')
    assert run_main(["-q", "release.yaml"], monkeypatch, release)[0] == 1
    assert run_main(["-q", "."], monkeypatch, release)[0] == 0
    status, _, err = run_main(["--force-exclude", "release.yaml"], monkeypatch, release)
    assert (status, err) == (0, "barrier-lint: warning: no Harness YAML files found under release.yaml\n")


def test_help_names_documentation_that_exists_for_an_installed_copy():
    text = cli.build_parser().format_help()
    assert "https://github.com/barrier-lint/barrier-lint/blob/main/docs/integrations.md" in text
    assert "\n  docs/integrations.md" not in text


if os.name != "posix":  # pragma: no cover
    pytestmark = pytest.mark.skip("POSIX paths")

