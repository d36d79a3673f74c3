"""The pre-commit hook, run by pre-commit itself (`pre-commit try-repo`) exactly as users will.

pre-commit installs the hook repository into its own virtual environment from PyPI and the project's
pyproject.toml, so this takes a minute the first time. It needs pre-commit (.ci/setup-integrations.sh puts
it in the CI cache) and git.
"""

from __future__ import annotations

import os
import pathlib
import shutil
import subprocess

import pytest

from .conftest import require_tool
from .test_cli_integrations import CACHE, CLEAN, RELEASE, ROOT, tool_path

HELM_TEMPLATE = "apiVersion: v1\nkind: ConfigMap\ndata:\n  {{- toYaml .Values.data | nindent 2 }}\n  x: [\n"


def pre_commit() -> str | None:
    return tool_path(CACHE / "pre-commit" / "bin" / "pre-commit", name="pre-commit")


def git(*args: str, cwd: pathlib.Path) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[pathlib.Path, str]:
    """A snapshot of the working tree as it is now (committed or not), committed in a repository of its own:
    try-repo needs a commit, and one fixed commit lets pre-commit reuse its environment between runs."""
    require_tool(shutil.which("git") is not None, "git")
    snapshot = tmp_path_factory.mktemp("hook-repo")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not name.startswith(("editors/", "bench/")):
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git("init", "-q", cwd=snapshot)
    git("add", "-A", cwd=snapshot)
    git("commit", "-q", "-m", "snapshot", cwd=snapshot)
    return snapshot, git("rev-parse", "HEAD", cwd=snapshot).strip()


@pytest.fixture
def user_repo(tmp_path) -> pathlib.Path:
    """A project that adopts the hook: Harness pipelines and a Helm chart (YAML that is not valid YAML)."""
    git("init", "-q", cwd=tmp_path)
    (tmp_path / "pipelines").mkdir()
    (tmp_path / "pipelines" / "good.yaml").write_text(CLEAN)
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "templates" / "configmap.yaml").write_text(HELM_TEMPLATE)
    (tmp_path / "README.md").write_text("not yaml\n")
    return tmp_path


def try_repo(hook_repo: tuple[pathlib.Path, str], user_repo: pathlib.Path) -> subprocess.CompletedProcess:
    tool = pre_commit()
    require_tool(tool is not None, "pre-commit (.ci/setup-integrations.sh)")
    path, rev = hook_repo
    git("add", "-A", cwd=user_repo)  # try-repo --all-files lints what git tracks
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "NO_COLOR")}
    env["PRE_COMMIT_HOME"] = str(path.parent / "pre-commit-home")
    return subprocess.run(
        [tool, "try-repo", str(path), "barrier-lint", "--ref", rev, "--all-files", "--color", "never"],
        cwd=user_repo, env=env, capture_output=True, text=True, timeout=900,
    )


def test_hook_definition():
    from ruamel.yaml import YAML

    (hook,) = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "barrier-lint"
    assert hook["entry"] == "barrier-lint"
    assert hook["language"] == "python"
    assert hook["types"] == ["yaml"]
    assert hook["args"] == ["--harness-only", "--force-exclude"]


def test_pre_commit_fails_on_a_bad_pipeline_and_passes_without_it(hook_repo, user_repo):
    (user_repo / "pipelines" / "bad.yaml").write_text(RELEASE)
    failed = try_repo(hook_repo, user_repo)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "barrier-lint" in failed.stdout and "Failed" in failed.stdout
    assert "pipelines/bad.yaml:25:90: BL101 [error] barrier 'redy' (stage deploy) is not declared; did you mean 'ready'?" in failed.stdout
    assert "pipelines/bad.yaml:24:88: BL203 [error] barrier 'ready' is also used at line 16" in failed.stdout
    assert "good.yaml" not in failed.stdout
    assert "configmap.yaml" not in failed.stdout  # the Helm template is not Harness YAML: not ours

    (user_repo / "pipelines" / "bad.yaml").unlink()
    passed = try_repo(hook_repo, user_repo)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "barrier-lint" in passed.stdout and "Passed" in passed.stdout


def test_pre_commit_honours_the_projects_configuration(hook_repo, user_repo):
    (user_repo / "pipelines" / "bad.yaml").write_text(RELEASE)
    (user_repo / "pyproject.toml").write_text('[tool.barrier-lint]\nexclude = ["pipelines/bad.yaml"]\n')
    result = try_repo(hook_repo, user_repo)
    assert result.returncode == 0, result.stdout + result.stderr
