"""Cold start of the command on one small file against `python -c pass`: `python bench/bench_cold.py [N]`.

Each is run N times (default 21), interleaved; the medians of wall time and of CPU time (user + system, of
the process and its children) are printed, and the ratio to `python -c pass` (target: at most 3x). On a
machine loaded by other work the CPU times are the honest figures. Measured: `python -m barrier_lint` (from
this checkout's folder, so this checkout's code) and the `barrier-lint` script next to the interpreter (the
installed package), each after one run that writes the bytecode (PYTHONDONTWRITEBYTECODE is cleared for
them: a run that compiles every module measures the compiler). Run it with the interpreter of a virtualenv
with a plain (not editable) install: an editable install's finder imports pathlib into every start-up.
Each runs with `--no-cache` (a miss every time), and the installed script once more with the cache (on by
default: after the first run, every run is a hit).
Then the ten costliest imports of the command (`python -X importtime`, cumulative microseconds).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FILE = ROOT / "examples" / "release_clean.yaml"


ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each command, the commands run in turn `runs` times."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for args in commands.values():  # writes the bytecode
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=ROOT, check=False)
    for _ in range(runs):
        for name, args in commands.items():
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV, cwd=ROOT, check=False)
            walls[name].append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus[name].append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return {name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in commands}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="?", type=int, default=21, metavar="N", help="runs of each command (default: 21)")
    runs = parser.parse_args().runs
    help_text = subprocess.run(
        [sys.executable, "-m", "barrier_lint", "--help"], capture_output=True, text=True, cwd=ROOT, env=ENV
    ).stdout
    cache = ["--no-cache"] if "--no-cache" in help_text else []  # an older barrier-lint has no cache
    arguments = ["-q", *cache, str(FILE.relative_to(ROOT))]
    command = [sys.executable, "-m", "barrier_lint", *arguments]
    commands = {"python -c pass": [sys.executable, "-c", "pass"], "python -m barrier_lint": command}
    script = pathlib.Path(sys.executable).with_name("barrier-lint")
    if script.exists():
        commands["barrier-lint (installed)"] = [str(script), *arguments]
        if cache:
            commands["barrier-lint, cache hit"] = [str(script), *[a for a in arguments if a not in cache]]
    where = subprocess.run(
        [sys.executable, "-c", "import sys, barrier_lint; print(barrier_lint.__file__, 'pathlib' in sys.modules)"],
        capture_output=True, text=True, cwd=ROOT, env=ENV,
    ).stdout.split()
    print(f"python -m barrier_lint imports {where[0]}" + ("; an editable finder imports pathlib at start-up" if where[1:] == ["True"] else ""))
    found = measure(commands, runs)
    base_wall, base_cpu = found["python -c pass"]
    for name, (wall, cpu) in found.items():
        ratio = f"   x{wall / base_wall:.1f} wall, x{cpu / base_cpu:.1f} cpu (target x3)" if name != "python -c pass" else ""
        print(f"{name + ':':<28} wall {wall * 1000:6.0f} ms   cpu {cpu * 1000:6.0f} ms{ratio}")
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} on {os.cpu_count()} cores")
    done = subprocess.run([sys.executable, "-X", "importtime", *command[1:]], capture_output=True, text=True, cwd=ROOT, env=ENV)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line[len("import time:"):].split("|")
            if cumulative.strip().isdigit():
                rows.append((int(cumulative), name.rstrip()))
    print("\ncostliest imports (cumulative us):")
    for cumulative, name in sorted(rows, reverse=True)[:10]:
        print(f"  {cumulative:>8}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
