"""Workspace resolution at repository scale (issue 10): a generated `.harness/` repository of 2,000
pipelines and 500 templates nested up to three deep, linted from the command line with resolution and
without it (`--no-resolve`). Each run is the real command in a fresh process (`python -m barrier_lint
--no-cache --jobs 1`, what a hook or a CI gate starts), the two modes taking turns so that a change in the
machine's load falls on both. Prints, best of N, the CPU time the process used (user + system, from the
kernel's accounting of the child), its wall time and its peak memory, the ratio of the two modes' best
times, and the median and range of each turn's CPU ratio (a turn's two runs see one state of the machine);
the target is at most 1.5x. Read the CPU times on a loaded machine: other processes inflate wall time, not CPU.

    python bench/bench_workspace.py [--pipelines N] [--templates N] [--repeat N] [--distinct]

`--distinct` gives each pipeline a barrier of its own, so that no two template uses are alike and none is
replayed (`readers.replay`): the worst case of resolution, not the target's.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from generate import template_repository  # noqa: E402

PROJECT = pathlib.Path(__file__).resolve().parent.parent
COMMAND = [sys.executable, "-m", "barrier_lint", "--no-cache", "--jobs", "1", "--exit-zero"]


def _environment(bytecode: str) -> dict[str, str]:
    """The children's environment: this checkout first on the path, and its modules compiled once into
    `bytecode` and loaded from there, as an installed package's are (without, each child compiles every
    module it imports, a tenth of a second of either mode's time, where PYTHONDONTWRITEBYTECODE is set)."""
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT), environment.get("PYTHONPATH")]))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    environment["PYTHONPYCACHEPREFIX"] = bytecode
    return environment


def run(folder: str, options: list[str], environment: dict[str, str]) -> tuple[float, float, int]:
    """(CPU seconds, wall seconds, peak resident kilobytes) of one run of the command in a new process, its
    output thrown away."""
    actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
    wall = time.perf_counter()
    pid = os.posix_spawn(sys.executable, [*COMMAND, *options, folder], environment, file_actions=actions)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - wall
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"barrier-lint {' '.join(options)} exited with {os.waitstatus_to_exitcode(status)}")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss


def findings(folder: str, options: list[str], environment: dict[str, str]) -> tuple[int, int]:
    """(files with findings, findings) of the command's JSON Lines output (a run not timed)."""
    out = subprocess.run(
        [*COMMAND, *options, "--output-format", "json-lines", folder], capture_output=True, text=True,
        env=environment, check=True,
    ).stdout
    rows = [json.loads(line) for line in out.splitlines()]
    return len({row["file"] for row in rows}), len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipelines", type=int, default=2000)
    parser.add_argument("--templates", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--distinct", action="store_true", help="a barrier per pipeline: no two uses alike")
    args = parser.parse_args()
    modes = (("--no-resolve (file by file)", ["--no-resolve"]), ("workspace (resolved)", []))
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as bytecode:
        template_repository(folder, args.pipelines, args.templates, distinct=args.distinct)
        os.chdir(folder)
        environment = _environment(bytecode)
        runs: dict[str, list[tuple[float, float, int]]] = {label: [] for label, _ in modes}
        for _, options in modes:  # once each untimed: the bytecode written, the files in the page cache
            run(".", options, environment)
        for _ in range(args.repeat):
            for label, options in modes:
                runs[label].append(run(".", options, environment))
        alike = ", no two uses alike" if args.distinct else ""
        print(f"repository: {args.pipelines} pipelines, {args.templates} templates nested 3 deep{alike}")
        print(f"each run: {' '.join(['python', *COMMAND[1:]])} [--no-resolve] . in a new process")
        best = f"best of {args.repeat}"
        print(f"{'run':<28}{'CPU, ' + best:>18}{'wall, ' + best:>19}{'peak memory':>13}{'files':>7}{'findings':>10}")
        rows = {}
        for label, options in modes:
            cpu, wall, memory = (min(r[i] for r in runs[label]) for i in range(3))
            files, found = findings(".", options, environment)
            rows[label] = cpu, wall
            print(f"{label:<28}{cpu:>17.2f}s{wall:>18.2f}s{memory / 1024:>10.0f} MB{files:>7}{found:>10}")
        (plain_cpu, plain_wall), (resolved_cpu, resolved_wall) = rows.values()
        print(
            f"resolved / file by file: {resolved_cpu / plain_cpu:.2f}x CPU, {resolved_wall / plain_wall:.2f}x wall "
            "(target: at most 1.5x)"
        )
        # Each turn's two runs follow each other: their ratio sees the same state of the machine, where the
        # two best times may come from different ones (this machine's CPU times move by a third).
        plain, resolved = runs.values()
        turns = sorted(r[0] / p[0] for p, r in zip(plain, resolved))
        print(
            f"CPU ratio of each turn: median {statistics.median(turns):.2f}x, "
            f"lowest {turns[0]:.2f}x, highest {turns[-1]:.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
