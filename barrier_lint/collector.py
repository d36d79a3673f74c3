"""`collector_paused`, in a module of its own: the command pauses the collector for a whole run, and a run
whose every file is a cache hit imports neither the parser nor the rules (docs/performance.md, "Cold
start")."""

from __future__ import annotations

import gc


class collector_paused:  # noqa: N801 - a function to its callers (`with collector_paused():`)
    """The cyclic garbage collector paused: composing allocates millions of small objects, and the
    collector's passes over them would dominate the time on large files.

    `keep`: what the pause built outlives it (a command-line run's results and workspaces). Every object
    allocated while the collector is paused is still in its youngest generation when it resumes, so its
    first pass would walk all of them: a third of a workspace run's time. They hold no reference cycles
    (`tests/test_workspace.py` pins it), so no pass could collect any of them: they are moved out of
    the collector's reach (`gc.freeze`) instead. Reference counting still frees them when dropped.

    A class, not a `contextlib.contextmanager`: a run of cache hits imports `contextlib` for nothing else.
    """

    __slots__ = ("keep", "was_enabled")

    def __init__(self, keep: bool = False) -> None:
        self.keep = keep
        self.was_enabled = False

    def __enter__(self) -> None:
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc_info) -> None:
        if self.was_enabled:
            if self.keep:
                gc.freeze()
            gc.enable()
