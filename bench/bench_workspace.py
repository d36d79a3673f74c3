"""Workspace resolution at repository scale (issue 10): a generated `.harness/` repository of 2,000
pipelines and 500 templates nested up to three deep, linted from the command line with resolution and
without it (`--no-resolve`). Prints the time of each and their ratio; the target is at most 1.5x.

    python bench/bench_workspace.py [--pipelines N] [--templates N] [--repeat N]
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from generate import template_repository  # noqa: E402

from barrier_lint.cli import Configs, lint_paths  # noqa: E402


def run(resolve: bool) -> tuple[float, int, int]:
    start = time.perf_counter()
    result = lint_paths(["."], Configs(None, None, frozenset()), None, resolve=resolve)
    elapsed = time.perf_counter() - start
    findings = sum(len(r.diagnostics) for r in result.results)
    return elapsed, len(result.results), findings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", type=int, default=2000)
    parser.add_argument("--templates", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        template_repository(folder, args.pipelines, args.templates)
        os.chdir(folder)
        rows = {}
        for resolve in (False, True):
            runs = [run(resolve) for _ in range(args.repeat)]
            rows[resolve] = (min(r[0] for r in runs), runs[0][1], runs[0][2])
        print(f"repository: {args.pipelines} pipelines, {args.templates} templates nested 3 deep")
        print(f"{'run':<28}{'best of ' + str(args.repeat):>12}{'files':>8}{'findings':>10}")
        for resolve, label in ((False, "--no-resolve (file by file)"), (True, "workspace (resolved)")):
            seconds, files, findings = rows[resolve]
            print(f"{label:<28}{seconds:>11.2f}s{files:>8}{findings:>10}")
        print(f"resolved / file by file: {rows[True][0] / rows[False][0]:.2f}x (target: at most 1.5x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
