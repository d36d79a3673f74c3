"""One table, side by side in one run (issue 13, part 7): `python bench/bench_table.py [--quick]`.

Rows: generated pipelines of about 1k, 10k and 100k lines, the real corpus in ../shared/corpus/real, and a
generated repository of 10,000 files (9,500 pipelines using 500 templates nested three deep).
Columns, each the best of a few runs:
- `floor`: a Python loop over the C parser's events (`bench_lint.floor`: each event made a Python object
  and dropped; `CParser.raw_parse`, which counts them in C, is about 20x below that and below anything a
  Python program can do with YAML);
- `compose`: ruamel.yaml's C compose (`YAML(typ="safe", pure=False).compose_all`);
- `barrier-lint`: `lint()` (parse, model, every rule), in process;
- `yamllint`: `yamllint.linter.run` with its default configuration, in process;
- `check-jsonschema`: the command with Harness's schema (../shared/peers/harness-schema/pipeline.json),
  one process over all the row's files, so its start-up (about 0.3 s) is included.
yamllint runs up to 150k lines and check-jsonschema up to 15k lines; larger rows show their time
estimated from the tools' rate on the rows before, marked `~`. For the repository, the `barrier-lint`
command itself: cold (no cache, one process), then cached (the second run of an unchanged tree: the best
of at least five, since one run of under a second is at the mercy of whatever else runs), then
`--jobs 2` cold; `cached / cold` compares both wall and CPU time. Times are wall seconds; for the commands
the user CPU seconds of all their processes are printed too (on a machine shared with other work, wall
time overstates and CPU time is the honest figure).

yamllint and check-jsonschema come from the `bench` extra: `pip install -e '.[bench]'`. A column whose tool
is missing prints `-`.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from bench_lint import best_of as best  # noqa: E402
from bench_lint import floor  # noqa: E402
from generate import pipeline, template_repository  # noqa: E402

from barrier_lint import lint  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "real"
SCHEMA = ROOT.parent / "shared" / "peers" / "harness-schema" / "pipeline.json"


def compose(texts):
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=False)
    for text in texts:
        list(yaml.compose_all(text))


def barrier_lint(texts):
    for text in texts:
        lint(text)


def yamllint(texts):
    from yamllint import linter
    from yamllint.config import YamlLintConfig

    config = YamlLintConfig("extends: default")
    for text in texts:
        list(linter.run(text, config))


def have(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def command(args, cwd=None) -> tuple[float, float]:
    """Wall and user CPU seconds of a command and every process it waited for."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    return wall, resource.getrusage(resource.RUSAGE_CHILDREN).ru_utime - before


def check_jsonschema(paths) -> float | None:
    tool = shutil.which("check-jsonschema") or str(pathlib.Path(sys.executable).with_name("check-jsonschema"))
    if not os.path.exists(tool) or not SCHEMA.is_file():
        return None
    return command([tool, "--schemafile", str(SCHEMA), *map(str, paths)])[0]


def fmt(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds:.3f}"


# Seconds per line of the slow tools, from the rows where they ran: a row too large to run them on in a
# bench of a few minutes shows the estimate, marked "~".
RATE: dict[str, float] = {}
SLOW_LIMIT = {"yamllint": 150_000, "check-jsonschema": 15_000}


def slow(tool: str, lines: int, fn) -> str:
    if lines > SLOW_LIMIT[tool]:
        return f"~{RATE[tool] * lines:.0f} (est.)" if tool in RATE else "-"
    seconds = fn()
    if seconds is None:
        return "-"
    RATE[tool] = seconds / lines
    return fmt(seconds)


def text_row(name: str, paths: list[pathlib.Path], repeat: int) -> list[str]:
    texts = [p.read_text(encoding="utf-8-sig") for p in paths]
    lines = sum(t.count("\n") for t in texts)
    cells = [name, f"{lines:,}", fmt(best(lambda: floor(texts), repeat)), fmt(best(lambda: compose(texts), repeat)),
             fmt(best(lambda: barrier_lint(texts), repeat))]
    cells.append(slow("yamllint", lines, lambda: best(lambda: yamllint(texts), 1) if have("yamllint") else None))
    cells.append(slow("check-jsonschema", lines, lambda: check_jsonschema(paths)))
    return cells


def repository_rows(files: int, repeat: int) -> list[list[str]]:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        templates = max(1, files // 20)
        template_repository(folder, files - templates, templates)
        subprocess.run(["git", "init", "-q", folder], check=True)
        paths = sorted(pathlib.Path(folder).rglob("*.yaml"))
        lines = sum(p.read_text().count("\n") for p in paths)
        cli = [sys.executable, "-m", "barrier_lint", "-q", "--exit-zero"]
        cache = pathlib.Path(folder) / ".barrier-lint-cache"

        def cold(jobs: int):
            shutil.rmtree(cache, ignore_errors=True)
            return command([*cli, f"--jobs={jobs}", "."], cwd=folder)

        def cached():
            return command([*cli, "--jobs=1", "."], cwd=folder)

        def best_of(fn):
            runs = [fn() for _ in range(repeat)]
            return min(runs)

        one = best_of(lambda: cold(1))
        cold(1)  # leaves a warm cache
        warm = min(cached() for _ in range(max(5, repeat)))
        two = best_of(lambda: cold(2))
        label = f"repo {len(paths):,} files"
        rows.append([f"{label}, cold --jobs 1", f"{lines:,}", "", "", f"{one[0]:.2f} ({one[1]:.2f} cpu)", "", ""])
        rows.append([f"{label}, cached", f"{lines:,}", "", "", f"{warm[0]:.2f} ({warm[1]:.2f} cpu)", "", ""])
        rows.append([f"{label}, cold --jobs 2", f"{lines:,}", "", "", f"{two[0]:.2f} ({two[1]:.2f} cpu)", "", ""])
        rows.append(["  cached / cold", "", "", "", f"{warm[0] / one[0]:.1%} ({warm[1] / one[1]:.1%} cpu)", "", ""])
        rows.append(["  --jobs 2 speed-up", "", "", "", f"x{one[0] / two[0]:.2f} wall", "", ""])
        texts = [p.read_text() for p in paths]
        rows.append([f"{label}, in process", f"{lines:,}", fmt(best(lambda: floor(texts), 1)),
                     fmt(best(lambda: compose(texts), 1)), fmt(best(lambda: barrier_lint(texts), 1)),
                     slow("yamllint", lines, lambda: best(lambda: yamllint(texts), 1) if have("yamllint") else None),
                     slow("check-jsonschema", lines, lambda: check_jsonschema(paths))])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller inputs (1k and 10k lines, 1,000 files)")
    parser.add_argument("--files", type=int, default=None, help="files in the generated repository (10,000)")
    args = parser.parse_args()
    sizes = (1_000, 10_000) if args.quick else (1_000, 10_000, 100_000)
    files = args.files or (1_000 if args.quick else 10_000)
    header = ["input", "lines", "floor", "compose", "barrier-lint", "yamllint", "check-jsonschema"]
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            path = pathlib.Path(folder) / f"generated_{size}.yaml"
            path.write_text(pipeline(size), encoding="utf-8")
            rows.append(text_row(f"generated {size // 1000}k", [path], 3 if size < 100_000 else 1))
            print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    if CORPUS.is_dir():
        rows.append(text_row(f"corpus ({len(list(CORPUS.glob('*.y*ml')))} files)", sorted(CORPUS.glob("*.y*ml")), 3))
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    rows += repository_rows(files, 1 if not args.quick else 2)
    load = os.getloadavg()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} cores, load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}; Python {sys.version.split()[0]}; seconds (wall)\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
