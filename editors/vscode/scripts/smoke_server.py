"""Start a barrier-lint language server command and check that it answers LSP initialize and shuts down.

Usage: python smoke_server.py COMMAND... (e.g. python3 -S -m barrier_lint_server). Exit status 0 on success.
"""
import json
import subprocess
import sys


def send(proc, message):
    body = json.dumps(message).encode()
    proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    proc.stdin.flush()


def receive(proc):
    length = None
    while True:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("server closed its output before answering")
        if line in (b"\r\n", b"\n"):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(proc.stdout.read(length))


def main(command):
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        send(proc, {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}}})
        while True:
            message = receive(proc)
            if message.get("id") == 1:
                break
        if "result" not in message or "capabilities" not in message["result"]:
            raise SystemExit(f"bad initialize answer: {message}")
        send(proc, {"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send(proc, {"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
        while receive(proc).get("id") != 2:
            pass
        send(proc, {"jsonrpc": "2.0", "method": "exit"})
        proc.stdin.close()
        code = proc.wait(timeout=10)
        if code != 0:
            raise SystemExit(f"server exited with {code} after shutdown/exit")
        print(f"server OK: {message['result'].get('serverInfo', {})}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


if __name__ == "__main__":
    main(sys.argv[1:])
