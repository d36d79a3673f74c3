"""A raw JSON-RPC client for the language server that is not pygls: a subprocess, and frames written and
read byte by byte here, so a test can send what no well-behaved client would (a wrong Content-Length,
malformed JSON, binary) and see exactly what comes back."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from typing import Any

WAIT = 30.0  # seconds; an answer that takes longer has failed


def frame(message: Any, length: int | str | None = None) -> bytes:
    """`message` (bytes, str, or a JSON value) framed with its Content-Length, or with `length` instead."""
    if isinstance(message, bytes):
        body = message
    elif isinstance(message, str):
        body = message.encode()
    else:
        body = json.dumps(message).encode()
    declared = len(body) if length is None else length
    return f"Content-Length: {declared}\r\n\r\n".encode() + body


class RawServer:
    """`barrier-lint-server` in a subprocess, spoken to in raw bytes."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "barrier_lint_server", *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )
        self.inbox: queue.Queue[dict | None] = queue.Queue()
        self.notifications: list[dict] = []
        self.responses: dict[Any, dict] = {}
        self.next_id = 0
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    # -- wire ---------------------------------------------------------------------------------------------

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        try:
            while True:
                length = None
                while True:
                    line = stream.readline()
                    if not line:
                        return
                    if line == b"\r\n":
                        break
                    name, _, value = line.decode("ascii").partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value.strip())
                assert length is not None, "the server sent a frame without Content-Length"
                body = stream.read(length)
                self.inbox.put(json.loads(body))
        finally:
            self.inbox.put(None)

    def write(self, data: bytes) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: Any) -> None:
        self.write(frame(message))

    def _pump(self, deadline: float) -> bool:
        """Take one message from the server into `responses`/`notifications`; False at end of stream."""
        try:
            message = self.inbox.get(timeout=max(deadline - time.monotonic(), 0.01))
        except queue.Empty:
            return True
        if message is None:
            return False
        if "method" in message:
            self.notifications.append(message)
            if "id" in message:  # a request from the server (workspace/configuration, ...): answer null
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})
        else:
            self.responses[message.get("id")] = message
        return True

    # -- requests -----------------------------------------------------------------------------------------

    def request_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def wait_response(self, msg_id: Any, timeout: float = WAIT) -> dict:
        deadline = time.monotonic() + timeout
        while msg_id not in self.responses:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer to request {msg_id!r} within {timeout}s")
            if not self._pump(deadline):
                raise EOFError(f"the server closed its output before answering {msg_id!r} (exit {self.process.poll()})")
        return self.responses.pop(msg_id)

    def request(self, method: str, params: Any = None, timeout: float = WAIT) -> dict:
        """Send a request and return the whole response message (with `result` or `error`)."""
        msg_id = self.request_id()
        message = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self.wait_response(msg_id, timeout)

    def notify(self, method: str, params: Any = None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def wait_notification(self, predicate, timeout: float = WAIT) -> dict:
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for message in self.notifications[seen:]:
                if predicate(message):
                    return message
            seen = len(self.notifications)
            if time.monotonic() > deadline:
                raise TimeoutError("no matching notification")
            if not self._pump(deadline):
                raise EOFError("the server closed its output")

    def diagnostics(self, uri: str, version: int, timeout: float = WAIT) -> list[dict]:
        found = self.wait_notification(
            lambda m: m["method"] == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri and m["params"].get("version") == version,
            timeout,
        )
        return found["params"]["diagnostics"]

    # -- lifecycle ----------------------------------------------------------------------------------------

    def initialize(self, encoding: str = "utf-16", **options) -> dict:
        capabilities = {"general": {"positionEncodings": [encoding]}}
        response = self.request("initialize", {"processId": None, "rootUri": None, "capabilities": capabilities, **options})
        self.notify("initialized", {})
        return response

    def open(self, uri: str, text: str, version: int = 1, timeout: float = WAIT) -> list[dict]:
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": version, "text": text}})
        return self.diagnostics(uri, version, timeout)

    def rss_kb(self) -> int:
        """The server's resident memory (VmRSS), in kB."""
        with open(f"/proc/{self.process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise RuntimeError("no VmRSS")

    def alive(self) -> bool:
        return self.process.poll() is None

    def wait_exit(self, timeout: float = WAIT) -> int:
        return self.process.wait(timeout)

    def close(self) -> None:
        """Close stdin (the server's end of stream) and wait; kill a server that does not end."""
        try:
            self.process.stdin.close()  # type: ignore[union-attr]
        except OSError:
            pass  # already closed by a server that exited
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        if self.process.stdout is not None:
            self.process.stdout.close()


__all__ = ["RawServer", "frame"]
