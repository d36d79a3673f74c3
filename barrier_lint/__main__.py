"""`python -m barrier_lint` and the `barrier-lint` command (`run`)."""

import os
import sys


def run() -> int:
    """The command, in a process of its own. The cyclic garbage collector is off for its whole life: the
    imports and the run build no garbage cycles worth finding, and the collector's passes over every object
    the imports made cost a cold start about a tenth. Frozen at the end, those objects are not searched
    once more at interpreter exit; the process then ends without tearing the interpreter down, when it can
    (`_end_now`) (docs/performance.md, "Cold start")."""
    import gc

    gc.disable()
    from .cli import main

    status = main()
    gc.freeze()
    _end_now(status)
    return status


def _end_now(status: int) -> None:
    """End the process here with `status`, as `os._exit` does, when a normal exit would only tear the
    interpreter down (free every module and object one by one: about 3% of a cold start). Not when
    anything is registered to run at exit (`atexit`, as coverage and multiprocessing register), another
    thread runs, or a tracer or profiler watches: those expect the normal exit. The output is flushed first;
    if that fails (a closed pipe), the normal exit reports it as it always has."""
    import atexit

    registered = getattr(atexit, "_ncallbacks", None)
    threading = sys.modules.get("threading")
    if registered is None or registered() or sys.gettrace() or sys.getprofile():
        return
    if threading is not None and threading.active_count() > 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (AttributeError, OSError, ValueError):  # no stream, a closed pipe, a closed file
        return
    os._exit(status)


if __name__ == "__main__":
    sys.exit(run())
