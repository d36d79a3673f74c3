"""Which files to lint: the paths named, and the YAML files below named directories."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

YAML_SUFFIXES = (".yaml", ".yml")
# Folders never searched. `.harness` (Harness Git Experience) is deliberately not among them.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox",
     ".mypy_cache", ".pytest_cache", ".ruff_cache", ".idea", ".vscode-test"}
)


@dataclass(frozen=True, slots=True)
class Target:
    path: str
    explicit: bool  # named on the command line (report it even if it does not look like Harness YAML)


def discover(paths: list[str]) -> Iterator[Target | OSError]:
    """Files in command-line order; directories walked in sorted order without following symlinked
    folders (no loops). Missing paths come back as the OSError to report."""
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path, onerror=None):
                dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and not os.path.islink(os.path.join(root, d)))
                for name in sorted(files):
                    if name.endswith(YAML_SUFFIXES):
                        yield Target(os.path.join(root, name), explicit=False)
        elif os.path.exists(path):
            yield Target(path, explicit=True)
        else:
            yield FileNotFoundError(2, "no such file or directory", path)
