"""Across files: golden workspaces. Each folder of tests/workspaces is a repository; linting it with the
command line's workspace resolution must give exactly the lines of the `.out` file beside it (findings with
their related locations, each in its own file). Regenerate with --update-golden and review the diff."""

from __future__ import annotations

import shutil

import pytest

from barrier_lint.cli import Configs, lint_paths

from .conftest import ROOT

WORKSPACES = ROOT / "tests" / "workspaces"
CASES = sorted(p for p in WORKSPACES.iterdir() if p.is_dir())


def _name(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def workspace_output(folder, monkeypatch, *paths: str) -> str:
    """Lint `paths` (default: the whole folder) inside a copy of `folder`, as the command line does."""
    monkeypatch.chdir(folder)
    run = lint_paths(list(paths) or ["."], Configs(None, None, frozenset()), None)
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
