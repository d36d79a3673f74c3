"""`barrier-lint-server`: the language server over stdio (default) or TCP."""

from __future__ import annotations

import sys
import time

import argparse
import gc
import logging


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="barrier-lint-server", description="Language server for barriers in Harness pipeline YAML."
    )
    parser.add_argument("--stdio", action="store_true", help="talk over stdin/stdout (the default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    parser.add_argument(
        "--debounce-ms", type=int, default=None, metavar="MS",
        help="pause after the last change before linting (default 200; 0 lints on every change)",
    )
    parser.add_argument("--log-level", default="WARNING", help="logging on stderr (default WARNING)")
    parser.add_argument(
        "--announce", action="store_true",
        help="write 'barrier-lint-server: Python X.Y.Z (executable)' on stderr once the interpreter runs, before "
        "the imports, then how long they took (editors use it to tell a usable Python from one that is not)",
    )
    args = parser.parse_args(argv)

    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level.upper(), logging.WARNING))
    if args.announce:
        sys.stderr.write(f"barrier-lint-server: Python {sys.version.split()[0]} ({sys.executable})\n")
        sys.stderr.flush()
    wall, cpu = time.perf_counter(), time.process_time()
    from .server import create_server

    if args.announce:
        sys.stderr.write(f"barrier-lint-server: imports took {(time.perf_counter() - wall) * 1000:.0f} ms "
                         f"(CPU {(time.process_time() - cpu) * 1000:.0f} ms)\n")
        sys.stderr.flush()

    server = create_server(debounce_ms=args.debounce_ms)
    # What the imports made lives as long as the process: out of the collector's sight, so that its full
    # passes (which an edit's allocations trigger now and then) do not walk them again (35 ms each).
    gc.collect()
    gc.freeze()
    if args.tcp:
        host, sep, port = args.tcp.rpartition(":")
        if not sep or not port.isdigit():
            parser.error("--tcp takes HOST:PORT, e.g. 127.0.0.1:2087")
        return server.start_tcp(host or "127.0.0.1", int(port))
    return server.start_io()


if __name__ == "__main__":
    sys.exit(main())
