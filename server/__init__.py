"""barrier-lint's language server: a thin protocol adapter over the `barrier_lint` analyzer core."""

import sys

# `python -m barrier_lint_server` under a Python too old to run it exits with status 3, which editors read
# (the VS Code extension then names the interpreter it tried). Here, in syntax Python 2.7 still parses:
# __main__.py is not (`from __future__ import annotations`).
if sys.version_info < (3, 10):  # noqa: UP036
    sys.stderr.write("barrier-lint-server needs Python 3.10 or newer, not " + sys.version.split()[0] + "\n")
    sys.exit(3)
