"""Which files to lint: the paths named, and the YAML files below named directories.

Directory walks honour `.gitignore` files (and `.git/info/exclude`) with git's own pattern rules, and the
configuration's `exclude` patterns, which use the same syntax. The matcher is written here rather than taken
from a dependency: the rules are short (gitignore(5)), and the CLI must start fast in pre-commit hooks.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Iterator

from .records import record

YAML_SUFFIXES = (".yaml", ".yml")
# Folders never searched. `.harness` (Harness Git Experience) is deliberately not among them.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea", ".vscode-test"}
)


# ------------------------------------------------------------------------------------------- patterns


@record(frozen=True, slots=True)
class Pattern:
    """One gitignore-style pattern (gitignore(5)): `*`, `?`, `[a-z]`, `**`, a leading `/` or an inner `/`
    anchors it to its base directory, a trailing `/` matches directories only, a leading `!` negates."""

    source: str
    regex: re.Pattern
    negated: bool
    dir_only: bool

    def matches(self, relative: str, is_dir: bool) -> bool:
        """`relative`: a `/`-separated path relative to the pattern's base directory."""
        if self.dir_only and not is_dir:
            return False
        return self.regex.match(relative) is not None


@functools.lru_cache(maxsize=4096)
def compile_pattern(source: str) -> Pattern | None:
    """None for lines that hold no pattern (blank lines and `#` comments)."""
    pattern = source.rstrip("\n\r")
    # Trailing spaces are dropped unless escaped with a backslash.
    stripped = pattern.rstrip(" ")
    if stripped.endswith("\\") and len(stripped) < len(pattern):
        stripped += " "
    pattern = stripped
    if not pattern or pattern.startswith("#"):
        return None
    negated = pattern.startswith("!")
    if negated:
        pattern = pattern[1:]
    dir_only = pattern.endswith("/")
    pattern = pattern.rstrip("/")
    if not pattern:
        return None
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    parts = pattern.split("/")
    regex = "" if anchored else "(?:.*/)?"
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        if part == "**":
            regex += ".*" if last else "(?:[^/]*/)*"
        else:
            regex += _translate_segment(part) + ("" if last else "/")
    return Pattern(source, re.compile(regex + r"\Z", re.DOTALL), negated, dir_only)


def _translate_segment(segment: str) -> str:
    out, i, n = [], 0, len(segment)
    while i < n:
        c = segment[i]
        if c == "\\" and i + 1 < n:
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if c == "*":
            while i + 1 < n and segment[i + 1] == "*":  # `a**b` is `a*b` inside one segment
                i += 1
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = segment.find("]", i + 2 if i + 1 < n and segment[i + 1] in "!^" else i + 1)
            if end < 0:
                out.append(re.escape(c))
            else:
                body = segment[i + 1 : end]
                negate = body[:1] in ("!", "^")
                if negate:
                    body = body[1:]
                body = body.replace("\\", "\\\\").replace("^", "\\^").replace("[", "\\[")
                out.append(f"[{'^/' if negate else ''}{body}]")
                i = end
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


@record(frozen=True, slots=True)
class PatternList:
    """Patterns relative to one base directory, in file order: the last one that matches decides."""

    base: str  # absolute, normalised
    patterns: tuple[Pattern, ...]

    @classmethod
    def parse(cls, base: str, lines) -> PatternList:
        compiled = (compile_pattern(line) for line in lines)
        return cls(os.path.abspath(base), tuple(p for p in compiled if p is not None))

    def relative(self, path: str) -> str | None:
        # The walk's paths are absolute and below the base: a prefix cut, not `relpath` (which normalises
        # both paths again for every pattern list on every path).
        prefix = self.base if self.base.endswith(os.sep) else self.base + os.sep
        if path.startswith(prefix) and _normal(path):
            rel = path[len(prefix) :].rstrip(os.sep)
            return rel.replace(os.sep, "/") if rel else None
        rel = os.path.relpath(os.path.abspath(path), self.base)
        if rel == "." or rel.startswith(".." + os.sep) or rel == ".." or os.path.isabs(rel):
            return None
        return rel.replace(os.sep, "/")

    def decide(self, path: str, is_dir: bool) -> bool | None:
        """True: ignored, False: re-included by a `!` pattern, None: no pattern speaks about it."""
        if not self.patterns:  # a file of comments only, as git's own `info/exclude`
            return None
        rel = self.relative(path)
        if rel is None:
            return None
        verdict = None
        for pattern in self.patterns:
            if pattern.matches(rel, is_dir):
                verdict = not pattern.negated
        return verdict

    def matches_path(self, path: str, is_dir: bool = False) -> bool:
        """Whether `path` or one of its folders below the base is ignored. (A file inside an ignored folder
        cannot be re-included, as in git.)"""
        rel = self.relative(path)
        if rel is None:
            return False
        parts = rel.split("/")
        for depth in range(1, len(parts)):
            if self.decide(os.path.join(self.base, *parts[:depth]), True):
                return True
        return bool(self.decide(path, is_dir))


def _normal(path: str) -> bool:
    """Whether `path` is absolute with no `.`, `..` or empty segment (what `abspath` would leave as is)."""
    if not os.path.isabs(path) or os.sep * 2 in path:
        return False
    tail = path[path.rfind(os.sep) :]
    dots = (os.sep + "." + os.sep, os.sep + ".." + os.sep)
    return not any(d in path for d in dots) and tail not in (os.sep + ".", os.sep + "..")


# ------------------------------------------------------------------------------------------- gitignore


def _read_lines(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return []


def workspace_root(path: str) -> str:
    """The workspace root of a path: the nearest folder at or above it that holds `.git`, else the folder
    given (a file's own folder). Defined here, beside what it is made of, so that a file that does not need
    the workspace is linted and cached without importing it (`barrier_lint.workspace` re-exports it)."""
    path = os.path.abspath(path)
    return find_git_root(path) or (path if os.path.isdir(path) else os.path.dirname(path))


def find_git_root(start: str) -> str | None:
    current = os.path.abspath(start)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


class GitIgnore:
    """The `.gitignore` files that apply in one folder of a walk: those of the folders above it, from the
    repository root down. `enter` gives a subfolder's own scope, so each path is checked only against the
    files of its own ancestors, and each `.gitignore` is read once."""

    def __init__(self, start: str | None, lists: tuple[PatternList, ...] = ()) -> None:
        self.lists: tuple[PatternList, ...] = lists
        if start is None:
            return
        start = os.path.abspath(start)
        root = find_git_root(start)
        if root is not None:
            self.lists += (PatternList.parse(root, _read_lines(os.path.join(root, ".git", "info", "exclude"))),)
            # The .gitignore files of the folders above the start, from the repository root down.
            chain, current = [], start
            while True:
                chain.append(current)
                if current == root:
                    break
                current = os.path.dirname(current)
            scope = self
            for folder in reversed(chain[1:]):
                scope = scope.enter(folder)
            self.lists = scope.lists

    def enter(self, folder: str) -> GitIgnore:
        """The scope of `folder`, a subfolder of this scope's folder (or the folder itself, at the start)."""
        lines = _read_lines(os.path.join(folder, ".gitignore"))
        if not lines:
            return self
        return GitIgnore(None, self.lists + (PatternList.parse(folder, lines),))

    def ignored(self, path: str, is_dir: bool) -> bool:
        """Deeper `.gitignore` files override shallower ones; within one file, the last match wins."""
        verdict = None
        for patterns in self.lists:
            decided = patterns.decide(path, is_dir)
            if decided is not None:
                verdict = decided
        return bool(verdict)


# ------------------------------------------------------------------------------------------- the walk


@record(frozen=True, slots=True)
class Target:
    path: str
    explicit: bool  # named on the command line (report it even if it does not look like Harness YAML)


@record(frozen=True, slots=True)
class Skipped:
    """A file or folder the walk could not read: reported as a warning, not an error."""

    path: str
    reason: str


Excluded = Callable[[str, bool], bool]  # (path, is_dir) -> skip it


def discover(
    paths: list[str], excluded: Excluded | None = None, *, respect_gitignore: bool = True, force_exclude: bool = False
) -> Iterator[Target | Skipped | OSError]:
    """Files in command-line order; directories walked in sorted order; `.yaml`/`.yml` in any case.

    - A path named on the command line is always linted, as in ruff: `exclude` (and `.gitignore`) prune
      directory walks only, unless `force_exclude` (ruff's `--force-exclude`, which the pre-commit hook
      passes) applies `exclude` to named paths too.
    - Symlinked files inside a walk are linted; symlinked folders are not entered (no loops, no files
      outside the tree).
    - Missing named paths come back as the OSError to report; unreadable folders as `Skipped`.
    """
    for path in paths:
        if os.path.isdir(path):
            if force_exclude and excluded is not None and excluded(path, True):
                continue
            yield from _walk(path, excluded, respect_gitignore)
        elif os.path.lexists(path):  # a symlink loop or a dangling link is named: reading it says why it fails
            if not (force_exclude and excluded is not None and excluded(path, False)):
                yield Target(path, explicit=True)
        else:
            yield FileNotFoundError(2, "no such file or directory", path)


def _walk(top: str, excluded: Excluded | None, respect_gitignore: bool) -> Iterator[Target | Skipped]:
    top_scope = GitIgnore(top) if respect_gitignore else None
    stack = [(top, top_scope)]
    while stack:
        folder, gitignore = stack.pop()
        if gitignore is not None:
            gitignore = gitignore.enter(folder)
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            yield Skipped(folder, exc.strerror or str(exc))
            continue
        subfolders = []
        absolute = os.path.abspath(folder)
        for entry in entries:
            path = os.path.join(folder, entry.name)
            full = os.path.join(absolute, entry.name)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_link = entry.is_symlink()
            except OSError as exc:  # pragma: no cover - a race with deletion
                yield Skipped(path, exc.strerror or str(exc))
                continue
            if is_dir or (is_link and os.path.isdir(path)):
                if is_link or entry.name in SKIPPED_DIRS:
                    continue
                if gitignore is not None and gitignore.ignored(full, True):
                    continue
                if excluded is not None and excluded(path, True):
                    continue
                subfolders.append((path, gitignore))
            elif entry.name.lower().endswith(YAML_SUFFIXES):
                if gitignore is not None and gitignore.ignored(full, False):
                    continue
                if excluded is not None and excluded(path, False):
                    continue
                if is_link and not os.path.exists(path):
                    yield Skipped(path, "broken symbolic link")
                    continue
                yield Target(path, explicit=False)
        # Depth first, in sorted order: push in reverse so the first folder comes out first.
        stack.extend(reversed(subfolders))


# ------------------------------------------------------------------------------------------- reading


class NotReadable(Exception):
    """A path that is not read on purpose: not a regular file, or larger than the limit. (OSError is for
    files that cannot be read.)"""


_KINDS = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def read_file(path: str, limit: int) -> bytes:
    """The bytes of the regular file at `path`, refusing anything else and anything over `limit` bytes.

    A FIFO would block the open (or the read) until a writer comes, `/dev/zero` never ends and reports a
    size of 0: only regular files are opened, the open cannot block (O_NONBLOCK), what was opened is checked
    again (a path can change between the two looks), and the read stops one byte past the limit.
    """
    return read_file_stat(path, limit)[0]


def read_file_stat(path: str, limit: int) -> tuple[bytes, os.stat_result]:
    """`read_file`, and the status of the file opened, taken before its first byte was read (so a change
    made while it is read shows in the next status: what the result cache's stat table relies on)."""
    _check_regular(os.stat(path).st_mode, path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        status = os.fstat(fd)
        _check_regular(status.st_mode, path)
        return read_bounded(lambda size: os.read(fd, size), limit, path), status
    finally:
        os.close(fd)


def read_bounded(read: Callable[[int], bytes], limit: int, path: str) -> bytes:
    """Everything `read(size)` gives until it gives nothing, refusing more than `limit` bytes."""
    chunks, total = [], 0
    while True:
        chunk = read(min(1 << 20, limit + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            raise NotReadable(
                f"the file is larger than {limit // 2**20} MiB; barrier-lint does not read files this large"
            )


def _check_regular(mode: int, path: str) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise NotReadable(f"{path} is {kind}, not a regular file; barrier-lint reads only regular files")
