"""The `barrier-lint` command as users and outside tools see it: text lines, the JSON contract, exit
codes, standard input, directory walks, rule documentation."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from barrier_lint.cli import main
from barrier_lint.rules import ALL_RULES

from .conftest import FIXTURES, ROOT

BAD = FIXTURES / "err" / "bl203_sequential_stages.yaml"
GOOD = FIXTURES / "ok" / "parallel_stages.yaml"
WARN_ONLY = FIXTURES / "err" / "bl202_single_participant.yaml"
REL_BAD = "tests/fixtures/err/bl203_sequential_stages.yaml"  # every format writes paths relative to the cwd


def run(*args, stdin: bytes | None = None, cwd=ROOT):
    """The real command in a subprocess, as a hook or CI job runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run(
        [sys.executable, "-m", "barrier_lint", *map(str, args)], input=stdin, capture_output=True, cwd=cwd, env=env
    )


def test_text_output_and_exit_code_one_on_errors():
    result = run(BAD.relative_to(ROOT))
    assert result.returncode == 1
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith("tests/fixtures/err/bl203_sequential_stages.yaml:23:88: BL203 [error] barrier 'ready' is also used at line 15")
    assert lines[-1] == "1 error in 1 file (1 file checked)"


def test_clean_file_exits_zero_with_a_summary():
    result = run(GOOD)
    assert (result.returncode, result.stdout.decode()) == (0, "no problems (1 file checked)\n")


def test_warnings_alone_exit_zero():
    result = run("--quiet", WARN_ONLY)
    assert result.returncode == 0
    assert result.stdout.decode().count("\n") == 1 and " BL202 " in result.stdout.decode()


def test_summary_counts_every_severity_and_file(capsys):
    code = main([str(BAD), str(WARN_ONLY), str(GOOD), str(FIXTURES / "err" / "bl102_expression_in_barrier_ref.yaml"), "--color", "never"])
    assert code == 1
    assert capsys.readouterr().out.splitlines()[-1] == "2 errors, 1 warning in 3 files (4 files checked)"


def test_json_output_is_the_documented_contract():
    result = run("--format", "json", BAD)
    [finding] = json.loads(result.stdout)
    assert finding == {
        "file": REL_BAD,
        "line": 23,
        "column": 88,
        "end_line": 23,
        "end_column": 93,
        "code": "BL203",
        "rule": "sequential-barrier-participants",
        "severity": "error",
        "message": finding["message"],
        "related": [{"file": REL_BAD, "line": 15, "column": 88, "message": "earlier participant of 'ready' (stage build)"}],
    }
    assert finding["message"].startswith("barrier 'ready' is also used at line 15 (stage build)")
    assert result.returncode == 1


def test_stdin_with_a_file_name():
    result = run("-", "--stdin-filename", "pipelines/release.yaml", stdin=BAD.read_bytes())
    assert result.returncode == 1
    assert result.stdout.decode().startswith("pipelines/release.yaml:23:88: BL203 [error] ")


def test_stdin_without_a_name_is_dash():
    result = run("-", "-q", stdin=b"pipeline:\n  identifier: [\n")
    assert result.stdout.decode() == "-:3:1: BL000 [error] YAML syntax error: did not find expected node content\n"


def test_directory_walk_finds_yaml_and_skips_what_is_not_harness(tmp_path):
    (tmp_path / ".harness").mkdir()
    (tmp_path / ".harness" / "release.yaml").write_bytes(BAD.read_bytes())
    (tmp_path / "compose.yml").write_text("services:\n  web: [\n")  # broken, but not Harness YAML
    (tmp_path / "notes.txt").write_text("pipeline: x\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "bad.yaml").write_bytes(BAD.read_bytes())
    result = run(".", "-q", cwd=tmp_path)
    assert result.stdout.decode().splitlines() == [
        line for line in result.stdout.decode().splitlines() if line.startswith(".harness/release.yaml:23:88: BL203")
    ]
    assert result.stdout.decode().count("\n") == 1
    assert result.returncode == 1


def test_named_file_that_is_broken_gets_bl000_even_if_not_harness(tmp_path):
    path = tmp_path / "compose.yml"
    path.write_text("services:\n  web: [\n")
    result = run("-q", path)
    assert result.stdout.decode() == f"{path}:3:1: BL000 [error] YAML syntax error: did not find expected node content\n"
    assert result.returncode == 1


def test_binary_file_gets_a_finding_not_a_traceback(tmp_path):
    path = tmp_path / "blob.yaml"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run("-q", path)
    assert result.returncode == 1
    assert result.stdout.decode().startswith(f"{path}:1:1: BL000 [error] the file is not valid UTF-8 (byte 0x89 at offset 0)")
    assert b"Traceback" not in result.stderr


def test_missing_file_is_an_io_error_exit_two():
    result = run("no/such/file.yaml")
    assert result.returncode == 2
    assert "cannot read no/such/file.yaml" in result.stderr.decode()


def test_select_and_ignore_by_code_name_or_prefix(capsys):
    path = str(FIXTURES / "err" / "bl204_rollback_barrier_cycle.yaml")
    main([path, "-q", "--select", "rollback-barrier-cycle"])
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()] == ["BL204"]
    main([path, "-q", "--ignore", "BL20"])
    assert capsys.readouterr().out == ""


def test_unknown_rule_selector_is_a_usage_error():
    result = run("--select", "BL999", GOOD)
    assert result.returncode == 2
    assert "unknown rule 'BL999'" in result.stderr.decode()


def test_rule_command_prints_the_documentation():
    result = run("rule", "BL203")
    text = result.stdout.decode()
    assert result.returncode == 0
    assert text.startswith("# sequential-barrier-participants (BL203)\n\nDefault severity: error\n")
    for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
        assert section in text
    assert run("rule", "rollback-barrier-cycle").stdout.decode().startswith("# rollback-barrier-cycle (BL204)")


def test_rule_all_lists_every_rule():
    lines = run("rule", "--all").stdout.decode().splitlines()
    assert [line.split()[0] for line in lines] == [rule.code for rule in ALL_RULES]
    assert lines[0].split()[1:3] == ["invalid-yaml", "error"]


def test_unknown_rule_in_rule_command():
    result = run("rule", "nope")
    assert result.returncode == 2 and "unknown rule 'nope'" in result.stderr.decode()


def test_help_explains_paths_and_exit_codes():
    text = run("--help").stdout.decode()
    assert "exit status: 0 nothing at or above --fail-on, 1 findings at or above --fail-on (default: error)" in text
    assert "barrier-lint rule BL203" in text


def test_colour_only_when_asked_or_on_a_terminal(capsys):
    main([str(BAD), "-q", "--color", "always"])
    assert "\033[31mBL203\033[0m" in capsys.readouterr().out
    main([str(BAD), "-q"])  # captured output is not a terminal
    assert "\033[" not in capsys.readouterr().out


def test_the_command_line_does_not_import_the_language_server():
    code = "import sys, barrier_lint.cli; sys.exit('pygls' in sys.modules or 'lsprotocol' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


@pytest.mark.parametrize("args", [["--format", "nope"], ["--color", "sometimes"]])
def test_bad_options_exit_two(args):
    assert run(*args, GOOD).returncode == 2


def _shell(redirect: str):
    """The command with standard output (and error) redirected by the shell, as a hook runner might start it."""
    command = f'"{sys.executable}" -m barrier_lint --no-cache "{BAD.relative_to(ROOT)}" {redirect}'
    return subprocess.run(["sh", "-c", command], capture_output=True, cwd=ROOT, text=True)


def test_closed_standard_output_still_gives_the_exit_status():
    for redirect in (">&-", ">&- 2>&-"):
        result = _shell(redirect)
        assert (result.returncode, result.stderr) == (1, ""), redirect


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_output_that_cannot_be_written_is_an_io_error_not_a_crash():
    result = _shell("> /dev/full")
    assert result.returncode == 2
    assert result.stderr == "barrier-lint: cannot write the output: No space left on device\n"


def test_a_missing_dependency_says_how_to_install_instead_of_reporting_a_bug(tmp_path):
    """Run from a checkout whose dependencies are not installed (here: ruamel.yaml hidden), the command says
    what to install and exits 2, not 3 with a traceback and a request for a bug report."""
    hide = "import sys; sys.modules['ruamel'] = None; from barrier_lint.__main__ import run; sys.exit(run())"
    done = subprocess.run([sys.executable, "-c", hide, "--no-cache", str(BAD)], capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr == (
        "barrier-lint: cannot import ruamel.yaml, which barrier-lint needs to read YAML; install barrier-lint with its "
        "dependencies (`pip install barrier-lint`, or `pip install -e .` in a checkout)\n"
    )
