"""Benchmark barrier-lint against the YAML parsing it stands on. Run by hand: `python bench/bench_lint.py`.

For generated pipelines of about 1k, 10k and 100k lines and for the whole corpus in ../shared, it prints
the wall time and lines per second of:
- `lint`: barrier-lint's full analysis (parse, model, every rule);
- `compose`: ruamel.yaml's C compose alone (`YAML(typ="safe", pure=False).compose`), with Python's cyclic
  GC left on as a plain caller would, and with it paused (what barrier-lint does);
- `events`: the C parser's event stream alone (`CParser.raw_parse`, no Python objects: the floor);
and the ratios. Target: lint <= 2x compose at every size. Then the cold start of the command on one file.
"""

from __future__ import annotations

import gc
import pathlib
import statistics
import subprocess
import sys
import time

from ruamel.yaml import YAML

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from generate import pipeline  # noqa: E402

from barrier_lint import lint  # noqa: E402
from barrier_lint.parse import C_PARSER  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def compose(texts: list[str]) -> None:
    yaml = YAML(typ="safe", pure=False)
    for text in texts:
        list(yaml.compose_all(text))


def compose_no_gc(texts: list[str]) -> None:
    gc.disable()
    try:
        compose(texts)
    finally:
        gc.enable()


def events(texts: list[str]) -> None:
    from _ruamel_yaml import CParser

    for text in texts:
        CParser(text).raw_parse()


def lint_all(texts: list[str]) -> None:
    for text in texts:
        lint(text)


def row(name: str, texts: list[str], repeat: int) -> None:
    lines = sum(t.count("\n") for t in texts)
    t_lint = best_of(lambda: lint_all(texts), repeat)
    t_compose = best_of(lambda: compose(texts), repeat)
    t_compose_nogc = best_of(lambda: compose_no_gc(texts), repeat)
    t_events = best_of(lambda: events(texts), repeat)
    print(
        f"{name:<16}{lines:>9,} {t_lint * 1000:>9.1f} {lines / t_lint:>10,.0f} {t_compose * 1000:>10.1f} "
        f"{t_compose_nogc * 1000:>10.1f} {t_events * 1000:>9.1f} {t_lint / t_compose:>8.2f}x {t_lint / t_compose_nogc:>8.2f}x "
        f"{t_lint / t_events:>8.1f}x"
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
    print(f"Python {sys.version.split()[0]}; times are the best of several runs, in ms")
    print(
        f"{'input':<16}{'lines':>9} {'lint':>9} {'lines/s':>10} {'compose':>10} {'compose-gc':>10} {'events':>9} "
        f"{'lint/cmp':>9} {'lint/cmp-gc':>9} {'lint/evt':>9}"
    )
    for size in (1_000, 10_000, 100_000):
        text = pipeline(size)
        row(f"generated {size // 1000}k", [text], repeat=5 if size < 100_000 else 3)
    if CORPUS.is_dir():
        texts = [p.read_text(encoding="utf-8-sig") for p in sorted(CORPUS.glob("*.y*ml"))]
        row(f"corpus ({len(texts)})", texts, repeat=5)
    else:
        print("(../shared/corpus/real not found: corpus row skipped)")
    one = ROOT / "examples" / "release_clean.yaml"
    median, worst = cold_start(one)
    print(f"\ncold start `barrier-lint {one.relative_to(ROOT)}`: median {median * 1000:.0f} ms, worst {worst * 1000:.0f} ms (target < 250 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
