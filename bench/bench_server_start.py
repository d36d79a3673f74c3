"""Start-up of barrier-lint-server as an editor sees it, phase by phase (run by hand, not in CI):

    python bench/bench_server_start.py [N]                  # the server importable from this interpreter
    python bench/bench_server_start.py N --libs editors/vscode/bundled/libs   # the .vsix's bundle, python -S

Each of N runs (default 11) starts a new server process and times, in wall time and in the server's own CPU
time (user + system from /proc/PID/stat, 10 ms ticks):
- spawn -> `initialize` answered (the interpreter, the server's imports, the handler),
- `didOpen` of editors/vscode/e2e/workspace/release.yaml (sent right after `initialized`, as VS Code does
  when a file is open) -> its `publishDiagnostics`,
and prints the medians. Then the costliest imports of the server (`python -X importtime`, self time).
The first diagnostics of an editor that starts the server when the workspace opens cost only the second
phase; an editor that starts it with the file costs both (docs/server.md, "Start-up").
"""

from __future__ import annotations

import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
FILE = ROOT / "editors" / "vscode" / "e2e" / "workspace" / "release.yaml"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def send(proc: subprocess.Popen, message: dict) -> None:
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(proc: subprocess.Popen) -> dict:
    length = 0
    while (line := proc.stdout.readline()) not in (b"\r\n", b""):
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    if not length:
        raise SystemExit("the server closed its output")
    return json.loads(proc.stdout.read(length))


def until(proc: subprocess.Popen, done) -> None:
    while True:
        message = receive(proc)
        if message.get("method") == "workspace/configuration":  # answer the settings pull: no settings
            send(proc, {"jsonrpc": "2.0", "id": message["id"], "result": [None] * len(message["params"]["items"])})
        elif "id" in message and "method" in message:  # other requests to the client (registrations)
            send(proc, {"jsonrpc": "2.0", "id": message["id"], "result": None})
        if done(message):
            return


def one_run(command: list[str], env: dict) -> tuple[float, float, float, float]:
    uri = FILE.as_uri()
    folder = FILE.parent.as_uri()
    capabilities = {"workspace": {"configuration": True, "workspaceFolders": True,
                                  "didChangeWatchedFiles": {"dynamicRegistration": True}},
                    "window": {"workDoneProgress": False}}
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env=env, cwd=FILE.parent)
    try:
        send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "processId": os.getpid(), "rootUri": folder, "capabilities": capabilities,
            "workspaceFolders": [{"uri": folder, "name": "workspace"}]}})
        until(proc, lambda m: m.get("id") == 1)
        initialized_wall, initialized_cpu = time.perf_counter() - started, cpu_seconds(proc.pid)
        send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        opened = time.perf_counter()
        send(proc, {"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": 1, "text": FILE.read_text()}}})
        until(proc, lambda m: m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri)
        open_wall, open_cpu = time.perf_counter() - opened, cpu_seconds(proc.pid) - initialized_cpu
        send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        until(proc, lambda m: m.get("id") == 2)
        send(proc, {"jsonrpc": "2.0", "method": "exit"})
        proc.wait(timeout=30)
        return initialized_wall, initialized_cpu, open_wall, open_cpu
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv and argv[0].isdigit() else 11
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "barrier_lint_server"]
    if "--libs" in argv:
        env["PYTHONPATH"] = str(pathlib.Path(argv[argv.index("--libs") + 1]).resolve())
        command[1:1] = ["-S"]
    results = [one_run(command, env) for _ in range(runs)]
    load = os.getloadavg()[0]
    print(f"{' '.join(command)}: {runs} runs, load average {load:.1f}")
    labels = ["spawn -> initialize answered", "didOpen -> publishDiagnostics"]
    for i, label in enumerate(labels):
        wall = statistics.median(r[2 * i] for r in results)
        cpu = statistics.median(r[2 * i + 1] for r in results)
        print(f"  {label:32} wall {wall * 1000:7.0f} ms   server CPU {cpu * 1000:5.0f} ms (median)")
    imports = subprocess.run([*command[:-2], "-X", "importtime", "-c", "import barrier_lint_server.server"],
                             env=env, capture_output=True, text=True, check=False).stderr.splitlines()
    rows = []
    for line in imports:
        parts = line.split("|")
        if len(parts) == 3 and parts[0].split(":")[-1].strip().isdigit():
            rows.append((int(parts[0].split(":")[-1]), int(parts[1]), parts[2].strip()))
    total = max((r[1] for r in rows), default=0)
    print(f"  imports of barrier_lint_server.server: {total / 1000:.0f} ms (importtime, wall); costliest by self time:")
    for own, _, name in sorted(rows, reverse=True)[:8]:
        print(f"    {own / 1000:7.1f} ms  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
