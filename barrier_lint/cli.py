"""The `barrier-lint` command: an adapter from files to `lint()` and from diagnostics to output formats.

It must not import the language server (or pygls): start-up time matters in pre-commit hooks.
"""

from __future__ import annotations

import functools
import os
import sys

from . import __version__
from .collector import collector_paused
from .config import Config
from .diagnostics import Diagnostic, Severity
from .model import DocumentKind, Span
from .output import FORMATS, FileResult, RenderOptions
from .output.common import below_cwd, display_name, escape, write_atomically

# The parser, the linter and the rules are imported where they are used: a run whose every file is a cache
# hit needs none of them (docs/performance.md, "Cold start").

# `typing` is for type checkers only (annotations are never evaluated): not imported at start-up.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    import pathlib
    from typing import TextIO

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_CRASH = 0, 1, 2, 3
MAX_FILE_BYTES = 64 * 1024 * 1024
ISSUES_URL = "https://github.com/barrier-lint/barrier-lint/issues"
FAIL_ON = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO, "never": None}
# Formats that quote the source, so the CLI keeps the text of files with findings for them.
QUOTING_FORMATS = frozenset({"full", "sarif", "markdown"})

DESCRIPTION = """\
Find barrier mistakes in Harness pipeline YAML: undeclared or misspelt barriers, expressions in
barrierRef, barriers that can never meet (sequential stages, rollback reuse, crossed orders, loops with
maxConcurrency, sequential multi-service deployments) and barriers that synchronize nothing.

PATH may be a file, a directory (searched recursively for .yaml/.yml files, honouring .gitignore; YAML that
is not Harness YAML is skipped) or - for standard input.

Configuration comes from the nearest .barrier-lint.toml or pyproject.toml [tool.barrier-lint] above each
file, or from --config."""

EPILOG = """\
exit status: 0 nothing at or above --fail-on, 1 findings at or above --fail-on (default: error),
2 usage, configuration or I/O error, 3 internal error (a bug: please report it).

output: --output-format FORMAT goes to standard output, or to --output-file FILE (in any order; - is
standard output); --report FORMAT:FILE writes one more report, and can be repeated
(--output-format github --report sarif:out.sarif --report junit:junit.xml).

more:
  barrier-lint rule BL203       explain a rule (code or name)
  barrier-lint rule --all       list every rule
  barrier-lint ./rule           lint a folder named rule (or: barrier-lint -- rule)
  barrier-lint graph F          draw which stages and steps wait for each other at which barrier
  barrier-lint --show-config F  the configuration that applies to F
  documentation                 https://github.com/barrier-lint/barrier-lint/blob/main/docs/integrations.md
                                (CI, pre-commit, baselines, suppression comments)"""


@functools.cache
def _parser_classes():
    """argparse and this command's classes over it, made on first use: `_fast_arguments` reads most command
    lines without it."""
    import argparse

    class _Once(argparse.Action):
        """An option that takes one value: giving it twice is a usage error, not a silent override, because
        the old `--format`/`--output` pairs meant something else when repeated."""

        def __call__(self, parser, namespace, value, option_string=None):
            given = getattr(namespace, "_given", {})
            namespace._given = given
            if self.dest in given:
                hint = "; write more reports with --report FORMAT:FILE" if self.dest in ("output_format", "output_file") else ""
                parser.error(f"{option_string} given twice (also as {given[self.dest]}){hint}")
            given[self.dest] = option_string
            setattr(namespace, self.dest, value)

    class _Formatter(argparse.RawDescriptionHelpFormatter):
        """argparse makes a help formatter for every option it adds (to check its metavar), and the default
        one asks `shutil` (which imports zlib, bz2 and lzma) for the terminal's width, which only help text
        uses: this one finds the width as `shutil.get_terminal_size` does, without the import."""

        def __init__(self, prog, indent_increment=2, max_help_position=24, width=None):
            super().__init__(prog, indent_increment, max_help_position, _terminal_columns() - 2 if width is None else width)

    class _Parser(argparse.ArgumentParser):
        """Usage errors in one line, as ruff prints them, instead of the whole usage block."""

        def error(self, message: str):
            self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n(see `{self.prog} --help`)\n")

    return _Once, _Formatter, _Parser


def _report(value: str) -> tuple[str, str]:
    from argparse import ArgumentTypeError

    fmt, sep, path = value.partition(":")
    if not sep or not path:
        raise ArgumentTypeError(f"'{value}' is not FORMAT:FILE (e.g. sarif:barrier-lint.sarif)")
    if fmt not in FORMATS:
        raise ArgumentTypeError(f"unknown format '{fmt}'{_did_you_mean(fmt, FORMATS)}; formats: {', '.join(FORMATS)}")
    if path == "-":
        raise ArgumentTypeError("a report goes to a file; standard output takes --output-format")
    return fmt, path


def _did_you_mean(word: str, known) -> str:
    import difflib

    found = difflib.get_close_matches(word, list(known), n=1, cutoff=0.6)
    return f"; did you mean '{found[0]}'?" if found else ""


def _terminal_columns() -> int:
    """`shutil.get_terminal_size().columns`: $COLUMNS, else the terminal's width, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def build_parser() -> argparse.ArgumentParser:
    once, formatter, parser_class = _parser_classes()
    parser = parser_class(
        prog="barrier-lint",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=formatter,
        allow_abbrev=False,  # `--form json` is not `--format json`: options are spelt out
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to lint (default: .)")
    parser.add_argument(
        "--output-format", "--format", dest="output_format", action=once, choices=list(FORMATS), metavar="FORMAT",
        help=f"output format: {', '.join(FORMATS)} (default: text; github when GITHUB_ACTIONS=true)",
    )
    parser.add_argument("-o", "--output-file", "--output", dest="output_file", action=once, metavar="FILE", help="write the output to FILE instead of standard output (- is standard output)")
    parser.add_argument("--report", action="append", type=_report, default=[], metavar="FORMAT:FILE", help="also write a report in FORMAT to FILE (repeatable)")
    parser.add_argument("--select", action="append", default=[], metavar="RULES", help="only these rules: comma-separated codes, names or code prefixes (BL2); replaces the configured selection (repeatable: they add up)")
    parser.add_argument("--extend-select", action="append", default=[], metavar="RULES", help="add these rules to the selection (configured or --select)")
    parser.add_argument("--ignore", "--extend-ignore", dest="ignore", action="append", default=[], metavar="RULES", help="skip these rules: comma-separated codes, names or code prefixes; adds to the configured ones (repeatable)")
    parser.add_argument("--config", metavar="PATH", help="use this configuration file for every file (no search for others)")
    parser.add_argument("--show-config", nargs="?", const=".", metavar="PATH", help="print the configuration that applies to PATH (default: .) and exit")
    parser.add_argument("--show-files", action="store_true", help="list the files that would be linted and exit")
    parser.add_argument("--harness-only", action="store_true", help="skip named files that do not look like Harness YAML, as directory walks do (for hooks that pass every YAML file)")
    parser.add_argument("--force-exclude", action="store_true", help="apply the configuration's exclude to files named on the command line too (for hooks that pass file names)")
    parser.add_argument(
        "--no-resolve", dest="resolve", action="store_false",
        help="read each file on its own: do not resolve templates against the repository (see docs/workspace.md)",
    )
    parser.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false", help="also lint files that .gitignore excludes")
    parser.add_argument("--fail-on", choices=list(FAIL_ON), default="error", help="the lowest severity that makes the exit status 1 (default: error)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings (errors reading files still exit 2)")
    parser.add_argument("--statistics", action="store_true", help="print how many findings each rule has instead of the findings (as JSON with --output-format json)")
    parser.add_argument("--baseline", metavar="FILE", help="report only findings not recorded in FILE (see --write-baseline)")
    parser.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE and exit 0")
    parser.add_argument("--stdin-filename", metavar="NAME", help="read standard input (as -) and report it as NAME")
    parser.add_argument("-q", "--quiet", action="store_true", help="print findings only, no summary line")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour output (default: auto: on a terminal, unless NO_COLOR is set or TERM=dumb; FORCE_COLOR forces it)")
    parser.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N", help="lint files in N processes (default: the usable cores; 1: in this process only)")
    parser.add_argument("--no-cache", dest="cache", action="store_false", help="neither read nor write the result cache (.barrier-lint-cache/ in the workspace root)")
    parser.add_argument("--version", action="version", version=f"barrier-lint {__version__}")
    return parser


# The options that take no value, each spelling with the attribute it sets and the value it stores, and every
# attribute's default: as `build_parser` defines them (`tests/test_cold_start.py` holds the two to it).
_FLAGS = {
    "--show-files": ("show_files", True), "--harness-only": ("harness_only", True),
    "--force-exclude": ("force_exclude", True), "--no-resolve": ("resolve", False),
    "--no-respect-gitignore": ("respect_gitignore", False), "--exit-zero": ("exit_zero", True),
    "--statistics": ("statistics", True), "-q": ("quiet", True), "--quiet": ("quiet", True),
    "--no-cache": ("cache", False),
}
_DEFAULTS = {
    "paths": [], "output_format": None, "output_file": None, "report": [], "select": [], "extend_select": [],
    "ignore": [], "config": None, "show_config": None, "show_files": False, "harness_only": False,
    "force_exclude": False, "resolve": True, "respect_gitignore": True, "fail_on": "error", "exit_zero": False,
    "statistics": False, "baseline": None, "write_baseline": None, "stdin_filename": None, "quiet": False,
    "color": "auto", "jobs": None, "cache": True,
}


class _Arguments:
    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def _fast_arguments(argv: list[str]) -> _Arguments | None:
    """The command line as `build_parser().parse_args` reads it, when it holds only options that take no
    value and paths that do not start with `-`, all the paths in one run (argparse refuses paths on both
    sides of an option); else None. That is a pre-commit hook's command line, and most others: they are
    read without importing argparse, building the parser and looking up its messages' translations, which
    cost a cold start about a tenth (16 M instructions of 174 M)."""
    values = {name: list(value) if isinstance(value, list) else value for name, value in _DEFAULTS.items()}
    paths: list[str] = values["paths"]
    ended = False  # a run of paths has ended: another path is argparse's error to give
    for arg in argv:
        if arg.startswith("-"):
            flag = _FLAGS.get(arg)
            if flag is None:
                return None
            values[flag[0]] = flag[1]
            ended = bool(paths)
        elif ended:
            return None
        else:
            paths.append(arg)
    return _Arguments(values)


class _ParserOnDemand:
    """The parser of a command line `_fast_arguments` read, built only to report a usage error."""

    def error(self, message: str):
        build_parser().error(message)


def _jobs(value: str) -> int:
    from argparse import ArgumentTypeError

    try:
        jobs = int(value)
    except ValueError:
        raise ArgumentTypeError(f"not a number: '{value}'") from None
    if jobs < 1:
        raise ArgumentTypeError("must be at least 1")
    return jobs


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _selectors(values: list[str], parser: argparse.ArgumentParser | _ParserOnDemand, option: str) -> frozenset[str]:
    """The rules of every occurrence of an option (they add up, as in ruff)."""
    from .settings import is_rule_selector, unknown_rule_message

    items = frozenset(v.strip() for value in values for v in value.split(",") if v.strip())
    for item in sorted(items):
        if not is_rule_selector(item):
            parser.error(f"{option}: {unknown_rule_message(item)}")
    return items


class _Usage(Exception):
    """A configuration, baseline or output problem: reported on standard error, exit status 2."""


# What the CLI is working on, for the crash report.
_current_file: str | None = None


def main(argv: list[str] | None = None) -> int:
    # A process started with standard output or error closed (`barrier-lint f >&-`) has None there: what
    # would be written is dropped, and the exit status still says what was found.
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - the process's own stream
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except _Usage as exc:
        print(f"barrier-lint: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover - interactive
        return 130
    except BrokenPipeError:
        # `barrier-lint . | head`: the reader left. Not a crash; stop writing (as the Python docs advise).
        _discard_stdout()
        return EXIT_FINDINGS
    except OSError as exc:
        # The output could not be written (a full disk, `> /dev/full`): an I/O error, exit status 2. (Files
        # that cannot be read are reported where they are read.)
        _discard_stdout()
        try:
            print(f"barrier-lint: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        except OSError:
            pass
        return EXIT_USAGE
    except Exception as exc:  # noqa: BLE001 - the top-level guard: a crash is a bug, and says where to report it
        missing = _missing_dependency(exc)
        if missing is not None:  # not a bug: an installation without its dependencies (a bare checkout)
            print(
                f"barrier-lint: cannot import {missing}, which barrier-lint needs to read YAML; install barrier-lint "
                "with its dependencies (`pip install barrier-lint`, or `pip install -e .` in a checkout)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        import traceback

        where = f" while linting {_current_file}" if _current_file else ""
        traceback.print_exc()
        print(
            f"barrier-lint: internal error{where}. This is a bug in barrier-lint {__version__}; please report it at "
            f"{ISSUES_URL} with the traceback above (and the file, if you can share it).",
            file=sys.stderr,
        )
        return EXIT_CRASH


# The distributions the command cannot work without (pyproject.toml's dependencies), by the top module
# they install. (ruamel.yaml.clib's C parser is optional: the pure-Python one stands in.)
_DEPENDENCIES = {"ruamel": "ruamel.yaml"}


def _missing_dependency(exc: BaseException) -> str | None:
    """The distribution to install when `exc` is the import of a dependency that is not installed, else None."""
    name = exc.name if isinstance(exc, ModuleNotFoundError) else None
    return _DEPENDENCIES.get(name.partition(".")[0]) if name else None


def _discard_stdout() -> None:
    """Standard output replaced by the null device, so that what is still buffered for it is dropped
    instead of failing again when the process ends."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # pragma: no cover - stdout without a file descriptor
        pass


# The last run of `_main`, kept past its return: a workspace run holds every file of the workspace, and
# freeing its objects one by one when `_main` returns costs about a tenth of the run, for nothing when the
# process ends next without tearing the interpreter down (`__main__._end_now`).
_outlives_main: list[LintRun] = []


def _main(argv: list[str]) -> int:
    from .settings import ConfigError, load_config

    if argv[:1] == ["rule"]:
        return rule_command(argv[1:])
    if argv[:1] == ["graph"]:
        return graph_command(argv[1:])
    args = _fast_arguments(argv)
    if args is None:
        parser = build_parser()
        args = parser.parse_args(argv)
    else:
        parser = _ParserOnDemand()
    select = _selectors(args.select, parser, "--select") if args.select else None
    if select is not None and not select:
        parser.error("--select: no rule given (an empty selection would check nothing)")
    extend_select = _selectors(args.extend_select, parser, "--extend-select")
    ignore = _selectors(args.ignore, parser, "--ignore")
    try:
        explicit = load_config(args.config) if args.config else None
    except ConfigError as exc:
        raise _Usage(str(exc)) from None
    configs = Configs(explicit, select, ignore, extend_select)

    if args.show_config is not None:
        return show_config(args.show_config, configs, sys.stdout)

    default_format = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    main_path = None if args.output_file in (None, "-") else args.output_file
    outputs = [(args.output_format or default_format, main_path), *args.report]

    paths = args.paths or ["."]
    if args.stdin_filename is not None and "-" not in paths:
        if args.paths:
            parser.error("--stdin-filename names standard input: add - to the paths (or drop the paths)")
        paths = ["-"]  # ruff: --stdin-filename alone reads standard input
    if args.show_files:
        return show_files(paths, configs, args.respect_gitignore, sys.stdout, args.resolve, args.force_exclude)

    keep_text = any(fmt in QUOTING_FORMATS for fmt, _ in outputs)
    try:
        run = lint_paths(
            paths, configs, args.stdin_filename, keep_text=keep_text, respect_gitignore=args.respect_gitignore,
            harness_only=args.harness_only, resolve=args.resolve, jobs=args.jobs or usable_cores(), cache=args.cache,
            force_exclude=args.force_exclude,
        )
    except ConfigError as exc:
        raise _Usage(str(exc)) from None
    _outlives_main[:] = [run]
    results = run.results
    if run.checked == run.skipped and not run.errors and not args.harness_only:
        # ruff: "No Python files found under the given path(s)". Still exit 0: nothing failed. Not with
        # --harness-only: a hook that passes every YAML file asked for the others to be skipped quietly.
        run.warnings.append("no Harness YAML files found under " + ", ".join(paths))
    for message in run.warnings:
        print(f"barrier-lint: warning: {escape(message)}", file=sys.stderr)

    _refuse_inputs_as_outputs(
        run,
        [("--write-baseline", args.write_baseline), ("--output-file", main_path)]
        + [("--report", path) for _, path in args.report],
    )
    if args.write_baseline:
        from .baseline import write_baseline

        if run.errors:
            # A baseline of a run that could not read everything would forget what it did not read.
            print(f"barrier-lint: {args.write_baseline} not written: the run failed", file=sys.stderr)
            return _io_status(run.errors)
        try:
            count = write_baseline(args.write_baseline, results)
        except OSError as exc:
            raise _Usage(f"cannot write baseline {args.write_baseline}: {exc.strerror or exc}") from None
        print(f"barrier-lint: recorded {count} finding{'s' if count != 1 else ''} in {args.write_baseline}", file=sys.stderr)
        return _io_status(run.errors) or EXIT_OK
    if args.baseline:
        from .baseline import BaselineError, filter_baseline, read_baseline, stale_entries

        try:
            known = read_baseline(args.baseline)
            stale = stale_entries(args.baseline, results)
        except BaselineError as exc:
            raise _Usage(str(exc)) from None
        results, hidden = filter_baseline(args.baseline, results, known)
        print(f"barrier-lint: {args.baseline} hid {hidden} known finding{'s' if hidden != 1 else ''}", file=sys.stderr)
        if stale:
            print(
                f"barrier-lint: warning: {stale} entr{'ies' if stale != 1 else 'y'} of {args.baseline} no longer match a "
                "finding (fixed, or changed): run --write-baseline again to drop them",
                file=sys.stderr,
            )

    color = use_color(args.color, sys.stdout, os.environ)
    threshold = FAIL_ON[args.fail_on]
    for index, (fmt, path) in enumerate(outputs):
        options = RenderOptions(
            color=color and path is None, quiet=args.quiet, files_checked=run.checked, files_skipped=run.skipped,
            fail_on=threshold, model=run.model,
        )
        if args.statistics and index == 0:  # the main output; --report files keep their full reports
            render = functools.partial(_render_statistics, fmt)
        else:
            render = FORMATS[fmt]
        if path is None:
            render(results, sys.stdout, options)
            continue
        try:
            write_atomically(path, lambda handle, render=render, options=options: render(results, handle, options))
        except OSError as exc:
            raise _Usage(f"cannot write {path}: {exc.strerror or exc}") from None

    if run.errors:
        return _io_status(run.errors)
    if args.exit_zero or threshold is None:
        return EXIT_OK
    failing = any(d.severity.rank >= threshold.rank for r in results for d in r.diagnostics)
    return EXIT_FINDINGS if failing else EXIT_OK


def _refuse_inputs_as_outputs(run: LintRun, outputs: list[tuple[str, str | None]]) -> None:
    """An output file that is one of the files linted would overwrite the user's pipeline: refuse it
    (the same file by any name: a relative path, a symlink, a hard link). So would one that the run read
    only to resolve a use (a template, a child pipeline): any existing YAML file that holds Harness YAML
    is refused too, whether or not this run read it."""
    inputs = {key for key in map(_file_identity, run.inputs) if key is not None}
    for option, path in outputs:
        if path is None:
            continue
        if _file_identity(path) in inputs:
            raise _Usage(
                f"{option} {path} is one of the files being linted; refusing to overwrite it (choose another file)"
            )
        if _holds_harness_yaml(path):
            raise _Usage(f"{option} {path} holds Harness YAML; refusing to overwrite it (choose another file)")


def _holds_harness_yaml(path: str) -> bool:
    from .discovery import YAML_SUFFIXES, NotReadable, read_file
    from .syntax import looks_like_harness

    if not path.lower().endswith(YAML_SUFFIXES):
        return False
    try:
        data = read_file(path, MAX_FILE_BYTES)
    except (OSError, ValueError, NotReadable):
        return False  # absent, not a regular file, too large: writing it will say what is wrong
    return looks_like_harness(data.decode("utf-8", "replace"))


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return info.st_dev, info.st_ino


def _io_status(errors: list[str]) -> int:
    for message in errors:
        print(f"barrier-lint: {escape(message)}", file=sys.stderr)
    return EXIT_USAGE if errors else EXIT_OK


class Configs:
    """Which configuration applies to which file: `--config` for all, or the nearest configuration file;
    then the command line's --select/--ignore on top."""

    def __init__(
        self, explicit: Config | None, select: frozenset[str] | None, ignore: frozenset[str],
        extend_select: frozenset[str] = frozenset(),
    ) -> None:
        self.explicit = explicit
        self.select = select
        self.ignore = ignore
        self.extend_select = extend_select
        self._found: dict[str, pathlib.Path | None] = {}
        self._folder_config: dict[str, Config] = {}
        # A path's folder as given -> its configuration (a run does not change its working directory).
        self._by_head: dict[str, Config] = {}
        # By the identity of the configuration they come from (kept, so that no identity is reused): the
        # files of a folder share one object, and its canonical form for the cache key is computed once.
        self._overridden: dict[int, tuple[Config, Config]] = {}
        self._canonical: dict[int, tuple[Config, str]] = {}

    def base(self, path: str) -> Config:
        if self.explicit is not None:
            return self.explicit
        # One search per folder and run: every file of a folder has the same nearest configuration file, and
        # a run (the walk, then the workspace's own listing) asks for each file.
        head, name = os.path.split(path)
        plain = name not in ("", os.curdir, os.pardir)  # then the folder of `path` is `head`, made absolute
        if plain:
            known = self._by_head.get(head)
            if known is not None:
                return known
        folder = os.path.abspath(head) if plain else os.path.dirname(os.path.abspath(path))
        known = self._folder_config.get(folder)
        if known is None:
            from .settings import config_for, find_config_file

            if folder not in self._found:
                self._found[folder] = find_config_file(folder)
            config = config_for(path, self._found[folder])
            if config.per_file_ignores:  # else it is the same for every file of the folder
                return config
            known = self._folder_config[folder] = config
        if plain:
            self._by_head[head] = known
        return known

    def for_file(self, path: str) -> Config:
        base = self.base(path).for_file(path)
        known = self._overridden.get(id(base))
        if known is None:
            overridden = base.with_overrides(self.select, self.ignore, self.extend_select)
            known = self._overridden[id(base)] = (base, overridden)
        return known[1]

    def canonical(self, config: Config) -> str:
        """The configuration as the cache key holds it: canonical JSON, the same in every process."""
        known = self._canonical.get(id(config))
        if known is None:
            import json

            from .cache import canonical

            known = self._canonical[id(config)] = (config, json.dumps(canonical(config)))
        return known[1]

    def excluded(self, path: str, is_dir: bool) -> bool:
        # A folder is excluded by the configuration that governs the folder it sits in.
        governing = os.path.dirname(os.path.abspath(path)) if is_dir else path
        return self.base(governing).excludes(path, is_dir)


class LintRun:
    def __init__(self) -> None:
        self.results: list[FileResult] = []
        self.errors: list[str] = []  # exit status 2
        self.warnings: list[str] = []
        self.checked = 0
        self.skipped = 0  # of those checked: read, but no Harness document in them and nothing to report
        self.inputs: list[str] = []  # every file path met, read or not
        self.workspaces: Workspaces | None = None
        self.sources: dict[str, tuple[str, str]] = {}  # a result's path -> (the path given, the file read)

    def model(self, result: FileResult):
        """The model `result`'s findings were made from, for the formats that draw it (markdown): its text
        resolved against its workspace (templates, child pipelines), or read on its own when resolution
        cannot change it; None with --no-resolve (the text alone)."""
        given, source = self.sources.get(result.path, (None, None))
        if given is None or self.workspaces is None or not self.workspaces.resolve:
            return None
        alone = _alone(result.text, display_name(source))  # as the linter read it (`_standalone`)
        if alone is not None:
            return alone
        workspace = self.workspaces.for_path(given)
        name = display_name(source)
        workspace.put(name, result.text)
        return workspace.read(name)


class Workspaces:
    """The workspace of each linted file (its repository), loaded once per run; none with --no-resolve."""

    def __init__(self, configs: Configs, resolve: bool) -> None:
        self.configs = configs
        self.resolve = resolve
        self.loaded: dict[str, object] = {}
        self.roots: dict[str, str] = {}  # path given -> its workspace root
        self.fingerprints: dict[str, object] = {}
        self.hashes: dict[str, object] = {}  # root -> its cache's `FileHashes`, which its fingerprint reads through
        self.read: dict[str, bytes] = {}  # absolute path -> the bytes linted: a workspace loaded later reuses them
        # folder -> the files a directory run found in it, walked as a workspace outside git is walked
        # (`_walked_targets`): a workspace rooted there takes them instead of walking the folder again
        self.walked: dict[str, list[str]] = {}

    def root_of(self, path: str) -> str:
        """The workspace root of a path given: every file found under it has that path's workspace (found
        once per run, not once per file: it stats up the tree)."""
        root = self.roots.get(path)
        if root is None:
            from .discovery import workspace_root

            root = self.roots[path] = workspace_root(path)
        return root

    def for_path(self, path: str):
        if not self.resolve:
            return None
        from .workspace import Workspace

        root = self.root_of(path)
        if root not in self.loaded:
            config = self.configs.base(os.path.join(root, ".barrier-lint-workspace"))
            self.loaded[root] = Workspace.load(
                root, self.configs.excluded, config.template_paths, dict(config.stable_templates), self.read,
                self.walked.get(root),
            )
        return self.loaded[root]

    def composed(self, path: str, name: str, text: str):
        """The text of the file the workspace names `name` as the workspace of `path` composed it, when that
        workspace is loaded already and holds this very text; else None (nothing is loaded)."""
        workspace = self.loaded.get(self.roots.get(path, ""))
        if workspace is None:
            return None
        indexed = workspace.index.files.get(name)
        return indexed.composed if indexed is not None and indexed.composed.text == text else None

    def fingerprint(self, path: str):
        """The workspace's files as they are now (`cache.Fingerprint`), read once per run; None with
        --no-resolve."""
        if not self.resolve:
            return None
        root = self.root_of(path)
        found = self.fingerprints.get(root)
        if found is None:
            from .cache import Fingerprint
            from .workspace.files import workspace_files

            config = self.configs.base(os.path.join(root, ".barrier-lint-workspace"))
            listed = workspace_files(root, self.configs.excluded, config.template_paths, self.walked.get(root))
            found = self.fingerprints[root] = Fingerprint(listed, self.hashes.get(root))
        return found


def lint_paths(
    paths: list[str], configs: Configs, stdin_filename: str | None, *, keep_text: bool = False,
    respect_gitignore: bool = True, harness_only: bool = False, resolve: bool = True, jobs: int = 1,
    cache: bool = False, force_exclude: bool = False,
) -> LintRun:
    # The cyclic garbage collector stays paused for the whole run: a workspace holds every file's node tree,
    # and the collector's passes over them would cost more than the run itself (the model builds no cycles
    # to speak of, and the process ends with the run).
    with collector_paused(keep=True):
        return _lint_paths(
            paths, configs, stdin_filename, keep_text, respect_gitignore, harness_only, resolve, jobs, cache, force_exclude
        )


class _Task:
    """One file to lint: what a worker process needs, and where its result goes."""

    __slots__ = ("data", "config", "explicit", "given", "source", "display", "key", "cache")

    def __init__(self, data, config, explicit, given, source, display) -> None:
        self.data, self.config, self.explicit = data, config, explicit
        self.given, self.source, self.display = given, source, display
        self.key = self.cache = None


# Fewer files than this are linted in this process: starting workers costs more than it saves.
POOL_THRESHOLD = 8


def _lint_paths(
    paths: list[str], configs: Configs, stdin_filename: str | None, keep_text: bool, respect_gitignore: bool,
    harness_only: bool, resolve: bool, jobs: int = 1, use_cache: bool = False, force_exclude: bool = False,
) -> LintRun:
    global _current_file
    from .discovery import NotReadable, Skipped, read_bounded, read_file_stat

    run = LintRun()
    workspaces = run.workspaces = Workspaces(configs, resolve)
    cached = _Cached(workspaces) if use_cache else None
    slots: list[FileResult | _Task] = []
    linter = _Linter(workspaces, jobs)
    # Each path given names its workspace: its repository, else the folder given (a file's own folder).
    for given, target in _walked_targets(paths, configs, respect_gitignore, force_exclude, workspaces):
        if isinstance(target, OSError):
            run.errors.append(f"cannot read {target.filename}: {target.strerror}")
            continue
        if isinstance(target, Skipped):
            run.warnings.append(f"skipped {display_path(target.path)}: {target.reason}")
            continue
        if target == "-":
            display, explicit = display_path(stdin_filename) if stdin_filename else "-", True
            source = stdin_filename or os.path.join(os.getcwd(), "-")
            config = configs.for_file(source)
            given = source
        else:
            absolute = os.path.abspath(target.path)
            display, explicit = display_path(absolute), target.explicit and not harness_only
            source = target.path
            config = configs.for_file(target.path)
            run.inputs.append(target.path)
        hashes = None
        if cached is not None and target != "-":
            hashes = cached.of(given).hashes
            known = hashes.trusted(absolute, MAX_FILE_BYTES)
            if known is not None:  # unchanged since a run that read it: found in the cache without reading it
                task = _Task(None, config, explicit, given, source, display)
                cached.look_up(task, absolute, known[1])
                if isinstance(task.cache, tuple):
                    run.checked += 1
                    run.sources[display] = (given, source)
                    _hit(run, slots, task, keep_text)
                    continue
        try:
            if target == "-":
                data = read_bounded(sys.stdin.buffer.read, MAX_FILE_BYTES, "-")
            else:
                # the same file, named as every message names it
                data, status = read_file_stat(display, MAX_FILE_BYTES)
        except NotReadable as exc:
            # Never a hang: a FIFO, /dev/zero or a huge file is a finding when named, skipped in a walk.
            if explicit:
                from .linter import yaml_diagnostic
                from .parse import YamlProblem

                problem = YamlProblem(Span(0, 0, 0, 1), str(exc))
                slots.append(FileResult(display, [yaml_diagnostic(problem, config)]))
                run.checked += 1
            else:
                run.warnings.append(f"skipped {display}: {exc}")
            continue
        except OSError as exc:
            message = f"cannot read {display}: {exc.strerror or exc}"
            # A file the user named is an error; one met in a directory walk is skipped with a warning.
            (run.errors if explicit else run.warnings).append(message)
            continue
        run.checked += 1
        run.sources[display] = (given, source)
        if resolve and target != "-":
            workspaces.read[absolute] = data
        task = _Task(data, config, explicit, given, source, display)
        if hashes is not None:  # keyed by the bytes just read, whatever the status said
            cached.look_up(task, absolute, hashes.record(absolute, data, status)[1])
            if isinstance(task.cache, tuple):
                _hit(run, slots, task, keep_text)
                continue
        slots.append(task)
        linter.add(task)

    for task, found in linter.results():
        if task.key is not None:
            cached.put(task, found)
        task.cache = found[0], found[4]  # (findings, whether it holds Harness YAML), as a hit has them
    if cached is not None:
        cached.save()
    for slot in slots:
        if isinstance(slot, _Task):
            diagnostics, harness = slot.cache
            run.skipped += not harness and not diagnostics
            slot = FileResult(slot.display, diagnostics, _text_of(slot.data) if keep_text and diagnostics else "")
        run.results.append(slot)
    _current_file = None
    return run


def _text_of(data: bytes) -> str:
    from .parse import decode

    return decode(data)[0]


def _hit(run: LintRun, slots: list, task: _Task, keep_text: bool) -> None:
    diagnostics, harness = task.cache
    run.skipped += not harness and not diagnostics
    text = ""
    if keep_text and diagnostics:  # the formats that quote the lines: read now, when a hit did not read it
        from .discovery import NotReadable, read_file

        try:
            text = _text_of(task.data if task.data is not None else read_file(task.display, MAX_FILE_BYTES))
        except (OSError, NotReadable):
            pass  # gone since its status was taken: the findings stand, without their lines
    slots.append(FileResult(task.display, diagnostics, text))


class _Cached:
    """The result caches of one run (one per workspace root, loaded when first needed) and its files' keys."""

    def __init__(self, workspaces: Workspaces) -> None:
        import json

        from . import cache

        self.workspaces = workspaces
        self.caches: dict[str, cache.ResultCache] = {}  # by workspace root
        self.given: dict[str, cache.ResultCache] = {}  # by path given
        self.load, self.digest, self.dumps = cache.ResultCache.for_root, cache.digest, json.dumps
        # What every key of the run holds (the working directory: messages name other files relative to it).
        self.common = [__version__, cache.FORMAT, os.getcwd(), workspaces.resolve]

    def of(self, given: str):
        found = self.given.get(given)
        if found is None:
            root = self.workspaces.root_of(given)
            found = self.caches.get(root)
            if found is None:
                found = self.caches[root] = self.load(root)
                self.workspaces.hashes[root] = found.hashes
            self.given[given] = found
        return found

    def look_up(self, task: _Task, absolute: str, file_hash: str) -> None:
        """Set the task's cache key (`file_hash`: its bytes'), and its cached findings when the cache has
        them. The key of a result that did not need the workspace has no dependencies; one that did also
        holds the workspace's shared part, read only then."""
        cache = self.of(task.given)
        config = self.workspaces.configs.canonical(task.config)
        task.key = self.digest(self.dumps([*self.common, file_hash, task.display, absolute, task.explicit, config]))
        found = cache.get(task.source, task.key, None)
        # A file the cache holds nothing for misses without the workspace's fingerprint: it is taken when the
        # first result is stored, from the hashes of the files this run has read by then (in a cold run it
        # would otherwise read and hash every file of the workspace once more, before any lint starts).
        if found is None and self.workspaces.resolve and cache.holds(task.source):
            fingerprint = self.workspaces.fingerprint(task.given)
            found = cache.get(task.source, self._resolved_key(task, fingerprint), fingerprint)
        task.cache = found if found is not None else cache

    def put(self, task: _Task, found) -> None:
        diagnostics, depends, wide, alone, harness = found
        if alone:  # the same whatever the workspace holds
            task.cache.put(task.source, task.key, diagnostics, harness, set(), False, None)
        else:
            fingerprint = self.workspaces.fingerprint(task.given)
            key = self._resolved_key(task, fingerprint) if fingerprint is not None else task.key
            task.cache.put(task.source, key, diagnostics, harness, depends, wide, fingerprint)

    def _resolved_key(self, task: _Task, fingerprint) -> str:
        """The key of a result that needed the workspace: the file's own, and what every result of the
        workspace shares."""
        return self.digest(task.key + fingerprint.shared)

    def save(self) -> None:
        for root, cache in self.caches.items():
            if root in self.workspaces.fingerprints:  # every file of the workspace was met: forget the rest
                cache.hashes.keep_only_known()
            cache.save()


class _Linter:
    """Lints the tasks it is given, and gives back each task with its (findings, files read, whether pipelines
    were looked up, whether the workspace was not needed, whether the file holds Harness YAML), in the order
    the tasks came: here, for a few files, or in a pool of `jobs` processes (each loading the workspace
    once), which starts as soon as there are enough tasks, so that the workers lint the first files while
    the rest are read."""

    def __init__(self, workspaces: Workspaces, jobs: int) -> None:
        self.workspaces, self.jobs = workspaces, jobs
        self.tasks: list[_Task] = []
        self.pending: list[_Task] = []  # given, not sent to the pool yet
        self.pool = None
        self.chunks: list = []  # (its tasks, the future of their results), in the order given

    def add(self, task: _Task) -> None:
        self.tasks.append(task)
        if self.jobs <= 1:
            return
        self.pending.append(task)
        if self.pool is None and len(self.tasks) >= POOL_THRESHOLD:
            self._start()
        # Tasks per message to a worker, growing with the run: few messages for many files, and no worker
        # left idle for long at the end of a short run.
        if self.pool is not None and len(self.pending) >= max(8, min(64, len(self.tasks) // (self.jobs * 8))):
            self._send()

    def results(self):
        global _current_file
        if self.pool is None:  # one process (or fewer files than a pool is worth)
            for task in self.tasks:
                _current_file = task.display
                yield task, _lint_task(task, self.workspaces)
            return
        try:
            self._send()
            for tasks, future in self.chunks:
                for task, found in zip(tasks, future.result()):
                    _current_file = task.display
                    if isinstance(found, _WorkerCrash):
                        print(found.traceback, file=sys.stderr, end="")
                        raise RuntimeError(f"a worker process failed on {task.display}")
                    yield task, found
        finally:
            self.pool.shutdown(cancel_futures=True)

    def _start(self) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        from . import linter  # noqa: F401  (imported before the workers are forked: each starts with it)

        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        self.pool = ProcessPoolExecutor(self.jobs, mp_context=context, initializer=_start_worker,
                                        initargs=(self.workspaces.configs, self.workspaces.resolve))

    def _send(self) -> None:
        if self.pending:
            payload = [(t.data, t.config, t.explicit, t.given, t.source, t.display) for t in self.pending]
            self.chunks.append((self.pending, self.pool.submit(_worker_chunk, payload)))
            self.pending = []


class _WorkerCrash:
    def __init__(self, traceback: str) -> None:
        self.traceback = traceback


_worker_workspaces: Workspaces | None = None


def _start_worker(configs: Configs, resolve: bool) -> None:
    global _worker_workspaces
    _worker_workspaces = Workspaces(configs, resolve)
    import gc

    gc.disable()  # as in the parent: the run is short, and the collector's passes cost more than they free


def _worker_chunk(payloads: list) -> list:
    return [_worker_task(payload) for payload in payloads]


def _worker_task(payload):
    task = _Task(*payload)
    try:
        return _lint_task(task, _worker_workspaces)
    except Exception:  # noqa: BLE001 - reported by the parent as the crash it is
        import traceback

        return _WorkerCrash(traceback.format_exc())


# A file that says one of these most likely uses its workspace (a template use, a chained pipeline, an input
# set): it goes straight to the workspace. Any other is read on its own first, and goes to the workspace only
# when its model has such a use after all (a quoted key, say); what a pre-commit hook on a few files mostly
# meets is linted without loading the workspace.
_WORKSPACE_WORDS = ("templateRef", "type: Pipeline", "nputSet")


def _standalone(task: _Task, workspaces: Workspaces, name: str, text: str) -> tuple[list[Diagnostic], bool] | None:
    """The file's findings and whether it holds Harness YAML when resolution cannot change them (its model
    has no template use, no chained pipeline and no input set), else None (`name`: the file's
    `display_name`; `text`: its bytes decoded)."""
    parsed = _alone(text, name, workspaces.composed(task.given, name, text))
    if parsed is None:
        return None
    _, diagnostics, harness = _lint_data(task.data, task.config, task.explicit, parsed=parsed)
    return diagnostics, harness


def _alone(text: str, name: str, composed=None):
    """The model of `text` read on its own when resolving it against its workspace cannot change it (no
    template use, no chained pipeline, no input set), else None: the workspace is not even loaded.
    `name`: the file's `display_name` (a v1 file's identity comes from it); `composed`: the text as its
    workspace, already loaded, composed it (a template is composed there first)."""
    if any(word in text for word in _WORKSPACE_WORDS):
        return None
    from .parse import parse, read

    if composed is not None:
        parsed = read(composed)
    else:
        parsed = parse(text, name)
    for document in parsed.documents:
        pipeline = document.pipeline
        if document.kind is DocumentKind.INPUT_SET or pipeline is not None and (pipeline.template_uses or pipeline.chain_uses):
            return None
    return parsed


def _lint_task(task: _Task, workspaces: Workspaces):
    """(findings, the other files they depend on, whether pipelines were looked up, whether the workspace
    was not needed at all, whether the file holds Harness YAML)."""
    # The name the workspace knows the file by (its `display_name`: the name every message gives it, but
    # for a file outside the working directory, which messages name by its absolute path); read without
    # one, a file is named by its path (as `parse` is given it).
    name = task.source
    if workspaces.resolve:
        name = task.display if not os.path.isabs(task.display) else display_name(task.source)
    decoded = None
    if workspaces.resolve:
        from .parse import decode

        decoded = decode(task.data)
        alone = _standalone(task, workspaces, name, decoded[0]) if decoded[1] is None else None
        if alone is not None:
            return alone[0], set(), False, True, alone[1]
    workspace = workspaces.for_path(task.given)
    lookups = workspace.resolver.pipeline_lookups if workspace is not None else 0
    _, diagnostics, harness = _lint_data(task.data, task.config, task.explicit, workspace, name, decoded=decoded)
    depends: set[str] = set()
    wide = False
    if workspace is not None:
        depends = set(workspace.depends.get(name, ())) - {name}
        indexed = workspace.index.files.get(name)
        wide = workspace.resolver.pipeline_lookups != lookups or bool(indexed is not None and indexed.input_sets)
        workspace.release(name)
    return diagnostics, depends, wide, workspace is None, harness


def display_path(path: str) -> str:
    """The one way every format writes a file: relative to the working directory (the root SARIF calls
    %SRCROOT%), normalised, with `/`; absolute when the file is outside it, so no path climbs out with `..`."""
    if path == "-":
        return path
    absolute = os.path.abspath(path)
    inside = below_cwd(absolute)
    if inside is not None:
        return inside
    relative = os.path.relpath(absolute)
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return absolute.replace(os.sep, "/")
    return relative.replace(os.sep, "/")


def use_color(choice: str, stream: TextIO, environ) -> bool:
    """`--color always|never` decide; `auto` follows no-color.org (a non-empty NO_COLOR turns colour off),
    force-color.org (a non-empty FORCE_COLOR turns it on) and TERM=dumb, in that order, then the terminal."""
    if choice != "auto":
        return choice == "always"
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    if environ.get("TERM") == "dumb":
        return False
    return stream.isatty()


def _walked_targets(paths: list[str], configs: Configs, respect_gitignore: bool, force_exclude: bool, workspaces: Workspaces):
    """Each path given with each file found under it. A folder walked as a workspace outside git is walked
    (`.gitignore` respected, `exclude` pruning the walk only) leaves the list of what it holds with
    `workspaces`, once the walk is complete."""
    from .discovery import Target

    for path in paths:
        found = [] if path != "-" and respect_gitignore and not force_exclude and os.path.isdir(path) else None
        for target in _targets([path], configs, respect_gitignore, force_exclude):
            if found is not None and isinstance(target, Target):
                found.append(os.path.abspath(target.path))
            yield path, target
        if found is not None:
            workspaces.walked[os.path.abspath(path)] = found


def _targets(paths: list[str], configs: Configs, respect_gitignore: bool, force_exclude: bool = False):
    from .discovery import discover

    for path in paths:
        if path == "-":
            yield "-"
        else:
            yield from discover([path], configs.excluded, respect_gitignore=respect_gitignore, force_exclude=force_exclude)


def lint_bytes(data: bytes, config: Config, explicit: bool) -> list[Diagnostic]:
    return _lint_data(data, config, explicit)[1]


def _lint_data(
    data: bytes, config: Config, explicit: bool, workspace=None, name: str | None = None, parsed=None, decoded=None
) -> tuple[str, list[Diagnostic], bool]:
    """The text, its findings, and whether it holds Harness YAML (`name`: the file's name, its
    `display_name` in `workspace`; `parsed`: the text already read; `decoded`: what `decode` gave for
    `data`, when it was asked already)."""
    from .linter import lint_parsed, yaml_diagnostic
    from .parse import decode, parse

    text, problem = decoded or decode(data)
    if problem is not None:
        # Bytes that are not UTF-8 are only worth a finding when the user named the file.
        found = [yaml_diagnostic(problem, config)] if explicit and config.enabled("BL000", "invalid-yaml") else []
        return "", found, False
    if workspace is None or name is None:
        parsed = parsed or parse(text, name)
        return text, lint_parsed(parsed, config, assume_harness=explicit), parsed.is_harness
    workspace.put(name, text, data)  # the text as read now: the same file, or standard input standing for it
    diagnostics = workspace.lint(name, config, assume_harness=explicit)
    return text, diagnostics, workspace.read(name).is_harness


def statistics(results: list[FileResult], out: TextIO, as_json: bool = False) -> None:
    """How many findings each rule has, most first (ruff's --statistics; JSON objects with
    `code`, `name`, `count` for the json formats)."""
    from collections import Counter

    from .rules import find_rule

    counts = Counter(d.code for r in results for d in r.diagnostics)
    rows = []
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        rule = find_rule(code)
        rows.append({"code": code, "name": rule.name if rule else "", "count": count})
    if as_json:
        import json

        json.dump(rows, out, indent=2)
        out.write("\n")
        return
    out.writelines(f"{row['count']:>5}  {row['code']}  {row['name']}\n" for row in rows)
    if not counts:
        out.write("no problems\n")


def _render_statistics(fmt: str, results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    statistics(results, out, as_json=fmt == "json")


def show_files(
    paths: list[str], configs: Configs, respect_gitignore: bool, out: TextIO, resolve: bool = True, force_exclude: bool = False,
) -> int:
    """The files a run would lint, each with what it is read as and what it resolves in its workspace."""
    from .discovery import Skipped

    status = EXIT_OK
    workspaces = Workspaces(configs, resolve)
    for given, target in _walked_targets(paths, configs, respect_gitignore, force_exclude, workspaces):
        if isinstance(target, OSError):
            print(f"barrier-lint: cannot read {escape(target.filename)}: {target.strerror}", file=sys.stderr)
            status = EXIT_USAGE
        elif isinstance(target, Skipped):
            print(f"barrier-lint: warning: skipped {escape(target.path)}: {target.reason}", file=sys.stderr)
        elif target == "-":
            out.write("-\n")
        else:
            out.write(f"{escape(display_path(target.path))}  {_describe(target.path, workspaces.for_path(given))}\n")
    return status


def _describe(path: str, workspace) -> str:
    from .workspace import Workspace, read_harness_text
    text = read_harness_text(path)
    if text is None:
        return "not Harness YAML (skipped)"
    workspace = workspace if workspace is not None else Workspace()
    name = display_name(path)
    workspace.put(name, text)
    return workspace.describe(name)


def show_config(path: str, configs: Configs, out: TextIO) -> int:
    """The configuration that applies to `path`, as a [tool.barrier-lint] table, then the rules in effect."""
    import json

    from .rules import ALL_RULES
    from .settings import ConfigError

    try:
        config = configs.for_file(path)
    except ConfigError as exc:
        raise _Usage(str(exc)) from None
    q = json.dumps  # TOML basic strings are JSON strings
    out.write(f"# configuration for {path}\n")
    out.write(f"# from {config.source}\n" if config.source else "# no configuration file found: the defaults\n")
    if config.root:
        out.write(f"# patterns relative to {config.root}\n")
    out.write("[tool.barrier-lint]\n")
    if config.select is not None:
        out.write(f"select = [{', '.join(q(s) for s in sorted(config.select))}]\n")
    out.write(f"ignore = [{', '.join(q(s) for s in sorted(config.ignore))}]  # with the per-file ignores for this path\n")
    severities = ", ".join(f"{q(k)} = {q(v.value if v else 'off')}" for k, v in sorted(config.severity.items()))
    out.write(f"severity = {{{severities}}}\n")
    out.write(f"exclude = [{', '.join(q(s) for s in config.exclude)}]\n")
    per_file = ", ".join(f"{q(p)} = [{', '.join(q(c) for c in sorted(codes))}]" for p, codes in config.per_file_ignores)
    out.write(f"per-file-ignores = {{{per_file}}}\n")
    out.write(f"stage-types = [{', '.join(q(s) for s in sorted(config.stage_types))}]\n")
    stable = ", ".join(f"{q(ref)} = {q(version)}" for ref, version in config.stable_templates)
    out.write(f"stable-templates = {{{stable}}}\n")
    out.write(f"template-paths = [{', '.join(q(s) for s in config.template_paths)}]\n")
    if config.excludes(path, os.path.isdir(path)):
        out.write(f"# {path} is excluded: it is not linted\n")
    out.write("\n# rules in effect:\n")
    for rule in ALL_RULES:
        if config.enabled(rule.code, rule.name):
            severity = config.severity_for(rule.code, rule.name, rule.severity)
            out.write(f"#   {rule.code}  {rule.name:<34} {severity.value}\n")
        else:
            out.write(f"#   {rule.code}  {rule.name:<34} off\n")
    return EXIT_OK


def rule_command(argv: list[str], out: TextIO | None = None) -> int:
    from .rules import ALL_RULES, find_rule

    out = out or sys.stdout
    parser = _parser_classes()[2](prog="barrier-lint rule", description="Explain a rule, or list them all.", allow_abbrev=False)
    parser.add_argument("rule", nargs="?", help="a rule code (BL203) or name (sequential-barrier-participants)")
    parser.add_argument("--all", action="store_true", help="list every rule with its code, name and default severity")
    args = parser.parse_args(argv)
    if args.all or not args.rule:
        for rule in ALL_RULES:
            out.write(f"{rule.code}  {rule.name:<34} {rule.severity.value:<8} {rule.summary()}\n")
        return EXIT_OK
    rule = find_rule(args.rule)
    if rule is None:
        from .settings import unknown_rule_message

        hint = ""
        if os.path.isdir("rule"):
            hint = "; to lint the folder named rule, write `barrier-lint ./rule` or `barrier-lint -- rule`"
        print(f"barrier-lint: {unknown_rule_message(args.rule)}{hint}", file=sys.stderr)
        return EXIT_USAGE
    out.write(f"# {rule.name} ({rule.code})\n\nDefault severity: {rule.severity.value}\n\n{rule.documentation()}\n")
    return EXIT_OK


GRAPH_DESCRIPTION = """\
Draw the barrier synchronization graph of a pipeline: stages and step groups in their real order
(sequences one after another, parallel blocks side by side, dependsOn edges), each Barrier step joined to
its barrier, and the findings drawn on it (deadlocks in red with the ordering edge that causes them, a
single participant dashed, a conditional participant marked). The json form is the one the others are
drawn from (docs/graph.md). Exit status 0 when drawn, even with findings; 2 when there is nothing to draw."""


def graph_command(argv: list[str], out: TextIO | None = None) -> int:
    import argparse

    from .graph import graph_of
    from .graph_render import FORMATS as GRAPH_FORMATS
    from .graph_render import render
    from .linter import lint_parsed
    from .parse import decode, parse
    from .settings import ConfigError, load_config

    parser = argparse.ArgumentParser(prog="barrier-lint graph", description=GRAPH_DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", metavar="PATH", help="the pipeline file, or - for standard input")
    parser.add_argument("--format", "--output-format", dest="format", choices=GRAPH_FORMATS, default="mermaid",
                        help="mermaid (default), dot (Graphviz), json or svg (laid out by barrier-lint itself)")
    parser.add_argument("--output-file", "-o", metavar="FILE", help="write the graph to FILE instead of standard output")
    parser.add_argument("--document", type=int, metavar="N", help="draw document N (1-based) of a multi-document file (default: the first pipeline)")
    parser.add_argument("--stdin-filename", metavar="NAME", help="the name of - (standard input), for finding its configuration")
    parser.add_argument("--config", metavar="PATH", help="use this configuration file (which findings are drawn)")
    parser.add_argument("--no-resolve", dest="resolve", action="store_false",
                        help="draw the file on its own: do not resolve templates and child pipelines against the repository")
    args = parser.parse_args(argv)
    try:
        explicit = load_config(args.config) if args.config else None
        configs = Configs(explicit, None, frozenset())
        if args.path == "-":
            data, display = sys.stdin.buffer.read(), args.stdin_filename or "-"
            source = args.stdin_filename or os.path.join(os.getcwd(), "-")
        else:
            display = source = args.path
            with open(args.path, "rb") as handle:
                data = handle.read()
        config = configs.for_file(source)
        text, problem = decode(data)
        if problem is not None:
            raise _Usage(f"cannot draw {display}: {problem.message}")
        with collector_paused():
            # The model the linter analysed: resolved against the file's workspace (templates, child
            # pipelines), else the file alone; its findings are the ones drawn.
            parsed = _alone(text, display_name(source)) if args.resolve else parse(text)
            workspace = Workspaces(configs, args.resolve).for_path(source) if parsed is None else None
            if workspace is None:
                parsed = parsed or parse(text)
                diagnostics = lint_parsed(parsed, config, assume_harness=True)
            else:
                name = display_name(source)
                workspace.put(name, text)
                diagnostics = workspace.lint(name, config, assume_harness=True)
                parsed = workspace.read(name)
            graph = graph_of(parsed, diagnostics, None if args.document is None else args.document - 1)
    except ConfigError as exc:
        raise _Usage(str(exc)) from None
    except OSError as exc:
        raise _Usage(f"cannot read {args.path}: {exc.strerror or exc}") from None
    if graph is None:
        which = f"document {args.document} of {display}" if args.document else display
        raise _Usage(f"nothing to draw: {which} holds no Harness pipeline, stage, step group or step")
    graph["file"] = display
    drawing = render(graph, args.format)
    if args.output_file:
        try:
            folder = os.path.dirname(args.output_file)
            if folder:
                os.makedirs(folder, exist_ok=True)
            with open(args.output_file, "w", encoding="utf-8") as handle:
                handle.write(drawing)
        except OSError as exc:
            raise _Usage(f"cannot write {args.output_file}: {exc.strerror or exc}") from None
    else:
        (out or sys.stdout).write(drawing)
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
