"""`barrier-lint-server`: the language server over stdio (default) or TCP."""

from __future__ import annotations

import argparse
import logging
import sys


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
    args = parser.parse_args(argv)

    logging.basicConfig(stream=sys.stderr, level=getattr(logging, args.log_level.upper(), logging.WARNING))
    from .server import create_server

    server = create_server(debounce_ms=args.debounce_ms)
    if args.tcp:
        host, sep, port = args.tcp.rpartition(":")
        if not sep or not port.isdigit():
            parser.error("--tcp takes HOST:PORT, e.g. 127.0.0.1:2087")
        return server.start_tcp(host or "127.0.0.1", int(port))
    return server.start_io()


if __name__ == "__main__":
    sys.exit(main())
