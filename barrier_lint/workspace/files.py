"""Which files make up a workspace on the command line (rules.md, "Across files").

The workspace of a path is its repository: the nearest folder at or above it that holds `.git`, else the
folder given (a file's own folder). Its files are what `git ls-files` lists (tracked, plus untracked ones
git does not ignore) in a git work tree, else what a directory run would discover, with the same
excludes; then every YAML file under the configured `template-paths`. Only regular files are read, never
through a symbolic link that leaves the root, and never more than `MAX_RESOLVE_BYTES` of one.
"""

from __future__ import annotations

import functools
import itertools
import os
from collections.abc import Callable, Iterable, Iterator

from ..discovery import (
    NotReadable,
    Target,
    discover,
    read_file,
    workspace_root,  # noqa: F401  (re-exported by `barrier_lint.workspace`; defined in discovery)
)
from ..parse import decode, looks_like_harness

MAX_WALKED_FILES = 20_000  # YAML files read from a workspace that is not a git work tree, at the most
MAX_RESOLVE_BYTES = 8 * 1024 * 1024  # a larger file is not read for resolution (it is still linted if named)
Excluded = Callable[[str, bool], bool]


def workspace_files(
    root: str, excluded: Excluded | None, extra_folders: Iterable[str] = (), walked: Iterable[str] | None = None
) -> Iterator[str]:
    """Absolute paths of the workspace's YAML files: the repository's, then those of `extra_folders`
    (`walked`: what a directory run of the root found, absolute, in order, when it walked it as a workspace
    outside git is walked: not walked again)."""
    root = os.path.abspath(root)
    real_folders: dict[str, str] = {}
    listed = _git_files(root) if os.path.exists(os.path.join(root, ".git")) else None
    if listed is None:
        # Outside a repository the folder is walked, but never without end: a file named alone in /tmp or a
        # home folder must not read everything below it.
        if walked is None:
            walked = (t.path for t in discover([root], excluded) if isinstance(t, Target))
        listed = itertools.islice(walked, MAX_WALKED_FILES)
    else:
        listed = (p for p in listed if excluded is None or not excluded(p, False))
    yield from (p for p in listed if _inside(p, root, real_folders))
    for folder in extra_folders:
        if os.path.isdir(folder):
            folder = os.path.abspath(folder)
            found = discover([folder], excluded)
            yield from (t.path for t in found if isinstance(t, Target) and _inside(t.path, folder, real_folders))


def read_harness_text(path: str, data: bytes | None = None, *, ascii_as_bytes: bool = False) -> str | bytes | None:
    """The text of a regular, readable, UTF-8 file that looks like Harness YAML; None for anything else (a
    FIFO or a device is never opened in a way that blocks: the same reader as the linted files). `data`:
    the file's bytes, read already (by the command line, which lints it); with `ascii_as_bytes`, those
    bytes themselves when they are ASCII (they are the text then: looked at as they are, not decoded)."""
    if data is None:
        try:
            data = read_file(path, MAX_RESOLVE_BYTES)
        except (OSError, NotReadable):
            return None
    elif len(data) > MAX_RESOLVE_BYTES:
        return None
    if ascii_as_bytes and data.isascii():
        return data if looks_like_harness(data) else None
    text, problem = decode(data)
    if problem is not None or not looks_like_harness(text):
        return None
    return text


def _git_files(root: str) -> list[str] | None:
    import subprocess  # (here: a workspace outside a git work tree never needs it, nor its threads)

    try:
        done = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            capture_output=True, timeout=60, check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    names = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [os.path.join(root, n) for n in names if n and n.lower().endswith((".yaml", ".yml"))]


@functools.lru_cache(maxsize=64)
def _real_root(root: str) -> str:
    """A root's real path, resolved once per run rather than once per file listed (`root` absolute: a
    relative one would stand for another folder after a change of the working directory)."""
    return os.path.realpath(root)


def _inside(path: str, root: str, real_folders: dict[str, str]) -> bool:
    """Whether `path`, its links followed, is still under `root`. A file's folder is resolved once per
    listing (`real_folders`), the file itself only when it is a link: a realpath per file would stat every
    folder above it."""
    folder, name = os.path.split(path)
    real_folder = real_folders.get(folder)
    if real_folder is None:
        real_folder = real_folders[folder] = os.path.realpath(folder)
    if name in ("", os.curdir, os.pardir) or os.path.islink(path):
        real = os.path.realpath(path)
    else:
        real = os.path.join(real_folder, name)
    real_root = _real_root(root)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
