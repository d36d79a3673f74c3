"""Benchmark barrier-lint against the YAML parsing it stands on. Run by hand: `python bench/bench_lint.py`.

For generated pipelines of about 1k, 10k and 100k lines and for the whole corpus in ../shared, it prints
the time (best of several runs, wall and CPU: on a machine shared with other work, the CPU time is the
honest figure) and the lines per second of:
- `lint`: barrier-lint's full analysis (`lint()`: parse, model, every rule);
- `floor`: a Python loop over the C parser's events (`CParser.get_event` until the stream ends): what any
  Python program that reads YAML through libyaml pays before it keeps anything;
- `compose`: ruamel.yaml's C compose alone (`YAML(typ="safe", pure=False).compose_all`), the collector paused;
- `raw_parse`: libyaml's events counted in C (`CParser.raw_parse`, no Python object at all), for reference;
and `lint / floor` on CPU time and on wall time. Target (issue 13): `lint / floor` at most 2.0 at 10k and
100k lines. Then the cold start of the command on one file.
"""

from __future__ import annotations

import gc
import os
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from generate import pipeline  # noqa: E402

from barrier_lint import lint  # noqa: E402
from barrier_lint.parse import C_PARSER  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
# (a git worktree elsewhere than beside ../shared names it: BARRIER_LINT_CORPUS=/path/to/shared/corpus/real)
CORPUS = pathlib.Path(os.environ.get("BARRIER_LINT_CORPUS", ROOT.parent / "shared" / "corpus" / "real"))


def best_of(fn, repeat: int) -> float:
    """The best wall time of `repeat` runs."""
    return timed(fn, repeat)[0]


def timed(fn, repeat: int) -> tuple[float, float]:
    """The best wall time and the best CPU time (`time.process_time`) of `repeat` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return min(walls), min(cpus)


def floor(texts: list[str]) -> None:
    """The events of every text, each made a Python object by the C parser and dropped."""
    from _ruamel_yaml import CParser

    for text in texts:
        parser = CParser(text)
        get_event = parser.get_event
        while parser.check_event():
            get_event()
        parser.dispose()


def raw_parse(texts: list[str]) -> None:
    from _ruamel_yaml import CParser

    for text in texts:
        CParser(text).raw_parse()


def compose(texts: list[str]) -> None:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    gc.disable()
    try:
        for text in texts:
            list(yaml.compose_all(text))
    finally:
        gc.enable()


def lint_all(texts: list[str]) -> None:
    for text in texts:
        lint(text)


def row(name: str, texts: list[str], repeat: int) -> None:
    lines = sum(t.count("\n") for t in texts)
    # Interleaved, so that a change of load on a shared machine falls on every column alike.
    results: dict[str, list[tuple[float, float]]] = {}
    for _ in range(repeat):
        for column, fn in (("lint", lint_all), ("floor", floor), ("compose", compose), ("raw", raw_parse)):
            results.setdefault(column, []).append(timed(lambda: fn(texts), 1))
    best = {column: (min(w for w, _ in runs), min(c for _, c in runs)) for column, runs in results.items()}
    cells = "".join(f" {best[c][0] * 1000:>8.1f} {best[c][1] * 1000:>8.1f}" for c in ("lint", "floor", "compose", "raw"))
    print(
        f"{name:<16}{lines:>9,}{cells} {lines / best['lint'][1]:>10,.0f} "
        f"{best['lint'][1] / best['floor'][1]:>8.2f}x {best['lint'][0] / best['floor'][0]:>8.2f}x"
    )


def cold_start(path: pathlib.Path, runs: int = 15) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "barrier_lint", "-q", str(path)], capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times)


def main() -> int:
    if not C_PARSER:
        print("warning: ruamel.yaml.clib is missing; barrier-lint runs on the pure-Python parser", file=sys.stderr)
    print(f"Python {sys.version.split()[0]}; the best of several runs, in ms, wall then CPU for each column")
    columns = "".join(f" {c + ' wall':>8} {c[:4] + ' cpu':>8}" for c in ("lint", "floor", "compose", "raw"))
    print(f"{'input':<16}{'lines':>9}{columns} {'lines/cpu s':>10} {'lint/flr cpu':>9} {'lint/flr wall':>9}")
    for size in (1_000, 10_000, 100_000):
        text = pipeline(size)
        row(f"generated {size // 1000}k", [text], repeat=7 if size < 100_000 else 3)
    if CORPUS.is_dir():
        texts = [p.read_text(encoding="utf-8-sig") for p in sorted(CORPUS.glob("*.y*ml"))]
        row(f"corpus ({len(texts)})", texts, repeat=5)
    else:
        print("(../shared/corpus/real not found: corpus row skipped)")
    one = ROOT / "examples" / "release_clean.yaml"
    median, worst = cold_start(one)
    print(f"\ncold start `barrier-lint {one.relative_to(ROOT)}`: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms "
          "(wall; `bench/bench_cold.py` compares CPU time with `python -c pass`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
