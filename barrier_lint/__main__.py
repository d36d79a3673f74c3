"""`python -m barrier_lint` and the `barrier-lint` command (`run`)."""

import sys


def run() -> int:
    """The command, in a process of its own. The cyclic garbage collector is off for its whole life: the
    imports and the run build no garbage cycles worth finding, and the collector's passes over every object
    the imports made cost a cold start about a tenth. Frozen at the end, those objects are not searched
    once more at interpreter exit (docs/performance.md, "Cold start")."""
    import gc

    gc.disable()
    from .cli import main

    status = main()
    gc.freeze()
    return status


if __name__ == "__main__":
    sys.exit(run())
