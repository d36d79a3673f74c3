"""`--jobs` and the result cache give exactly the serial, uncached findings (the golden workspaces), and the
cache is invalidated by every change a result depends on."""

from __future__ import annotations

import json
import os
import re
import shutil

import pytest

from barrier_lint import cli
from barrier_lint.cache import CACHE_DIR, FILE_NAME, FORMAT
from barrier_lint.cli import Configs, lint_paths

from .test_workspace import CASES, _name, workspace_output


def _output(folder, monkeypatch, *, jobs=1, cache=False) -> str:
    return workspace_output(folder, monkeypatch, jobs=jobs, cache=cache)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_jobs_and_cache_match_the_golden_output(case, tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "POOL_THRESHOLD", 1)  # a pool even for a few files
    target = tmp_path / case.name
    shutil.copytree(case, target)
    expected = case.with_suffix(".out").read_text(encoding="utf-8")
    assert _output(target, monkeypatch, jobs=2) == expected
    assert _output(target, monkeypatch, jobs=2, cache=True) == expected  # cold: writes the cache
    assert (target / CACHE_DIR / FILE_NAME).is_file() or not os.path.isdir(target / ".git")
    assert _output(target, monkeypatch, jobs=1, cache=True) == expected  # from the cache


TEMPLATE = """template:
  name: Gate
  identifier: gate
  versionLabel: "1"
  type: Step
  spec:
    type: Barrier
    spec:
      barrierRef: {ref}
    timeout: 10m
"""

PIPELINE = """pipeline:
  name: Release
  identifier: release
  flowControl:
    barriers:
      - name: Ready
        identifier: ready
  stages:
    - parallel:
        - stage:
            identifier: a
            type: Custom
            spec:
              execution:
                steps:
                  - step:
                      identifier: wait
                      template:
                        templateRef: gate
                        versionLabel: "1"
        - stage:
            identifier: b
            type: Custom
            spec:
              execution:
                steps:
                  - step:
                      identifier: wait
                      type: Barrier
                      spec:
                        barrierRef: ready
                      timeout: 10m
"""


def _codes(folder, monkeypatch):
    monkeypatch.chdir(folder)
    run = lint_paths(["."], Configs(None, None, frozenset()), None, cache=True)
    return sorted((_name(r.path), d.code, d.span.start_line) for r in run.results for d in r.diagnostics)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "release.yaml").write_text(PIPELINE)
    return tmp_path


def test_a_changed_template_invalidates_the_pipelines_that_use_it(repo, monkeypatch):
    (repo / "gate.yaml").write_text(TEMPLATE.format(ref="ready"))
    assert _codes(repo, monkeypatch) == []
    assert _codes(repo, monkeypatch) == []  # cached
    (repo / "gate.yaml").write_text(TEMPLATE.format(ref="redy"))
    assert ("release.yaml", "BL101", 18) in _codes(repo, monkeypatch)


def test_a_new_file_that_a_use_could_match_invalidates_the_cache(repo, monkeypatch):
    assert ("release.yaml", "BL108", 18) in _codes(repo, monkeypatch)  # template gate not found
    assert ("release.yaml", "BL108", 18) in _codes(repo, monkeypatch)
    (repo / "gate.yaml").write_text(TEMPLATE.format(ref="ready"))
    assert _codes(repo, monkeypatch) == []


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_after_any_file_is_renamed_the_cache_gives_the_uncached_findings(case, tmp_path, monkeypatch):
    """For every file of a golden workspace: warm the cache, change the file's identity (its first
    `identifier:`, the pipeline's or the template's), and the cached run must say what an uncached run
    says. Some of these changes must change the findings, or the test proves nothing."""
    changed = 0
    files = sorted(p.relative_to(case) for p in case.rglob("*.y*ml"))
    for number, relative in enumerate(files):
        target = tmp_path / f"{number}" / case.name
        shutil.copytree(case, target)
        before = _output(target, monkeypatch, cache=True)
        path = target / relative
        text = path.read_text(encoding="utf-8")
        found = re.search(r"^\s*(identifier|id):", text, re.M)  # v0's identifier, v1's id
        if found is None:
            continue
        at = found.start()
        end = text.index("\n", at)
        path.write_text(text[:end] + "_renamed" + text[end:], encoding="utf-8")
        cached = _output(target, monkeypatch, cache=True)
        assert cached == _output(target, monkeypatch), relative
        changed += cached != before
    assert changed > 0


@pytest.mark.parametrize("content", ["{not json", "[]", json.dumps({"format": FORMAT, "version": "0.0.0-other", "entries": {"x": 1}}),
                                     json.dumps({"format": FORMAT, "version": cli.__version__, "entries": {"release.yaml": {"key": 5}}})])
def test_a_corrupt_or_foreign_cache_is_ignored(repo, monkeypatch, content):
    (repo / "gate.yaml").write_text(TEMPLATE.format(ref="redy"))
    expected = _codes(repo, monkeypatch)
    assert ("release.yaml", "BL101", 18) in expected
    (repo / CACHE_DIR / FILE_NAME).write_text(content)
    assert _codes(repo, monkeypatch) == expected
    assert json.loads((repo / CACHE_DIR / FILE_NAME).read_text())["version"] == cli.__version__  # rewritten


def test_no_cache_writes_nothing(repo, monkeypatch):
    monkeypatch.chdir(repo)
    assert cli.main(["--no-cache", "-q", "."]) == 0  # BL108 (a warning): template not found
    assert not (repo / CACHE_DIR).exists()
    assert cli.main(["-q", "."]) == 0
    assert (repo / CACHE_DIR / FILE_NAME).is_file()
    assert (repo / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_file_without_uses_is_linted_without_loading_its_workspace(repo, monkeypatch):
    import barrier_lint.workspace as workspace

    def refuse(*args, **kwargs):
        raise AssertionError("the workspace was loaded")

    plain = PIPELINE.replace(
        "                      template:\n                        templateRef: gate\n                        versionLabel: \"1\"\n",
        "                      type: Barrier\n                      spec:\n                        barrierRef: redy\n"
        "                      timeout: 10m\n",
    )
    (repo / "release.yaml").write_text(plain)
    monkeypatch.setattr(workspace.Workspace, "load", refuse)
    monkeypatch.chdir(repo)
    run = lint_paths(["release.yaml"], Configs(None, None, frozenset()), None)
    assert [(d.code, d.span.start_line) for r in run.results for d in r.diagnostics] == [("BL101", 19), ("BL202", 31)]
    (repo / "release.yaml").write_text(PIPELINE)  # a template use: the workspace is needed
    with pytest.raises(AssertionError, match="the workspace was loaded"):
        lint_paths(["release.yaml"], Configs(None, None, frozenset()), None)


def _many(tmp_path, count: int):
    """`count` pipelines, each with its own mistake (a misspelt barrier on a line of its own)."""
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / "gate.yaml").write_text(TEMPLATE.format(ref="ready"))
    for i in range(count):
        text = PIPELINE.replace("barrierRef: ready", "barrierRef: rexdy", 1).replace("identifier: release", f"identifier: release_{i}")
        (tmp_path / f"p{i:03}.yaml").write_text("\n" * (i % 7) + text)
    return tmp_path


def _run(folder, monkeypatch, jobs):
    monkeypatch.chdir(folder)
    run = lint_paths(["."], Configs(None, None, frozenset()), None, jobs=jobs)
    return [(r.path, [(d.code, d.span.start_line, d.span.start_col) for d in r.diagnostics]) for r in run.results]


@pytest.mark.parametrize("count", [7, 8, 9, 40, 150])
def test_a_pool_started_while_files_are_read_gives_the_serial_results_in_the_serial_order(count, tmp_path, monkeypatch):
    """The pool starts once POOL_THRESHOLD files are read and takes them in chunks that grow with the run;
    whatever the count (below, at and above the threshold, several chunk sizes), the results are the
    serial ones, file for file, in the walk's order."""
    folder = _many(tmp_path, count)
    serial = _run(folder, monkeypatch, jobs=1)
    assert len(serial) == count + 1 and serial[0][0] == "gate.yaml" and serial[1][0] == "p000.yaml"
    assert serial[5][1] == [("BL202", 22, 37), ("BL101", 34, 36)]  # p004.yaml, four blank lines first
    started, sent = [], []
    real_start, real_send = cli._Linter._start, cli._Linter._send

    def start(linter):
        started.append(len(linter.tasks))
        real_start(linter)

    def send(linter):
        sent.append(len(linter.pending))
        real_send(linter)

    monkeypatch.setattr(cli._Linter, "_start", start)
    monkeypatch.setattr(cli._Linter, "_send", send)
    assert _run(folder, monkeypatch, jobs=2) == serial
    # The pool started with the eighth file read, not after the last one (the files are 1 + count).
    assert started == ([cli.POOL_THRESHOLD] if count + 1 >= cli.POOL_THRESHOLD else [])
    assert sum(sent) == (count + 1 if started else 0)


def test_a_worker_that_fails_is_reported_with_the_file_it_failed_on(tmp_path, monkeypatch, capsys):
    folder = _many(tmp_path, 20)
    real = cli._lint_task

    def failing(task, workspaces):
        if task.source.endswith("p013.yaml"):
            raise ValueError("boom")
        return real(task, workspaces)

    monkeypatch.setattr(cli, "_lint_task", failing)  # (inherited by the forked workers)
    with pytest.raises(RuntimeError, match=r"a worker process failed on p013\.yaml"):
        _run(folder, monkeypatch, jobs=2)
    assert "ValueError: boom" in capsys.readouterr().err
