"""The result cache's stat table: an unchanged file is found in the cache without being read, and no change
to a file's bytes goes unseen (a touched file, a file rewritten with its size and modification time put
back, inside or outside the racy window, a template far from the pipeline that uses it, a corrupt table)."""

from __future__ import annotations

import json
import os
from types import SimpleNamespace

import pytest

from barrier_lint import cache, cli, discovery
from barrier_lint.cache import CACHE_DIR, FILE_NAME, FileHashes
from barrier_lint.cli import Configs, lint_paths

from .test_cache_jobs import PIPELINE, TEMPLATE
from .test_workspace import _name

DEEP = os.path.join("teams", "platform", "shared", "templates", "steps")


def _findings(folder, monkeypatch):
    monkeypatch.chdir(folder)
    run = lint_paths(["."], Configs(None, None, frozenset()), None, cache=True)
    found = ((_name(r.path), d.code, d.span.start_line, d.span.start_col) for r in run.results for d in r.diagnostics)
    return sorted(found)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "release.yaml").write_text(PIPELINE)
    (tmp_path / DEEP).mkdir(parents=True)
    (tmp_path / DEEP / "gate.yaml").write_text(TEMPLATE.format(ref="ready"))
    return tmp_path


@pytest.fixture
def settled(monkeypatch):
    """Every status taken is trusted on the next run (as it is for a file last changed over two seconds
    before), so that these tests exercise the table without waiting."""
    monkeypatch.setattr(cache, "RACY_NS", 0)


def _refuse(monkeypatch, what: str) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError(what)

    if what == "read":
        monkeypatch.setattr(discovery, "read_file_stat", refuse)
    else:
        monkeypatch.setattr(cli, "_lint_task", refuse)


def _rewrite(path, old: str, new: str) -> None:
    """Replace `old` by `new` (of the same length) and put the modification time back as it was."""
    assert len(old) == len(new)
    before = os.stat(path)
    path.write_text(path.read_text().replace(old, new))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_an_unchanged_settled_file_is_neither_read_nor_linted(repo, monkeypatch, settled):
    (repo / "release.yaml").write_text(PIPELINE.replace("barrierRef: ready", "barrierRef: reXdy"))
    expected = [("release.yaml", "BL101", 30, 36), ("release.yaml", "BL202", 18, 37)]
    assert _findings(repo, monkeypatch) == expected
    _refuse(monkeypatch, "read")
    _refuse(monkeypatch, "lint")
    assert _findings(repo, monkeypatch) == expected


def test_a_cold_run_reads_each_file_once_for_the_cache(repo, monkeypatch):
    """With no cache yet, the workspace's fingerprint is taken from the hashes of the files the run read,
    not by reading every file once more before the first lint: each file is read once in all, by the
    command line (its findings and cache key), whose bytes the workspace's index takes; a second run reads
    none."""
    from collections import Counter

    reads = []
    real = discovery.read_file_stat

    def counting(path, limit):
        reads.append(os.path.abspath(path))
        return real(path, limit)

    monkeypatch.setattr(discovery, "read_file_stat", counting)
    monkeypatch.setattr(cache, "RACY_NS", 0)
    (repo / "release.yaml").write_text(PIPELINE.replace("barrierRef: ready", "barrierRef: reXdy"))
    expected = [("release.yaml", "BL101", 30, 36), ("release.yaml", "BL202", 18, 37)]
    assert _findings(repo, monkeypatch) == expected
    assert Counter(reads) == {str(repo / "release.yaml"): 1, str(repo / DEEP / "gate.yaml"): 1}
    reads.clear()
    assert _findings(repo, monkeypatch) == expected
    assert reads == []


def test_a_touched_file_is_read_again_and_is_a_hit(repo, monkeypatch, settled):
    (repo / "release.yaml").write_text(PIPELINE.replace("barrierRef: ready", "barrierRef: reXdy"))
    expected = [("release.yaml", "BL101", 30, 36), ("release.yaml", "BL202", 18, 37)]
    assert _findings(repo, monkeypatch) == expected
    status = os.stat(repo / "release.yaml")
    os.utime(repo / "release.yaml", ns=(status.st_atime_ns, status.st_mtime_ns + 5_000_000_000))
    _refuse(monkeypatch, "lint")
    assert _findings(repo, monkeypatch) == expected


@pytest.mark.parametrize("window", ["racy", "settled"])
def test_a_file_rewritten_with_its_size_and_time_put_back_is_linted_again(repo, monkeypatch, window):
    """Inside the racy window its status is not remembered at all; outside it, the change time differs."""
    if window == "settled":
        monkeypatch.setattr(cache, "RACY_NS", 0)
    assert _findings(repo, monkeypatch) == []
    _rewrite(repo / "release.yaml", "barrierRef: ready", "barrierRef: reXdy")
    assert _findings(repo, monkeypatch) == [("release.yaml", "BL101", 30, 36), ("release.yaml", "BL202", 18, 37)]


def test_a_template_changed_far_away_invalidates_the_pipeline_that_uses_it(repo, monkeypatch, settled):
    assert _findings(repo, monkeypatch) == []
    _rewrite(repo / DEEP / "gate.yaml", "barrierRef: ready", "barrierRef: reXdy")
    assert _findings(repo, monkeypatch) == [("release.yaml", "BL101", 18, 37), ("release.yaml", "BL202", 30, 36)]


@pytest.mark.parametrize("stats", ["x", [], {"release": 1}, "junk", [1, 2, 3], {"a": 1}, "digest not a string"])
def test_a_corrupt_stat_table_is_ignored(repo, monkeypatch, settled, stats):
    assert _findings(repo, monkeypatch) == []
    path = repo / "release.yaml"
    _rewrite(path, "barrierRef: ready", "barrierRef: reXdy")
    saved = repo / CACHE_DIR / FILE_NAME
    data = json.loads(saved.read_text())
    status = os.stat(path)
    if stats == "digest not a string":  # the file's status now, with a hash of another type
        stats = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev, 5, False]
    if not isinstance(stats, dict):
        stats = {str(path): stats} if stats != "x" else stats
    data["stats"] = stats
    saved.write_text(json.dumps(data))
    assert _findings(repo, monkeypatch) == [("release.yaml", "BL101", 30, 36), ("release.yaml", "BL202", 18, 37)]
    assert isinstance(json.loads(saved.read_text())["stats"][str(path)][5], str)  # rewritten


def test_a_status_taken_within_the_racy_window_is_not_remembered(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_bytes(b"pipeline: {}\n")
    status = os.stat(path)
    hashes = FileHashes()
    found = hashes.record(str(path), b"pipeline: {}\n", status)
    assert found == (13, cache.digest(b"pipeline: {}\n"), False)
    assert hashes.table == {}  # written just now: its times could come back with other bytes
    old = SimpleNamespace(st_size=13, st_mtime_ns=10**9, st_ctime_ns=10**9, st_ino=status.st_ino, st_dev=status.st_dev)
    hashes.record(str(path), b"pipeline: {}\n", old)
    assert hashes.table == {str(path): [13, 10**9, 10**9, status.st_ino, status.st_dev, found[1], False]}
    assert FileHashes(hashes.table).trusted(str(path), 1 << 20) is None  # its real status is another


def test_a_hit_that_was_not_read_still_quotes_its_lines(repo, monkeypatch, settled):
    text = PIPELINE.replace("barrierRef: ready", "barrierRef: reXdy")
    (repo / "release.yaml").write_text(text)
    assert _findings(repo, monkeypatch) == [("release.yaml", "BL101", 30, 36), ("release.yaml", "BL202", 18, 37)]
    _refuse(monkeypatch, "lint")
    run = lint_paths(["."], Configs(None, None, frozenset()), None, cache=True, keep_text=True)
    assert [(_name(r.path), r.text) for r in run.results] == [("release.yaml", text), (DEEP + "/gate.yaml", "")]
