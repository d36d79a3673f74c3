"""Cold start of the command on one small file against `python -c pass`: `python bench/bench_cold.py [N]`.

Each is run N times (default 21); the medians of wall time and of CPU time (user + system, of the process
and its children) are printed, and the ratio to `python -c pass` (target: at most 3x). On a machine loaded
by other work the CPU times are the honest figures. Then the ten costliest imports of the command
(`python -X importtime`, cumulative microseconds).
"""

from __future__ import annotations

import os
import pathlib
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FILE = ROOT / "examples" / "release_clean.yaml"


def measure(args: list[str], runs: int, env=None) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 21
    help_text = subprocess.run([sys.executable, "-m", "barrier_lint", "--help"], capture_output=True, text=True).stdout
    cache = ["--no-cache"] if "--no-cache" in help_text else []  # an older barrier-lint has no cache
    command = [sys.executable, "-m", "barrier_lint", "-q", *cache, str(FILE)]
    base_wall, base_cpu = measure([sys.executable, "-c", "pass"], runs)
    wall, cpu = measure(command, runs)
    print(f"python -c pass:            wall {base_wall * 1000:6.0f} ms   cpu {base_cpu * 1000:6.0f} ms")
    print(f"barrier-lint one file:     wall {wall * 1000:6.0f} ms   cpu {cpu * 1000:6.0f} ms   "
          f"x{wall / base_wall:.1f} wall, x{cpu / base_cpu:.1f} cpu (target x3)")
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} on {os.cpu_count()} cores")
    done = subprocess.run([sys.executable, "-X", "importtime", *command[1:]], capture_output=True, text=True)
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
