"""Every code block of the README and docs/*.md works as written: shell commands run on the examples,
TOML blocks load with the real configuration loader, the pre-commit snippet runs under pre-commit, the
GitHub Action snippets name inputs the Action has and a ref that exists, and sample output is what the
command prints."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest
from ruamel.yaml import YAML

from .conftest import ROOT, require_tool
from .test_cli_integrations import CLEAN, RELEASE
from .test_precommit import git, hook_repo, pre_commit, user_repo  # noqa: F401  (fixtures)

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
PRE_COMMIT_URL = "https://github.com/barrier-lint/barrier-lint"


def blocks(lang: str) -> list[tuple[str, str]]:
    out = []
    for doc in DOCS:
        if doc.name == "rules.md":  # generated from the rules' docstrings: YAML fragments of pipelines
            continue
        for match in BLOCK.finditer(doc.read_text(encoding="utf-8")):
            if match[1] == lang:
                out.append((f"{doc.name}:{doc.read_text()[: match.start()].count(chr(10)) + 1}", match[2]))
    return out


@pytest.fixture
def scratch(tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "release.yaml").write_text(RELEASE)
    (tmp_path / ".harness").mkdir()
    (tmp_path / ".harness" / "clean.yaml").write_text(CLEAN)
    return tmp_path


def run_barrier_lint(command: str, cwd) -> subprocess.CompletedProcess:
    argv = shlex.split(command, comments=True)
    assert argv[0] == "barrier-lint"
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    return subprocess.run([sys.executable, "-m", "barrier_lint", *argv[1:]], cwd=cwd, env=env, capture_output=True, text=True)


SHELL = blocks("sh")


def check_server_options(command: str) -> None:
    """The server runs until its editor leaves: check that its options exist and `--help` works."""
    help_text = subprocess.run([sys.executable, "-m", "barrier_lint_server", "--help"], capture_output=True, text=True, check=True).stdout
    for word in shlex.split(command, comments=True)[1:]:
        if word.startswith("--"):
            assert word in help_text, command


@pytest.mark.parametrize(("where", "body"), SHELL, ids=[w for w, _ in SHELL])
def test_shell_snippets_run(where, body, scratch):
    """Each block's lines in order, in one folder (a later line may read what an earlier one wrote)."""
    for line in filter(str.strip, body.splitlines()):
        for command in (c.strip() for c in line.split("&&")):
            if command.startswith("pip install") or "python -m pytest" in command:
                continue  # installing and testing are what CI does before these tests run (.ci/run)
            if command.startswith("barrier-lint-server"):
                check_server_options(command)
                continue
            result = run_barrier_lint(command, scratch)
            assert result.returncode in (0, 1), f"{where}: {command}\n{result.stderr}"
            assert "error:" not in result.stderr, f"{where}: {command}\n{result.stderr}"


TOML = blocks("toml")


@pytest.mark.parametrize(("where", "body"), TOML, ids=[w for w, _ in TOML])
def test_toml_snippets_load(where, body, tmp_path):
    from barrier_lint.settings import load_config

    name = "pyproject.toml" if "[tool.barrier-lint]" in body else ".barrier-lint.toml"
    (tmp_path / name).write_text(body)
    config = load_config(tmp_path / name)
    assert config.source.endswith(name), where


def test_sample_output_is_what_the_command_prints():
    readme = (ROOT / "README.md").read_text()
    (sample,) = [body for _, body in blocks("text") if body.startswith("$ barrier-lint examples/")]
    lines = sample.splitlines()
    result = run_barrier_lint(lines[0][2:], ROOT)
    printed = result.stdout.splitlines()
    shown = [line for line in lines[1:] if line != "..."]
    assert all(line in printed for line in shown), set(shown) - set(printed)
    assert shown[-1] == printed[-1]
    assert readme.count("$ barrier-lint examples/") == 1


def _action_inputs():
    return YAML(typ="safe").load((ROOT / "action.yml").read_text())["inputs"]


def _yaml_blocks():
    found = []
    for where, body in blocks("yaml"):
        data = YAML(typ="safe").load(body)
        found.append((where, body, data))
    return found


def test_action_snippets_name_real_inputs_and_an_existing_ref():
    inputs = _action_inputs()
    uses = []
    for where, _, data in _yaml_blocks():
        steps = data if isinstance(data, list) else [s for job in (data or {}).get("jobs", {}).values() for s in job.get("steps", [])]
        for step in steps:
            if isinstance(step, dict) and str(step.get("uses", "")).startswith("barrier-lint/barrier-lint@"):
                uses.append(where)
                ref = step["uses"].split("@", 1)[1]
                assert ref == "main", f"{where}: @{ref} is not a ref of barrier-lint (no release tag exists)"
                assert set(step.get("with", {})) <= set(inputs), where
    assert len(uses) >= 2


def test_pre_commit_snippets_pin_a_ref_that_exists():
    snippets = [(w, d) for w, _, d in _yaml_blocks() if isinstance(d, dict) and "repos" in d]
    assert len(snippets) >= 2
    for where, data in snippets:
        (repo,) = data["repos"]
        assert (repo["repo"], repo["rev"], repo["hooks"][0]["id"]) == (PRE_COMMIT_URL, "main", "barrier-lint"), where


def test_the_pre_commit_snippet_works_as_written(hook_repo, user_repo):  # noqa: F811
    """The README's snippet with only the repository URL pointed at a local copy of this project (whose
    branch is main, as on GitHub): `pre-commit run` works, and `autoupdate --bleeding-edge --freeze` pins
    the commit's SHA as the docs say."""
    tool = pre_commit()
    require_tool(tool is not None, "pre-commit (.ci/setup-integrations.sh)")
    path, rev = hook_repo
    git("branch", "-f", "main", rev, cwd=path)
    (snippet,) = {body for where, body, d in _yaml_blocks() if where.startswith("README") and isinstance(d, dict) and "repos" in d}
    (user_repo / ".pre-commit-config.yaml").write_text(snippet.replace(PRE_COMMIT_URL, str(path)))
    (user_repo / "pipelines" / "bad.yaml").write_text(RELEASE)
    git("add", "-A", cwd=user_repo)
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env["PRE_COMMIT_HOME"] = str(path.parent / "pre-commit-home")

    def pre_commit_run(*args):
        return subprocess.run([tool, *args], cwd=user_repo, env=env, capture_output=True, text=True, timeout=900)

    result = pre_commit_run("run", "--all-files", "--color", "never")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "pipelines/bad.yaml:25:90: BL101 [error] barrier 'redy'" in result.stdout, result.stdout[-3000:]
    assert "chart/templates" not in result.stdout
    frozen = pre_commit_run("autoupdate", "--bleeding-edge", "--freeze")
    assert frozen.returncode == 0, frozen.stdout + frozen.stderr
    config = YAML(typ="safe").load((user_repo / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["rev"] == rev
    (user_repo / "pipelines" / "bad.yaml").unlink()
    git("add", "-A", cwd=user_repo)
    assert pre_commit_run("run", "--all-files").returncode == 0
