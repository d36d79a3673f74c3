"""`collector_paused`, in a module of its own: the command pauses the collector for a whole run, and a run
whose every file is a cache hit imports neither the parser nor the rules (docs/performance.md, "Cold
start")."""

from __future__ import annotations

import gc
from contextlib import contextmanager

# `typing` is for type checkers only (annotations are never evaluated): not imported at start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator


@contextmanager
def collector_paused(keep: bool = False) -> Iterator[None]:
    """The cyclic garbage collector paused: composing allocates millions of small objects, and the
    collector's passes over them would dominate the time on large files.

    `keep`: what the pause built outlives it (a command-line run's results and workspaces). Every object
    allocated while the collector is paused is still in its youngest generation when it resumes, so its
    first pass would walk all of them: a third of a workspace run's time. They hold no reference cycles
    (`tests/test_workspace.py` pins it), so no pass could collect any of them: they are moved out of
    the collector's reach (`gc.freeze`) instead. Reference counting still frees them when dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if keep:
                gc.freeze()
            gc.enable()
