"""Workspace resolution at repository scale (issue 10): a generated `.harness/` repository of 2,000
pipelines and 500 templates nested up to three deep, linted from the command line with resolution and
without it (`--no-resolve`). Prints the CPU time and the wall time of each (best of N) and their ratios; the
target is at most 1.5x. Use the CPU times on a loaded machine: other processes inflate wall time, not CPU time.

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


def run(resolve: bool) -> tuple[float, float, int, int]:
    """(CPU seconds, wall seconds, files, findings) of one run in this process (`--jobs 1`)."""
    cpu, wall = time.process_time(), time.perf_counter()
    result = lint_paths(["."], Configs(None, None, frozenset()), None, resolve=resolve)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    findings = sum(len(r.diagnostics) for r in result.results)
    return cpu, wall, len(result.results), findings


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
            rows[resolve] = (min(r[0] for r in runs), min(r[1] for r in runs), runs[0][2], runs[0][3])
        print(f"repository: {args.pipelines} pipelines, {args.templates} templates nested 3 deep")
        print(f"{'run':<28}{'CPU, best of ' + str(args.repeat):>17}{'wall, best of ' + str(args.repeat):>18}{'files':>8}{'findings':>10}")
        for resolve, label in ((False, "--no-resolve (file by file)"), (True, "workspace (resolved)")):
            cpu, wall, files, findings = rows[resolve]
            print(f"{label:<28}{cpu:>16.2f}s{wall:>17.2f}s{files:>8}{findings:>10}")
        print(
            f"resolved / file by file: {rows[True][0] / rows[False][0]:.2f}x CPU, {rows[True][1] / rows[False][1]:.2f}x wall "
            "(target: at most 1.5x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
