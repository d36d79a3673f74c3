"""The synchronization graph view of the VS Code extension end to end: the built .vsix in code-server,
driven through headless Chromium by editors/vscode/e2e/run-graph-e2e.js (the webview's DOM: the nodes, the
red deadlock edges, hover, click to reveal, redraw while typing, following the active editor, offline under
its Content Security Policy), and the time from the view's request to the drawing (printed with -s).

Needs what .ci/setup-editors.sh installs; skips without it, fails in CI (BARRIER_LINT_REQUIRE_TOOLS=1).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid

import pytest

from .conftest import ROOT, require_tool
from .test_editor_vscode import (
    CHROMIUM,
    CODE_SERVER,
    MARKER,
    NODE24_BIN,
    TOOLS,
    VSCODE,
    VSIX,
    drive,
    fail_with_artifacts,
    newer_than_vsix,
)

SCREENSHOT = ROOT / "test-output" / "vscode-sync-graph.png"


@pytest.mark.timeout(300)
def test_sync_graph_view_in_code_server(tmp_path):
    node = NODE24_BIN / "node"
    require_tool(node.exists() and CODE_SERVER.exists() and (TOOLS / "node_modules" / "playwright-core").exists(),
                 "Node 24, code-server and playwright-core (.ci/setup-editors.sh)")
    require_tool(CHROMIUM.exists(), "Chromium (apt-get install chromium; .ci/setup-editors.sh)")
    rebuild = "cd editors/vscode && npm ci && npm run package"
    require_tool(VSIX.exists(), f"{VSIX.relative_to(ROOT)} ({rebuild})")
    stale = newer_than_vsix()
    require_tool(not stale, f"a {VSIX.name} newer than {', '.join(stale[:3])} ({rebuild})")

    # The 2,000-line pipeline of bench/bench_graph.py, to time the view's drawing of it.
    sys.path.insert(0, str(ROOT / "bench"))
    from generate import pipeline

    big = tmp_path / "big.yaml"
    big.write_text(pipeline(2000))
    run_id = uuid.uuid4().hex
    env = {**os.environ, "PATH": f"{NODE24_BIN}{os.pathsep}{os.environ['PATH']}", MARKER: run_id}
    command = [
        str(node), str(VSCODE / "e2e" / "run-graph-e2e.js"),
        "--code-server", str(CODE_SERVER), "--vsix", str(VSIX), "--playwright", str(TOOLS),
        "--chromium", str(CHROMIUM), "--screenshot", str(tmp_path / "graph.png"), "--work", str(tmp_path / "work"),
        "--big", str(big), "--timeout", "60000",
    ]
    returncode, output, leftovers = drive(command, env, run_id, timeout=240)
    if returncode != 0 or "E2E PASSED" not in output:
        SCREENSHOT.parent.mkdir(exist_ok=True)
        if (tmp_path / "graph.png").exists():
            shutil.copyfile(tmp_path / "graph.png", SCREENSHOT)
        fail_with_artifacts(tmp_path, output, "graph e2e run", SCREENSHOT.with_name("vscode-sync-graph-failure.png"))
    assert not leftovers, f"processes left running after the e2e run: {leftovers}"
    for measure in ("GRAPH_FIRST_DRAW_MS", "GRAPH_REDRAW_MS", "GRAPH_BIG_DRAW_MS", "GRAPH_BIG_REDRAW_MS"):
        assert re.search(rf"^{measure} \d+(\.\d+)?", output, re.MULTILINE), measure
    print("\n".join(line for line in output.splitlines() if line.startswith("GRAPH_")))
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "graph.png", SCREENSHOT)
