"""The `barrier-lint-server` command: --help, and the TCP transport (stdio is what every other test uses)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def frame(message: dict) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(sock: socket.socket) -> dict:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(4096)
    header, _, rest = data.partition(b"\r\n\r\n")
    length = int(next(line for line in header.split(b"\r\n") if line.lower().startswith(b"content-length")).split(b":")[1])
    while len(rest) < length:
        rest += sock.recv(4096)
    return json.loads(rest[:length])


def test_help_names_the_transports():
    result = subprocess.run([sys.executable, "-m", "barrier_lint_server", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "--tcp HOST:PORT" in result.stdout and "--debounce-ms MS" in result.stdout


def test_bad_tcp_address_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "barrier_lint_server", "--tcp", "nowhere"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "--tcp takes HOST:PORT" in result.stderr


def test_tcp_initialize_and_diagnostics():
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "barrier_lint_server", "--tcp", f"127.0.0.1:{port}"])
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the TCP server did not start listening")
                time.sleep(0.05)  # polling for the port to open, not waiting for a result
        with sock:
            sock.sendall(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
            reply = read_message(sock)
            assert reply["id"] == 1
            assert reply["result"]["serverInfo"]["name"] == "barrier-lint"
            capabilities = reply["result"]["capabilities"]
            assert capabilities["completionProvider"]["triggerCharacters"] == [":", " ", '"', "'"]
            assert capabilities["codeActionProvider"] == {"codeActionKinds": ["quickfix"]}
            sock.sendall(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
            text = "pipeline:\n  identifier: p\n  stages:\n    - stage: {type: Custom, spec: {execution: {steps: [{step: {type: Barrier, spec: {barrierRef: gate}}}]}}}\n"
            sock.sendall(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
                "textDocument": {"uri": "file:///p.yaml", "languageId": "yaml", "version": 1, "text": text}}}))
            while True:
                message = read_message(sock)
                if message.get("method") == "textDocument/publishDiagnostics":
                    break
            assert [(d["code"], d["range"]["start"]) for d in message["params"]["diagnostics"]] == [
                ("BL101", {"line": 3, "character": 97})
            ]
    finally:
        server.terminate()
        server.wait(timeout=30)
