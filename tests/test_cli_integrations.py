"""The command line as CI uses it: failing policy, exit codes, statistics, several outputs in one run, the
crash guard, and the GitHub Action's script. Also the shared sample and helpers of the other
tests/test_*integration-facing modules (formats, baseline, suppression, discovery, pre-commit)."""

from __future__ import annotations

import io
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import textwrap

import pytest

from barrier_lint import cli

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = pathlib.Path(os.environ.get("BARRIER_LINT_CI_CACHE", pathlib.Path.home() / ".cache" / "barrier-lint-ci"))

# Three findings with known positions: BL105 (warning), BL203 (error, with a related place), BL101 (error).
RELEASE = textwrap.dedent(
    """\
    pipeline:
      name: Release
      identifier: release
      flowControl:
        barriers:
          - {name: Ready, identifier: ready}
          - {name: Spare, identifier: spare}
      stages:
        - stage:
            name: Build
            identifier: build
            type: Custom
            spec:
              execution:
                steps:
                  - step: {type: Barrier, name: Wait, identifier: wait, spec: {barrierRef: ready}, timeout: 10m}
        - stage:
            name: Deploy
            identifier: deploy
            type: Custom
            spec:
              execution:
                steps:
                  - step: {type: Barrier, name: Wait, identifier: wait, spec: {barrierRef: ready}, timeout: 10m}
                  - step: {type: Barrier, name: Other, identifier: other, spec: {barrierRef: redy}, timeout: 10m}
    """
)
# (code, line, column, end_line, end_column) of RELEASE's findings, 1-based, end exclusive.
RELEASE_FINDINGS = [
    ("BL105", 7, 35, 7, 40),
    ("BL203", 24, 88, 24, 93),
    ("BL101", 25, 90, 25, 94),
]
BL203_MESSAGE = (
    "barrier 'ready' is also used at line 16 (stage build), which must finish before this step (stage deploy) "
    "can start, so the earlier step waits for this one until its timeout"
)

# Clean: two parallel stages meet at one barrier.
CLEAN = textwrap.dedent(
    """\
    pipeline:
      name: Release
      identifier: release
      flowControl:
        barriers:
          - {name: Ready, identifier: ready}
      stages:
        - parallel:
            - stage:
                name: Api
                identifier: api
                type: Custom
                spec:
                  execution:
                    steps:
                      - step: {type: Barrier, name: Wait, identifier: wait, spec: {barrierRef: ready}, timeout: 10m}
            - stage:
                name: Web
                identifier: web
                type: Custom
                spec:
                  execution:
                    steps:
                      - step: {type: Barrier, name: Wait, identifier: wait, spec: {barrierRef: ready}, timeout: 10m}
    """
)


def run_cli(args: list[str], cwd: pathlib.Path, env: dict | None = None, stdin: str | None = None) -> subprocess.CompletedProcess:
    """The real command in a subprocess, as CI runs it."""
    environment = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "barrier_lint", *args], cwd=cwd, env=environment, input=stdin,
        capture_output=True, text=True, timeout=120,
    )


def run_main(args: list[str], monkeypatch, cwd: pathlib.Path) -> tuple[int, str, str]:
    """`cli.main` in process (fast); returns (status, stdout, stderr)."""
    monkeypatch.chdir(cwd)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    out, err = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    status = cli.main(args)
    return status, out.getvalue(), err.getvalue()


def tool_path(*candidates: pathlib.Path, name: str) -> str | None:
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


@pytest.fixture
def release(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "release.yaml").write_text(RELEASE)
    return tmp_path


# --------------------------------------------------------------------------------------- failing policy


def test_text_format_keeps_its_shape(release, monkeypatch):
    status, out, _ = run_main(["release.yaml"], monkeypatch, release)
    assert status == 1
    assert out.splitlines() == [
        "release.yaml:7:35: BL105 [warning] barrier 'spare' is declared but no Barrier step uses it",
        f"release.yaml:24:88: BL203 [error] {BL203_MESSAGE}",
        "release.yaml:25:90: BL101 [error] barrier 'redy' (stage deploy) is not declared; did you mean 'ready'?",
        "2 errors, 1 warning in 1 file (1 file checked)",
    ]


@pytest.mark.parametrize(
    ("options", "status"),
    [
        ([], 1),
        (["--fail-on", "error"], 1),
        (["--fail-on", "never"], 0),
        (["--exit-zero"], 0),
        (["--select", "BL105"], 0),  # a warning only: below the default threshold
        (["--select", "BL105", "--fail-on", "warning"], 1),
        (["--select", "BL105", "--fail-on", "info"], 1),
        (["--select", "BL105", "--fail-on", "error"], 0),
        (["--select", "BL105", "--exit-zero", "--fail-on", "info"], 0),
    ],
)
def test_fail_on_threshold(release, monkeypatch, options, status):
    assert run_main(["-q", *options, "release.yaml"], monkeypatch, release)[0] == status


def test_info_findings_fail_only_at_info(tmp_path, monkeypatch):
    (tmp_path / "p.yaml").write_text(CLEAN.replace("  stages:", "  stages: # barrier-lint: disable=BL202"))
    status, out, _ = run_main(["-q", "p.yaml"], monkeypatch, tmp_path)
    assert (status, out) == (0, "p.yaml:7:11: BL901 [info] unused suppression: BL202 (single-participant) is not reported on this line\n")
    assert run_main(["-q", "--fail-on", "warning", "p.yaml"], monkeypatch, tmp_path)[0] == 0
    assert run_main(["-q", "--fail-on", "info", "p.yaml"], monkeypatch, tmp_path)[0] == 1


def test_exit_zero_still_reports_io_errors_as_2(release, monkeypatch):
    status, _, err = run_main(["--exit-zero", "missing.yaml", "release.yaml"], monkeypatch, release)
    assert status == 2
    assert "barrier-lint: cannot read missing.yaml: no such file or directory" in err


def test_statistics_count_per_rule(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text(RELEASE)
    (tmp_path / "b.yaml").write_text(RELEASE)
    status, out, _ = run_main(["--statistics", "."], monkeypatch, tmp_path)
    assert status == 1
    assert out.splitlines() == [
        "    2  BL101  undeclared-barrier",
        "    2  BL105  unused-barrier",
        "    2  BL203  sequential-barrier-participants",
    ]


def test_statistics_without_findings(tmp_path, monkeypatch):
    (tmp_path / "a.yaml").write_text(CLEAN)
    assert run_main(["--statistics", "a.yaml"], monkeypatch, tmp_path) == (0, "no problems\n", "")


def test_crash_is_exit_3_and_says_where_to_report(release, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(cli, "_lint_data", explode)
    status, out, err = run_main(["release.yaml"], monkeypatch, release)
    assert status == 3
    assert "RuntimeError: boom" in err
    assert "internal error while linting release.yaml" in err
    assert cli.ISSUES_URL in err


def test_usage_error_is_exit_2(release):
    result = run_cli(["--fail-on", "sometimes", "release.yaml"], release)
    assert result.returncode == 2
    assert "invalid choice: 'sometimes'" in result.stderr


def test_cli_does_not_import_the_language_server(release):
    code = "import sys, barrier_lint.cli; sys.exit(any(m.startswith(('pygls', 'lsprotocol', 'barrier_lint_server')) for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code], cwd=release).returncode == 0


# --------------------------------------------------------------------------------------- several outputs


def test_reports_and_the_main_output_in_one_run(release):
    result = run_cli(
        ["--report", "sarif:out/r.sarif", "--output-format", "concise", "--report", "junit:r.xml", "release.yaml"],
        release,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == "release.yaml:7:35: warning BL105 barrier 'spare' is declared but no Barrier step uses it"
    assert (release / "out" / "r.sarif").read_text().lstrip().startswith("{")
    assert (release / "r.xml").read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>')


@pytest.mark.parametrize(
    "options",
    [
        ["--output-format", "json", "--output-file", "r.json"],
        ["--output-file", "r.json", "--output-format", "json"],  # any order (ruff)
        ["-o", "r.json", "--output-format", "json"],
        ["--output", "r.json", "--format", "json"],  # the old spellings: aliases, in any order
    ],
)
def test_output_file_gets_the_output_format_in_any_order(release, options):
    result = run_cli([*options, "release.yaml"], release)
    assert (result.returncode, result.stdout) == (1, "")  # ruff: with --output-file, nothing on standard output
    assert [f["code"] for f in json.loads((release / "r.json").read_text())] == ["BL105", "BL203", "BL101"]


def test_output_file_dash_is_standard_output(release):
    result = run_cli(["--output-file", "-", "--output-format", "json", "release.yaml"], release)
    assert [f["code"] for f in json.loads(result.stdout)] == ["BL105", "BL203", "BL101"]
    assert not (release / "-").exists()


def test_output_without_format_writes_the_default_format(release):
    result = run_cli(["-q", "--output-file", "r.txt", "release.yaml"], release)
    assert (release / "r.txt").read_text().splitlines()[0] == "release.yaml:7:35: BL105 [warning] barrier 'spare' is declared but no Barrier step uses it"
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--format", "json", "--format", "text"], "--format given twice (also as --format); write more reports with --report FORMAT:FILE"),
        (["--output-format", "json", "--format", "sarif", "--output", "x"], "--format given twice (also as --output-format)"),
        (["--output", "a", "-o", "b"], "-o given twice (also as --output)"),
        (["--report", "sarif"], "'sarif' is not FORMAT:FILE"),
        (["--report", "sarf:x.sarif"], "unknown format 'sarf'; did you mean 'sarif'?"),
        (["--report", "json:-"], "a report goes to a file; standard output takes --output-format"),
    ],
)
def test_ambiguous_outputs_are_usage_errors(release, options, message):
    """The old --format/--output pairs meant something else when repeated: refuse rather than guess."""
    result = run_cli([*options, "release.yaml"], release)
    assert result.returncode == 2
    assert message in result.stderr.splitlines()[0], result.stderr
    assert len(result.stderr.splitlines()) == 2  # one line and a pointer to --help, not the usage block


def test_github_format_is_the_default_under_github_actions(release):
    result = run_cli(["release.yaml"], release, env={"GITHUB_ACTIONS": "true"})
    assert result.stdout.splitlines()[0] == (
        "::warning file=release.yaml,line=7,col=35,endLine=7,endColumn=40,title=BL105 unused-barrier::"
        "barrier 'spare' is declared but no Barrier step uses it"
    )
    explicit = run_cli(["-q", "--output-format", "text", "release.yaml"], release, env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout.startswith("release.yaml:7:35: BL105 [warning] ")


def test_unwritable_output_is_exit_2(release):
    (release / "taken").write_text("a file, not a folder")
    result = run_cli(["--output-format", "json", "--output-file", "taken/r.json", "release.yaml"], release)
    assert result.returncode == 2
    assert "barrier-lint: cannot write taken/r.json" in result.stderr


# --------------------------------------------------------------------------------------- GitHub Action


def _action_steps() -> list[dict]:
    from ruamel.yaml import YAML

    action = YAML(typ="safe").load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    return action["runs"]["steps"], action["inputs"]


def test_action_run_step_lints_with_github_annotations_and_writes_sarif(release):
    """Run the Action's own script the way the runner does: inputs through the step's env mapping."""
    steps, inputs = _action_steps()
    step = next(s for s in steps if s.get("name") == "Run barrier-lint")
    values = {name: spec.get("default", "") for name, spec in inputs.items()}
    values.update({"paths": "release.yaml", "sarif-file": "results.sarif"})
    env = {}
    for key, expression in step["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expression)
        assert match, f"inputs reach the script only through env: {key}={expression}"
        env[key] = values[match[1]]
    bin_dir = release / "bin"
    bin_dir.mkdir()
    (bin_dir / "barrier-lint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m barrier_lint "$@"\n')
    (bin_dir / "barrier-lint").chmod(0o755)
    environment = {**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GITHUB_ACTIONS": "true"}
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=release, env=environment, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::")]
    assert [a.split(" ", 1)[0] for a in annotations] == ["::warning", "::error", "::error"]
    assert '"ruleId": "BL203"' in (release / "results.sarif").read_text()
    assert step["shell"] == "bash"
    assert inputs["fail-on"]["default"] == "error"


def test_a_closed_pipe_is_not_a_crash(tmp_path):
    for i in range(200):
        (tmp_path / f"p{i:03}.yaml").write_text(RELEASE)
    command = f'"{sys.executable}" -m barrier_lint . | head -n 1; echo "status=${{PIPESTATUS[0]}}"'
    result = subprocess.run(["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.stdout.splitlines() == ["p000.yaml:7:35: BL105 [warning] barrier 'spare' is declared but no Barrier step uses it", "status=1"]
    assert "internal error" not in result.stderr


def test_action_install_step_works_on_an_externally_managed_python(tmp_path):
    """`setup-python: "false"` on a runner whose system Python is externally managed (PEP 668): pip refuses to
    install into it, so the Action installs into a virtual environment of its own and puts it on GITHUB_PATH."""
    steps, _ = _action_steps()
    step = next(s for s in steps if s.get("name") == "Install barrier-lint")
    system = tmp_path / "system-bin"
    system.mkdir()
    for name in ("python", "python3"):  # the runner's python: refuses `pip install` as Debian's does
        (system / name).write_text(
            "#!/bin/bash\n"
            'if [ "$1 $2 $3" = "-m pip install" ]; then echo "error: externally-managed-environment" >&2; exit 1; fi\n'
            f'exec "{sys.executable}" "$@"\n'
        )
        (system / name).chmod(0o755)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir()
    github_path = tmp_path / "github-path"
    action = tmp_path / "action"  # a copy: building the package in place would leave build/ in the checkout
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            check=True, capture_output=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        if (ROOT / name).is_file() and not name.startswith(("editors/", "bench/", "tests/")):
            (action / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, action / name)
    env = {
        **os.environ, "PATH": f"{system}{os.pathsep}/usr/bin{os.pathsep}/bin", "RUNNER_TEMP": str(runner_temp),
        "GITHUB_PATH": str(github_path), "GITHUB_ACTION_PATH": str(action), "BARRIER_LINT_VERSION": "",
    }
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith(f"barrier-lint {cli.__version__}")
    venv_bin = runner_temp / "barrier-lint-venv" / "bin"
    assert github_path.read_text().splitlines() == [str(venv_bin)]
    assert (venv_bin / "barrier-lint").exists()
