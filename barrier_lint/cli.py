"""The `barrier-lint` command: an adapter from files to `lint()` and from diagnostics to an output format.

It must not import the language server (or pygls): start-up time matters in pre-commit hooks.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import TextIO

from . import __version__
from .config import Config
from .diagnostics import Diagnostic, Severity
from .discovery import discover
from .linter import lint_parsed, yaml_diagnostic
from .output import FORMATS, FileResult, RenderOptions
from .parse import YamlProblem, decode, parse
from .rules import ALL_RULES, find_rule

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MAX_FILE_BYTES = 64 * 1024 * 1024

DESCRIPTION = """\
Find barrier mistakes in Harness pipeline YAML: undeclared or misspelt barriers, expressions in
barrierRef, barriers that can never meet (sequential stages, rollback reuse, crossed orders, loops with
maxConcurrency, sequential multi-service deployments) and barriers that synchronize nothing.

PATH may be a file, a directory (searched recursively for .yaml/.yml files; YAML that is not Harness
YAML is skipped) or - for standard input."""

EPILOG = """\
exit status: 0 no error-level finding, 1 error-level findings, 2 usage or I/O error.

more:
  barrier-lint rule BL203     explain a rule (code or name)
  barrier-lint rule --all     list every rule"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="barrier-lint",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to lint (default: .)")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="output format (default: text)")
    parser.add_argument("--select", metavar="RULES", help="only these rules: comma-separated codes, names or code prefixes (BL2)")
    parser.add_argument("--ignore", metavar="RULES", help="skip these rules: comma-separated codes, names or code prefixes")
    parser.add_argument("--stdin-filename", metavar="NAME", help="the name to report for - (standard input)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary line")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour output (default: auto, on a terminal only)")
    parser.add_argument("--version", action="version", version=f"barrier-lint {__version__}")
    return parser


def _selectors(value: str | None, parser: argparse.ArgumentParser, option: str) -> frozenset[str]:
    if not value:
        return frozenset()
    items = frozenset(v.strip() for v in value.split(",") if v.strip())
    for item in items:
        if find_rule(item) is None and not any(rule.code.startswith(item.upper()) for rule in ALL_RULES):
            parser.error(f"{option}: unknown rule '{item}' (see `barrier-lint rule --all`)")
    return items


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["rule"]:
        return rule_command(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    config = Config(
        select=_selectors(args.select, parser, "--select") or None,
        ignore=_selectors(args.ignore, parser, "--ignore"),
    )
    color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty() and "NO_COLOR" not in os.environ)
    results, io_errors, checked = lint_paths(args.paths or ["."], config, args.stdin_filename)
    FORMATS[args.format](results, sys.stdout, RenderOptions(color=color, quiet=args.quiet, files_checked=checked))
    for message in io_errors:
        print(f"barrier-lint: {message}", file=sys.stderr)
    if io_errors:
        return EXIT_USAGE
    has_errors = any(d.severity is Severity.ERROR for r in results for d in r.diagnostics)
    return EXIT_FINDINGS if has_errors else EXIT_OK


def lint_paths(paths: list[str], config: Config, stdin_filename: str | None) -> tuple[list[FileResult], list[str], int]:
    results: list[FileResult] = []
    errors: list[str] = []
    checked = 0
    for target in _targets(paths):
        if isinstance(target, OSError):
            errors.append(f"cannot read {target.filename}: {target.strerror}")
            continue
        if target == "-":
            data, display, explicit = sys.stdin.buffer.read(), stdin_filename or "-", True
        else:
            display, explicit = target.path, target.explicit
            try:
                if os.path.getsize(target.path) > MAX_FILE_BYTES:
                    problem = YamlProblem(_first_char(), f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB; barrier-lint does not read files this large")
                    results.append(FileResult(display, [yaml_diagnostic(problem, config)]))
                    checked += 1
                    continue
                with open(target.path, "rb") as handle:
                    data = handle.read()
            except OSError as exc:
                errors.append(f"cannot read {target.path}: {exc.strerror or exc}")
                continue
        checked += 1
        results.append(FileResult(display, lint_bytes(data, config, explicit), ""))
    return results, errors, checked


def _targets(paths: list[str]):
    for path in paths:
        if path == "-":
            yield "-"
        else:
            yield from discover([path])


def _first_char():
    from .model import Span

    return Span(0, 0, 0, 1)


def lint_bytes(data: bytes, config: Config, explicit: bool) -> list[Diagnostic]:
    text, problem = decode(data)
    if problem is not None:
        # Bytes that are not UTF-8 are only worth a finding when the user named the file.
        return [yaml_diagnostic(problem, config)] if explicit and config.enabled("BL000", "invalid-yaml") else []
    return lint_parsed(parse(text), config, assume_harness=explicit)


def rule_command(argv: list[str], out: TextIO | None = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="barrier-lint rule", description="Explain a rule, or list them all.")
    parser.add_argument("rule", nargs="?", help="a rule code (BL203) or name (sequential-barrier-participants)")
    parser.add_argument("--all", action="store_true", help="list every rule with its code, name and default severity")
    args = parser.parse_args(argv)
    if args.all or not args.rule:
        for rule in ALL_RULES:
            out.write(f"{rule.code}  {rule.name:<34} {rule.severity.value:<8} {rule.summary()}\n")
        return EXIT_OK
    rule = find_rule(args.rule)
    if rule is None:
        print(f"barrier-lint: unknown rule '{args.rule}' (see `barrier-lint rule --all`)", file=sys.stderr)
        return EXIT_USAGE
    out.write(f"# {rule.name} ({rule.code})\n\nDefault severity: {rule.severity.value}\n\n{rule.documentation()}\n")
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
