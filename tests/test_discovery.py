"""Which files get linted: gitignore patterns (our own matcher, checked against git's rules), directory walks
with .gitignore and `exclude`, symlinks, unreadable files, and --show-files."""

from __future__ import annotations

import io
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from barrier_lint import cli
from barrier_lint.discovery import PatternList, Skipped, Target, compile_pattern, discover

from .conftest import FIXTURES
from .test_cli_integrations import CLEAN, RELEASE, run_main


def ignored(patterns: list[str], path: str, is_dir: bool = False) -> bool:
    return PatternList.parse("/base", patterns).matches_path("/base/" + path, is_dir)


@pytest.mark.parametrize(
    ("patterns", "path", "is_dir", "expected"),
    [
        (["*.yaml"], "a.yaml", False, True),
        (["*.yaml"], "deep/er/a.yaml", False, True),  # no slash: any depth
        (["*.yaml"], "a.yml", False, False),
        (["build/"], "build", True, True),  # trailing slash: directories only
        (["build/"], "build", False, False),
        (["build/"], "build/x.yaml", False, True),  # ... and what is inside them
        (["build/"], "src/build/x.yaml", False, True),
        (["/root.yaml"], "root.yaml", False, True),  # leading slash: anchored
        (["/root.yaml"], "sub/root.yaml", False, False),
        (["docs/x.yaml"], "docs/x.yaml", False, True),  # an inner slash anchors too
        (["docs/x.yaml"], "a/docs/x.yaml", False, False),
        (["**/gen"], "a/b/gen/x.yaml", False, True),
        (["**/gen"], "gen/x.yaml", False, True),
        (["a/**/b.yaml"], "a/b.yaml", False, True),
        (["a/**/b.yaml"], "a/x/y/b.yaml", False, True),
        (["a/**"], "a/x/y.yaml", False, True),
        (["a/**"], "ab/y.yaml", False, False),
        (["*.yaml", "!keep.yaml"], "keep.yaml", False, False),  # negation re-includes
        (["*.yaml", "!keep.yaml"], "drop.yaml", False, True),
        (["!keep.yaml", "*.yaml"], "keep.yaml", False, True),  # the last match wins
        (["out/", "!out/keep.yaml"], "out/keep.yaml", False, True),  # not inside an excluded folder (git's rule)
        (["out/*", "!out/keep.yaml"], "out/keep.yaml", False, False),  # ... but out/* leaves the folder open
        (["[ab].yaml"], "b.yaml", False, True),
        (["[!ab].yaml"], "b.yaml", False, False),
        (["[!ab].yaml"], "c.yaml", False, True),
        (["?.yaml"], "ab.yaml", False, False),
        (["\\!bang.yaml"], "!bang.yaml", False, True),  # escaped leading '!'
        (["\\#hash.yaml"], "#hash.yaml", False, True),
        (["# comment.yaml"], "# comment.yaml", False, False),
        (["x.yaml   "], "x.yaml", False, True),  # trailing spaces dropped
        (["x.yaml\\ "], "x.yaml ", False, True),  # ... unless escaped
        (["*"], "anything/at/all.yaml", False, True),
        (["a*b.yaml"], "a/b.yaml", False, False),  # '*' does not cross folders
    ],
)
def test_gitignore_patterns(patterns, path, is_dir, expected):
    assert ignored(patterns, path, is_dir) is expected


def test_blank_and_comment_lines_are_not_patterns():
    assert compile_pattern("") is None
    assert compile_pattern("   ") is None
    assert compile_pattern("# x") is None
    assert compile_pattern("/") is None


def test_our_matcher_agrees_with_git(tmp_path):
    """The same patterns, asked of git itself (git check-ignore), when git is installed."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    patterns = ["*.gen.yaml", "build/", "!build/keep.yaml", "/top.yaml", "docs/**/old.yaml", "cache/*", "!cache/keep.yaml", "[ab]x.yaml"]
    paths = ["a.gen.yaml", "sub/b.gen.yaml", "build/keep.yaml", "build/x.yaml", "top.yaml", "sub/top.yaml",
             "docs/old.yaml", "docs/a/b/old.yaml", "cache/keep.yaml", "cache/x.yaml", "ax.yaml", "cx.yaml", "plain.yaml"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("\n".join(patterns) + "\n")
    for path in paths:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("a: 1\n")
    result = subprocess.run(["git", "check-ignore", "--no-index", *paths], cwd=tmp_path, capture_output=True, text=True)
    by_git = set(result.stdout.split())
    ours = {path for path in paths if ignored(patterns, path)}
    assert ours == by_git


# --------------------------------------------------------------------------------------- walks


@pytest.fixture
def repo(tmp_path: pathlib.Path) -> pathlib.Path:
    """A repository: .git, a root .gitignore, a nested one, and .git/info/exclude."""
    (tmp_path / ".git" / "info").mkdir(parents=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("local.yaml\n")
    (tmp_path / ".gitignore").write_text("build/\n*.gen.yaml\n")
    files = {
        "a.yaml": CLEAN,
        "local.yaml": CLEAN,
        "x.gen.yaml": CLEAN,
        "build/out.yaml": CLEAN,
        "pipelines/release.yaml": RELEASE,
        "pipelines/notes.txt": "not yaml",
        "pipelines/drafts/d.yml": CLEAN,
        "pipelines/drafts/keep.gen.yaml": CLEAN,
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "pipelines" / ".gitignore").write_text("drafts/*\n!drafts/keep.gen.yaml\n")
    return tmp_path


def walk(path: pathlib.Path, **kwargs) -> list[str]:
    out = []
    for target in discover([str(path)], **kwargs):
        assert isinstance(target, Target), target
        out.append(os.path.relpath(target.path, path))
    return out


def test_walk_respects_gitignore_files(repo):
    assert walk(repo) == ["a.yaml", "pipelines/release.yaml", "pipelines/drafts/keep.gen.yaml"]


def test_walk_of_a_subfolder_applies_the_gitignore_files_above_it(repo):
    assert walk(repo / "pipelines") == ["release.yaml", "drafts/keep.gen.yaml"]


def test_walk_without_gitignore(repo):
    assert walk(repo, respect_gitignore=False) == [
        "a.yaml", "local.yaml", "x.gen.yaml", "build/out.yaml", "pipelines/release.yaml",
        "pipelines/drafts/d.yml", "pipelines/drafts/keep.gen.yaml",
    ]


def test_named_files_are_linted_even_when_gitignored(repo):
    assert [t.path for t in discover([str(repo / "build" / "out.yaml")])] == [str(repo / "build" / "out.yaml")]


def test_walk_does_not_follow_symlink_loops(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "p.yaml").write_text(CLEAN)
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "same.yaml").symlink_to(tmp_path / "a" / "p.yaml")
    (tmp_path / "a" / "broken.yaml").symlink_to(tmp_path / "nowhere.yaml")
    targets = list(discover([str(tmp_path)]))
    assert targets == [
        Skipped(str(tmp_path / "a" / "broken.yaml"), "broken symbolic link"),
        Target(str(tmp_path / "a" / "p.yaml"), explicit=False),
        Target(str(tmp_path / "a" / "same.yaml"), explicit=False),
    ]


def test_unreadable_folder_is_skipped_with_a_warning(repo, monkeypatch):
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("pipelines"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    status, out, err = run_main(["-q", "."], monkeypatch, repo)
    assert (status, out) == (0, "")
    assert err == "barrier-lint: warning: skipped pipelines: Permission denied\n"


def test_unreadable_file_in_a_walk_is_a_warning_but_named_is_an_error(repo, monkeypatch):
    real_open = os.open

    def fake_open(path, *args, **kwargs):  # (tests run as root, for whom permissions do not deny reading)
        if str(path).endswith("release.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", fake_open)
    status, out, err = run_main(["-q", "."], monkeypatch, repo)
    assert (status, out, err) == (0, "", "barrier-lint: warning: cannot read pipelines/release.yaml: Permission denied\n")
    status, _, err = run_main(["-q", "pipelines/release.yaml"], monkeypatch, repo)
    assert (status, err) == (2, "barrier-lint: cannot read pipelines/release.yaml: Permission denied\n")


def test_exclude_prunes_walks_and_named_files(repo, monkeypatch):
    (repo / ".barrier-lint.toml").write_text('exclude = ["pipelines/release.yaml", "drafts/"]\n')
    status, out, _ = run_main(["--show-files", "."], monkeypatch, repo)
    assert (status, out) == (0, "a.yaml  v0 pipeline\n")
    # A file named on the command line is linted even when excluded (ruff's convention)...
    status, out, _ = run_main(["-q", "--output-format", "concise", "pipelines/release.yaml", "a.yaml"], monkeypatch, repo)
    assert (status, [line.split(" ")[:3] for line in out.splitlines()]) == (1, [
        ["pipelines/release.yaml:7:35:", "warning", "BL105"],
        ["pipelines/release.yaml:24:88:", "error", "BL203"],
        ["pipelines/release.yaml:25:90:", "error", "BL101"],
    ])
    # ...unless --force-exclude, which the pre-commit hook passes because pre-commit names files one by one.
    status, out, err = run_main(["-q", "--force-exclude", "pipelines/release.yaml", "a.yaml"], monkeypatch, repo)
    assert (status, out) == (0, "")
    status, out, err = run_main(["--force-exclude", "pipelines/release.yaml"], monkeypatch, repo)
    assert (status, out, err) == (0, "no problems (0 files checked)\n", "barrier-lint: warning: no Harness YAML files found under pipelines/release.yaml\n")
    status, out, _ = run_main(["--show-files", "--force-exclude", "pipelines/release.yaml", "pipelines/drafts", "a.yaml"], monkeypatch, repo)
    assert (status, out) == (0, "a.yaml  v0 pipeline\n")


def test_show_files(repo, monkeypatch):
    status, out, err = run_main(["--show-files", ".", "missing.yaml"], monkeypatch, repo)
    assert status == 2
    assert out.splitlines() == [
        "a.yaml  v0 pipeline", "pipelines/release.yaml  v0 pipeline", "pipelines/drafts/keep.gen.yaml  v0 pipeline"
    ]
    assert err == "barrier-lint: cannot read missing.yaml: no such file or directory\n"
    status, out, _ = run_main(["--show-files", "--no-respect-gitignore", "pipelines"], monkeypatch, repo)
    assert [line.split("  ")[0] for line in out.splitlines()] == [
        "pipelines/release.yaml", "pipelines/drafts/d.yml", "pipelines/drafts/keep.gen.yaml"
    ]


def test_show_files_says_what_each_file_is_read_as(tmp_path, monkeypatch):
    files = {
        "mixed.yaml": (FIXTURES / "err" / "bl203_v0_and_v1_documents.yaml").read_text(),
        "compose.yaml": "services:\n  web: {image: nginx}\n",
        "inputs.yaml": "inputSet:\n  identifier: i\n",
        "secrets.yaml": "template:\n  type: SecretManager\n  spec: {x: 1}\n",
        "stage.yaml": "template:\n  type: Stage\n  spec: {type: Custom}\n",
        "mixed_up.yaml": "pipeline:\n  identifier: p\n  barriers: [a]\n",
        "broken.yaml": "pipeline: [\n",
        ".harness/templates/deploy_gate/v2.yaml": "template:\n  stage:\n    steps: []\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    status, out, _ = run_main(["--show-files", "."], monkeypatch, tmp_path)
    assert (status, out.splitlines()) == (0, [
        "broken.yaml  not readable as YAML",
        "compose.yaml  not Harness YAML (skipped)",
        "inputs.yaml  input set (its pipeline is not found)",
        "mixed.yaml  v0 pipeline, v1 pipeline",
        "mixed_up.yaml  Harness YAML in neither syntax",
        "secrets.yaml  v0 template of type SecretManager",
        "stage.yaml  v0 template of type Stage",
        ".harness/templates/deploy_gate/v2.yaml  v1 template of type stage (deploy_gate@v2, from its path)",
    ])
    status, out, _ = run_main(["."], monkeypatch, tmp_path)
    assert out.splitlines()[-1] == "3 errors, 1 warning, 1 info in 3 files (8 files checked: 7 analysed, 1 skipped as not Harness YAML)"


# --------------------------------------------------------------------------------------- files that never end


@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="needs FIFOs and /dev/zero")
def test_only_regular_files_are_read(tmp_path, monkeypatch):
    # Before: a FIFO blocked the walk forever, and /dev/zero (size 0 to getsize) grew without bound.
    (tmp_path / "a.yaml").write_text(CLEAN)
    os.mkfifo(tmp_path / "p.yaml")
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    status, out, err = run_main(["-q", "."], monkeypatch, tmp_path)
    assert (status, out) == (0, "")
    assert err.splitlines() == [
        "barrier-lint: warning: skipped p.yaml: p.yaml is a named pipe, not a regular file; barrier-lint reads only regular files",
        "barrier-lint: warning: skipped zero.yaml: zero.yaml is a character device, not a regular file; barrier-lint reads only regular files",
    ]
    # Named, each is a finding of its own (a hook or a script gave that name for a reason).
    status, out, err = run_main(["p.yaml", "/dev/zero", "zero.yaml"], monkeypatch, tmp_path)
    assert (status, err) == (1, "")
    assert out.splitlines() == [
        "p.yaml:1:1: BL000 [error] p.yaml is a named pipe, not a regular file; barrier-lint reads only regular files",
        "/dev/zero:1:1: BL000 [error] /dev/zero is a character device, not a regular file; barrier-lint reads only regular files",
        "zero.yaml:1:1: BL000 [error] zero.yaml is a character device, not a regular file; barrier-lint reads only regular files",
        "3 errors in 3 files (3 files checked)",
    ]


def test_reads_stop_past_the_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "MAX_FILE_BYTES", 1000)
    (tmp_path / "big.yaml").write_text("pipeline:\n  name: " + "x" * 2000 + "\n")
    status, out, _ = run_main(["-q", "big.yaml"], monkeypatch, tmp_path)
    assert (status, out) == (1, "big.yaml:1:1: BL000 [error] the file is larger than 0 MiB; barrier-lint does not read files this large\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"\0" * 5000)))
    status, out, _ = run_main(["-q", "-"], monkeypatch, tmp_path)
    assert (status, out) == (1, "-:1:1: BL000 [error] the file is larger than 0 MiB; barrier-lint does not read files this large\n")


def test_symlink_loop_named_says_why(tmp_path, monkeypatch):
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    status, _, err = run_main(["-q", "loop.yaml"], monkeypatch, tmp_path)
    assert (status, err) == (2, "barrier-lint: cannot read loop.yaml: Too many levels of symbolic links\n")
    status, _, err = run_main(["-q", "."], monkeypatch, tmp_path)
    assert (status, err) == (
        0, "barrier-lint: warning: skipped loop.yaml: broken symbolic link\nbarrier-lint: warning: no Harness YAML files found under .\n"
    )


@pytest.mark.timeout(60)
def test_recursive_alias_in_any_yaml_ends(tmp_path, monkeypatch):
    # Before: `barrier-lint d/` looped forever on a Helm values file with a recursive alias.
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "values.yaml").write_text("a: &x\n  b: *x\n")
    assert run_main(["d"], monkeypatch, tmp_path) == (
        0, "no problems (1 file checked: 0 analysed, 1 skipped as not Harness YAML)\n",
        "barrier-lint: warning: no Harness YAML files found under d\n",
    )
    assert run_main(["-q", "--harness-only", "d/values.yaml"], monkeypatch, tmp_path) == (0, "", "")
    status, out, _ = run_main(["-q", "d/values.yaml"], monkeypatch, tmp_path)
    assert (status, out) == (1, "d/values.yaml:1:4: BL000 [error] the node anchored here contains an alias to itself (a recursive alias): it never ends once expanded, and Harness cannot read it\n")
