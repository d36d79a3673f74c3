"""Peak resident memory of `lint()` on one generated pipeline: `python bench/bench_memory.py [LINES ...]`.

Each size runs in a child process of its own, which generates the text, measures its resident set, lints
the text and prints its peak (`ru_maxrss`) and CPU time; the peak less the resident set before `lint()` is
what the parse, the model and the rules held. Target (issue 13): a 1M-line pipeline in 500 MB.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {here!r})
from generate import pipeline
text = pipeline({lines})
from barrier_lint import lint
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
cpu = time.process_time()
findings = lint(text)
cpu = time.process_time() - cpu
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"lines": text.count("\n"), "text_mb": len(text) / 2**20, "before_mb": before / 1024,
                  "peak_mb": peak / 1024, "cpu_s": cpu, "findings": len(findings)}}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sizes", nargs="*", type=int, metavar="LINES",
                        help="lines of each generated pipeline (default: 100000 1000000)")
    sizes = parser.parse_args().sizes or [100_000, 1_000_000]
    print(f"{'lines':>10} {'text MB':>8} {'RSS before':>10} {'peak RSS':>9} {'held':>8} {'CPU s':>7}")
    for lines in sizes:
        done = subprocess.run([sys.executable, "-c", CHILD.format(here=str(HERE), lines=lines)],
                              capture_output=True, text=True, check=True, cwd=HERE)  # (not the checkout: `-c` puts the working directory first on the path)
        r = json.loads(done.stdout)
        print(f"{r['lines']:>10,} {r['text_mb']:>8.0f} {r['before_mb']:>8.0f}MB {r['peak_mb']:>7.0f}MB "
              f"{r['peak_mb'] - r['before_mb']:>6.0f}MB {r['cpu_s']:>7.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
