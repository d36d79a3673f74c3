"""Benchmark the synchronization graph. Run by hand: `python bench/bench_graph.py`.

Budgets (issue 14): `barrier-lint graph` on a 2,000-line pipeline under 0.5 s; the drawing of it in the
VS Code view under 1 s; a 10,000-line pipeline stays usable (clusters without barriers collapse).
The view draws the SVG the server lays out (barrier_lint/graph_layout.py); Mermaid is timed beside it for
comparison (it drew the view before, and still draws the markdown format on GitHub).

For generated pipelines of about 2k and 10k lines (every block with barriers: nothing to collapse, the
worst case), and 10k lines where one block in ten has barriers, it prints:
- the graph's size (clusters, nodes, edges) and the Mermaid text's;
- in process: parse + lint + graph + Mermaid text, best of 5; the layout + SVG (what syncGraph adds for
  the view), best of 5, wall and CPU;
- `barrier-lint graph FILE`, the whole command from a cold interpreter, best of 3, wall and CPU;
- in Chromium (when .ci/setup-graph.sh has installed playwright-core and mermaid): the view's part,
  inserting that SVG and the browser's layout and paint of it (bench/draw_svg.js), and for comparison
  Mermaid's drawing of the Mermaid text (tests/graph/render_mermaid.js, after a warm-up drawing), each
  wall and the page's CPU.
"""

from __future__ import annotations

import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from bench_lint import best_of  # noqa: E402
from generate import pipeline  # noqa: E402

from barrier_lint.graph import graph_of  # noqa: E402
from barrier_lint.graph_layout import to_svg  # noqa: E402
from barrier_lint.graph_render import to_mermaid  # noqa: E402
from barrier_lint.linter import lint_parsed  # noqa: E402
from barrier_lint.parse import parse  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
CACHE = pathlib.Path(os.environ.get("BARRIER_LINT_CI_CACHE", pathlib.Path.home() / ".cache" / "barrier-lint-ci"))
GRAPH_TOOLS = CACHE / "graph"
RENDER = ROOT / "tests" / "graph" / "render_mermaid.js"
DRAW_SVG = ROOT / "bench" / "draw_svg.js"

CASES = [
    ("2k lines, barriers in every block", pipeline(2000)),
    ("10k lines, barriers in every block", pipeline(10000)),
    ("10k lines, barriers in 1 block of 10", pipeline(10000, barrier_every=10)),
]


def in_process(text: str) -> tuple[dict, str]:
    parsed = parse(text)
    graph = graph_of(parsed, lint_parsed(parsed))
    return graph, to_mermaid(graph)


def svg_times(graph: dict, repeat: int = 5) -> tuple[float, float]:
    """Best wall and best CPU time of laying the graph out and writing its SVG."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        to_svg(graph)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def command_times(path: pathlib.Path, out: pathlib.Path, repeat: int = 3) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system) of `barrier-lint graph PATH` from a cold interpreter.
    The CPU time does not grow when other work shares the machine; the wall time does."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "barrier_lint", "graph", str(path), "-o", str(out)], check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> None:
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-graph-"))
    drawings = []
    warm_up = work / "warm-up.mmd"
    warm_up.write_text("flowchart TB\n  a --> b\n")
    print(f"{'case':<40} {'lines':>6} {'stages':>6} {'clusters':>8} {'nodes':>6} {'edges':>6} {'mermaid':>8} "
          f"{'graph()':>8} {'svg':>7} {'svg cpu':>7} {'command':>8} {'cmd cpu':>8}")
    for index, (name, text) in enumerate(CASES):
        path = work / f"case{index}.yaml"
        path.write_text(text)
        graph, mermaid = in_process(text)
        inner = best_of(lambda text=text: in_process(text), 5)
        svg_wall, svg_cpu = svg_times(graph)
        command, cpu = command_times(path, work / "out.mmd")
        drawing = work / f"case{index}.mmd"
        drawing.write_text(mermaid)
        drawings.append(str(drawing))
        (work / f"case{index}.svg").write_text(to_svg(graph))
        stages = len(parse(text).documents[0].pipeline.stages)
        print(f"{name:<40} {text.count(chr(10)):>6} {stages:>6} {len(graph['clusters']):>8} {len(graph['nodes']):>6} "
              f"{len(graph['edges']):>6} {len(mermaid) // 1024:>6}kB {inner:>7.3f}s {svg_wall:>6.3f}s {svg_cpu:>6.3f}s "
              f"{command:>7.3f}s {cpu:>7.3f}s")
    if not (GRAPH_TOOLS / "node_modules" / "mermaid").exists():
        print(f"(no mermaid under {GRAPH_TOOLS}: run .ci/setup-graph.sh for the drawing times)")
        return
    svgs = [str(work / f"case{index}.svg") for index in range(len(CASES))]
    result = subprocess.run(["node", str(DRAW_SVG), "--modules", str(GRAPH_TOOLS), svgs[0], *svgs],
                            capture_output=True, text=True, check=True, timeout=600)
    inserted = [json.loads(line) for line in result.stdout.splitlines()][1:]  # the first one warms up
    print("\nThe view's part in Chromium (insert the SVG; style, layout, paint), after a warm-up drawing:")
    for (name, _), out in zip(CASES, inserted):
        print(f"  {name:<40} {out['ms']:.0f} ms wall, {out['cpu_ms']:.0f} ms CPU")
    result = subprocess.run(["node", str(RENDER), "--modules", str(GRAPH_TOOLS), str(warm_up), *drawings],
                            capture_output=True, text=True, check=True, timeout=600)
    rendered = [json.loads(line) for line in result.stdout.splitlines()][1:]
    print("\nMermaid drawing in Chromium (mermaid.render: parse, layout, SVG), after a warm-up drawing:")
    for (name, _), out in zip(CASES, rendered):
        shown = f"{out['ms']:.0f} ms wall, {out['cpu_ms']:.0f} ms CPU" if out["ok"] else f"failed: {out['error']}"
        print(f"  {name:<40} {shown}")


if __name__ == "__main__":
    main()
