"""How each path of issue 13's table grows: run by hand, `python bench/bench_scale.py [CASE ...]`.

Every case builds its input at a size n, then 2n, 4n, ...; it prints the time at each size and the growth
from the size before (target: at most x2.2 per doubling, linear being x2). Each size prints the process CPU
time (`time.process_time`) and the wall time of the run with the least CPU time, of a few runs; the growth
is the CPU time's: on a machine loaded by other work, CPU time is the honest figure, wall time is not.
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

from generate import pipeline  # noqa: E402

from barrier_lint import lint  # noqa: E402

TARGET = 2.2


def _head(declared) -> list[str]:
    lines = ["pipeline:", "  name: Scale", "  identifier: scale", "  flowControl:", "    barriers:"]
    for ref in declared:
        lines += [f"      - name: {ref}", f"        identifier: {ref}"]
    return lines


def _stage(sid: str, refs, indent: str = "    ") -> list[str]:
    lines = [
        f"{indent}- stage:",
        f"{indent}    name: {sid}",
        f"{indent}    identifier: {sid}",
        f"{indent}    type: Custom",
        f"{indent}    spec:",
        f"{indent}      execution:",
        f"{indent}        steps:",
    ]
    for i, ref in enumerate(refs):
        lines += [
            f"{indent}          - step:",
            f"{indent}              type: Barrier",
            f"{indent}              name: g{i}",
            f"{indent}              identifier: g{i}",
            f"{indent}              spec:",
            f"{indent}                barrierRef: {ref}",
            f"{indent}              timeout: 10m",
        ]
    return lines


def crossed(n: int) -> str:
    """Two parallel stages reaching n barriers in opposite orders: one cycle through all of them."""
    refs = [f"b{i}" for i in range(n)]
    lines = _head(refs) + ["  stages:", "    - parallel:"]
    lines += _stage("a", refs, "        ") + _stage("b", list(reversed(refs)), "        ")
    return "\n".join(lines) + "\n"


def sequential(n: int) -> str:
    """Two stages one after the other, each reaching n different barriers (every barrier of the first is
    passed before every one of the second: n * n facts, if each were an edge)."""
    first = [f"a{i}" for i in range(n)]
    second = [f"b{i}" for i in range(n)]
    lines = _head(first + second) + ["  stages:"]
    lines += _stage("a", first) + _stage("b", second)
    return "\n".join(lines) + "\n"


def typos(n: int) -> str:
    """n declarations and 2n references to misspelt barriers (BL101 suggests the closest)."""
    declared = [f"deploy_region_{i:05d}" for i in range(n)]
    refs = [f"deploy_regoin_{i:05d}" for i in range(n)] + [f"dep1oy_region_{i:05d}x" for i in range(n)]
    lines = _head(declared) + ["  stages:", "    - parallel:"]
    lines += _stage("a", refs[:n], "        ") + _stage("b", refs[n:], "        ")
    return "\n".join(lines) + "\n"


def suppressed(n: int) -> str:
    """About n suppression comments: Barrier steps whose every line carries one (on the barrierRef line
    one that is used, on the others one that suppresses nothing: BL901)."""
    refs = [f"b{i}" for i in range(n // 7 + 1)]
    lines = _head([]) + ["  stages:"] + _stage("a", refs)
    out = []
    for line in lines:
        if "barrierRef:" in line:
            line += "  # barrier-lint: disable=BL101"
        elif line.startswith("              "):
            line += "  # barrier-lint: disable=BL202"
        out.append(line)
    return "\n".join(out) + "\n"


def parallel_stages(n: int) -> str:
    """n stages in one parallel block, each with two Barrier steps of a few shared barriers."""
    refs = [f"b{i}" for i in range(8)]
    lines = _head(refs) + ["  stages:", "    - parallel:"]
    for s in range(n):
        lines += _stage(f"s{s}", [refs[s % 8], refs[(s + 1) % 8]], "        ")
    return "\n".join(lines) + "\n"


def dag_stages(n: int) -> str:
    """n stages, each `dependsOn` the one before, each with two Barrier steps of a few shared barriers."""
    refs = [f"b{i}" for i in range(8)]
    lines = _head(refs) + ["  stages:"]
    for s in range(n):
        stage = _stage(f"s{s}", [refs[s % 8], refs[(s + 1) % 8]])
        lines += stage[:3] + [f"        dependsOn: [s{s - 1}]" if s else "        dependsOn: []"] + stage[3:]
    return "\n".join(lines) + "\n"


def _dag_stage(sid: str, depends_on: list[str], refs) -> list[str]:
    stage = _stage(sid, refs)
    return stage[:3] + [f"        dependsOn: [{', '.join(depends_on)}]"] + stage[3:]


def dag_wide(n: int) -> str:
    """A root and n stages that each `dependsOn` it, the root and each stage with two Barrier steps of a
    few shared barriers, every other stage taking them in the other order: BL203 for each stage (the root
    uses its barriers first) and crossed orders between the stages (BL205)."""
    refs = [f"b{i}" for i in range(8)]
    lines = _head(refs + ["x", "y"]) + ["  stages:"] + _dag_stage("root", [], refs[:2])
    for s in range(n):
        pair = ["x", "y"] if s % 2 else ["y", "x"]
        lines += _dag_stage(f"s{s}", ["root"], [refs[s % 8], pair[0], pair[1]] if s % 4 < 2 else pair)
    return "\n".join(lines) + "\n"


def dag_lattice(n: int) -> str:
    """n stages in rows of four, each stage `dependsOn` the two nearest of the row before (diamonds), two
    or three Barrier steps each: a few barriers shared down the rows (BL203), and two barriers of each
    row's own crossed between its stages (BL205: a group per row, n / 4 of them)."""
    refs = [f"b{i}" for i in range(8)]
    rows = (n + 3) // 4
    lines = _head(refs + [f"{r}{row}" for row in range(rows) for r in "xy"]) + ["  stages:"]
    for s in range(n):
        row, col = divmod(s, 4)
        deps = [f"s{(row - 1) * 4 + c}" for c in (col, (col + 1) % 4)] if row else []
        pair = [f"x{row}", f"y{row}"] if col % 2 else [f"y{row}", f"x{row}"]
        lines += _dag_stage(f"s{s}", deps, [refs[s % 8], *pair] if row % 2 else pair)
    return "\n".join(lines) + "\n"


def dag_mixed(n: int) -> str:
    """n / 2 stages without `dependsOn`, then n / 2 DAG stages, each with one Barrier step of its own
    barrier and one shared (the stages with and without `dependsOn` ordered by the paths)."""
    refs = [f"u{i}" for i in range(n)]
    lines = _head([*refs, "b0"]) + ["  stages:"]
    for s in range(n // 2):
        lines += _stage(f"p{s}", [refs[s]])
    for s in range(n // 2, n):
        lines += _dag_stage(f"s{s}", [], [refs[s], "b0"])
    return "\n".join(lines) + "\n"


def dag_cycles(n: int) -> str:
    """n stages in n / 2 `dependsOn` cycles of two (BL209), a Barrier step of one shared barrier each."""
    lines = _head(["b0"]) + ["  stages:"]
    for s in range(0, n, 2):
        lines += _dag_stage(f"s{s}", [f"s{s + 1}"], ["b0"]) + _dag_stage(f"s{s + 1}", [f"s{s}"], ["b0"])
    return "\n".join(lines) + "\n"


def lines_pipeline(n: int) -> str:
    return pipeline(n)


def tree_with_gitignores(root: str, n: int) -> str:
    """n folders, each with its own `.gitignore` and two YAML files (one of them ignored)."""
    top = os.path.join(root, f"walk{n}")
    os.makedirs(os.path.join(top, ".git"))
    for i in range(n):
        folder = os.path.join(top, f"d{i // 50}", f"f{i}")
        os.makedirs(folder)
        with open(os.path.join(folder, ".gitignore"), "w") as handle:
            handle.write("ignored.yaml\n*.tmp.yaml\n")
        for name in ("kept.yaml", "ignored.yaml"):
            with open(os.path.join(folder, name), "w") as handle:
                handle.write("a: 1\n")
    return top


def tree_with_configs(root: str, n: int) -> str:
    """n folders of two files each, a configuration file in every tenth folder."""
    top = os.path.join(root, f"conf{n}")
    for i in range(n):
        folder = os.path.join(top, f"d{i // 10}", f"f{i}")
        os.makedirs(folder)
        if i % 10 == 0:
            with open(os.path.join(folder, ".barrier-lint.toml"), "w") as handle:
                handle.write('ignore = ["BL105"]\n')
        for name in ("a.yaml", "b.yaml"):
            with open(os.path.join(folder, name), "w") as handle:
                handle.write("a: 1\n")
    return top


def best(fn, repeat: int) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of the run with the least CPU time."""
    times = []
    for _ in range(repeat):
        cpu, wall = time.process_time(), time.perf_counter()
        fn()
        times.append((time.process_time() - cpu, time.perf_counter() - wall))
    return min(times)


def run_text_case(make, n: int, repeat: int):
    from barrier_lint.parse import collector_paused

    text = make(n)
    with collector_paused():  # as the command runs: the collector's passes over a growing heap are not ours
        return best(lambda: lint(text), repeat)


def run_walk(n: int, repeat: int, tmp: str):
    from barrier_lint.discovery import discover

    top = tree_with_gitignores(tmp, n)
    return best(lambda: list(discover([top])), repeat)


def run_configs(n: int, repeat: int, tmp: str):
    from barrier_lint.cli import Configs
    from barrier_lint.discovery import Target, discover

    top = tree_with_configs(tmp, n)

    def go():
        configs = Configs(None, None, frozenset())
        for target in discover([top], configs.excluded):
            if isinstance(target, Target):
                configs.for_file(target.path)

    return best(go, repeat)


def text_case(make, once: bool = False):
    """The runner of a case that lints the text `make(n)` (once, for the largest inputs)."""
    return lambda n, repeat, tmp: run_text_case(make, n, 1 if once else repeat)


STAGES = (1250, 2500, 5000, 10_000)

# name -> (what it measures, sizes, runner(n, repeat, tmp))
CASES = {
    "walk": ("directory walk, one .gitignore per folder (folders)", (500, 1000, 2000, 4000),
             lambda n, r, tmp: run_walk(n, r, tmp)),
    "config": ("configuration lookup for every file of a walk (folders)", (500, 1000, 2000, 4000),
               lambda n, r, tmp: run_configs(n, r, tmp)),
    "crossed": ("BL205, n barriers crossed between two parallel stages", (400, 800, 1600, 3200), text_case(crossed)),
    "sequential": ("BL203/BL205 facts, n barriers in each of two sequential stages", (500, 1000, 2000, 4000),
                   text_case(sequential)),
    "typos": ("BL101, n declarations and 2n misspelt references", (200, 400, 800, 1600), text_case(typos)),
    "suppression": ("suppression filter, n comments", (2000, 4000, 8000, 16000), text_case(suppressed)),
    "suppression-200k": ("200,000 suppression comments (n comments)", (25_000, 50_000, 100_000, 200_000),
                         text_case(suppressed, once=True)),
    "parallel": ("n stages in one parallel block", STAGES, text_case(parallel_stages, once=True)),
    "dag": ("n stages in a chain of dependsOn", STAGES, text_case(dag_stages)),
    "dag-wide": ("n stages that each dependsOn one root, crossing two barriers", STAGES, text_case(dag_wide)),
    "dag-lattice": ("n stages in rows of four, each dependsOn two of the row before", STAGES, text_case(dag_lattice)),
    "dag-mixed": ("n / 2 stages without dependsOn, then n / 2 DAG stages, n barriers", STAGES, text_case(dag_mixed)),
    "dag-cycles": ("n stages in n / 2 dependsOn cycles of two (BL209)", STAGES, text_case(dag_cycles)),
    "lines": ("one pipeline of n lines (parse, model, rules)", (125_000, 250_000, 500_000),
              text_case(lines_pipeline, once=True)),
}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    # (no `choices=`: argparse checks an empty `*` list against them, and refuses it)
    parser.add_argument("cases", nargs="*", metavar="CASE", help=f"the cases to run (default: all): {', '.join(CASES)}")
    chosen = parser.parse_args(argv).cases or list(CASES)
    unknown = [name for name in chosen if name not in CASES]
    if unknown:
        parser.error(f"unknown case {unknown[0]!r} (choose from {', '.join(CASES)})")
    worst = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            what, sizes, runner = CASES[name]
            print(f"{name}: {what}")
            previous = None
            growths = []
            for n in sizes:
                seconds, wall = runner(n, 3, tmp)
                growth = seconds / previous if previous else None
                if growth is not None:
                    growths.append(growth)
                print(
                    f"  n={n:>9,}  CPU {seconds:8.3f} s  wall {wall:8.3f} s" + (f"  x{growth:.2f}" if growth is not None else ""),
                    flush=True,
                )
                previous = max(seconds, 1e-4)
            worst[name] = max(growths) if growths else None
    print("\nworst growth per doubling (target x%.1f):" % TARGET)
    for name, growth in worst.items():
        mark = "ok" if growth is not None and growth <= TARGET else "OVER"
        print(f"  {name:<18} x{growth:.2f}  {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
