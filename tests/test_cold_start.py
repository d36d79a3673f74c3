"""What a plain lint of one file imports (docs/performance.md, "Cold start"): the modules below are left out of
it on purpose, each for a reason given where it is imported; a change that brings one back fails here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import ROOT

# Never needed to lint one file with no configuration file, no template use, no cache and no finding.
NOT_IMPORTED = (
    "dataclasses",  # barrier_lint.records builds the value classes
    "inspect",
    "typing",  # annotations only (never evaluated)
    "tempfile",  # only when a report file is written
    "shutil",  # argparse's help formatter asks it for the terminal width: only help needs the width
    "tomllib",  # only when a configuration file can hold a barrier-lint table
    "pathlib",  # only when a configuration file is read
    "urllib.parse",
    "difflib",  # only for a "did you mean"
    "json",
    "hashlib",
    "concurrent.futures",  # only with more files than POOL_THRESHOLD
    "ruamel.yaml.main",  # syntax.py imports the parser without the package's __init__
    "ruamel.yaml.reader",  # the C extension asks these for an error class only: stand-ins while it loads
    "ruamel.yaml.scanner",
    "ruamel.yaml.parser",
    "ruamel.yaml.constructor",
    "ruamel.yaml.representer",
    "ruamel.yaml.emitter",
    "datetime",  # ruamel.yaml.reader's (through ruamel.yaml.util)
    "argparse",  # a command line of flags and paths is read without it
    "locale",  # gettext's, for argparse's messages
    "barrier_lint.workspace",  # only for a file that uses a template, a child pipeline or an input set
    "barrier_lint.cache",  # --no-cache
    "barrier_lint.readers.v1",  # only for a v1 document
    "contextlib",  # v1's, for a context manager
    "barrier_lint.crossings",  # only for a pipeline whose references reach each other in a cycle (BL205)
)

# Runs the command as `python -m barrier_lint` does (`__main__.run`), then prints what was imported (at exit:
# something registered to run at exit is why `run` returns instead of ending the process itself).
PROBE = """
import atexit
import sys
sys.argv = ["barrier-lint", *sys.argv[1:]]
atexit.register(lambda: print(" ".join(sorted(sys.modules)), file=sys.stderr))
from barrier_lint.__main__ import run
raise SystemExit(run())
"""


def imported(args: list[str], cwd) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=cwd, capture_output=True, text=True, env=_env(), check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return set(done.stderr.strip().splitlines()[-1].split())


def at_start_up(cwd) -> set[str]:
    """What the interpreter imports before any of our code (an editable install's finder imports pathlib)."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; print(' '.join(sys.modules))"],
        cwd=cwd, capture_output=True, text=True, env=_env(), check=True,
    )
    return set(done.stdout.split())


def _env() -> dict:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")  # this checkout's barrier_lint
    return env


@pytest.fixture
def repository(tmp_path):
    """A folder with one clean pipeline and a pyproject.toml that has no [tool.barrier-lint] table (it mentions
    barrier-lint, as a project's own pyproject.toml does)."""
    shutil.copy(ROOT / "examples" / "release_clean.yaml", tmp_path / "release.yaml")
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "barrier-lint"\n\n[project.scripts]\nbarrier-lint = "barrier_lint.__main__:run"\n\n'
        '[tool.ruff]\nline-length = 120\n',
        encoding="utf-8",
    )
    return tmp_path


def test_a_plain_lint_of_one_file_imports_none_of_the_modules_it_does_not_need(repository):
    found = imported(["-q", "--no-cache", "release.yaml"], repository) - at_start_up(repository)
    assert "barrier_lint.linter" in found and "_ruamel_yaml" in found  # the probe did lint the file
    assert sorted(found & set(NOT_IMPORTED)) == []


def test_the_collector_is_off_for_the_command_and_on_again_for_a_library_user(repository):
    script = (
        "import atexit, gc, sys\n"
        "sys.argv = ['barrier-lint', '-q', '--no-cache', 'release.yaml']\n"
        "import barrier_lint.cli\n"
        "assert gc.isenabled()  # importing the library leaves the collector alone\n"
        "atexit.register(lambda: print(gc.isenabled()))\n"
        "from barrier_lint.__main__ import run\n"
        "raise SystemExit(run())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=repository, capture_output=True, text=True, env=_env(), check=False
    )
    assert (done.returncode, done.stdout.strip()) == (0, "False"), done.stderr


def test_a_pyproject_toml_with_the_table_is_still_read(repository):
    """The text check before the TOML parser: every way TOML can write [tool.barrier-lint] is still found."""
    spellings = [
        "[tool.barrier-lint]\nignore = ['BL202']\n",
        '[ tool . "barrier-lint" ]\nignore = ["BL202"]\n',
        "[tool]\nbarrier-lint = { ignore = ['BL202'] }\n",
        "tool.barrier-lint.ignore = ['BL202']\n",
        "tool = { barrier-lint = { ignore = ['BL202'] } }\n",
        "[tool.barrier-lint.severity]\nBL202 = 'off'\n",
        '[tool]\n"barrier\\u002dlint" = { ignore = ["BL202"] }\n',  # the word only through an escape
    ]
    from barrier_lint.settings import config_for

    for text in spellings:
        (repository / "pyproject.toml").write_text(text, encoding="utf-8")
        config = config_for(repository / "release.yaml")
        assert not config.enabled("BL202", "single-participant"), text
    (repository / "pyproject.toml").write_text("[tool.ruff]\nline-length = 120\n", encoding="utf-8")
    assert config_for(repository / "release.yaml").source is None


def test_a_pyproject_toml_without_the_word_or_an_escape_is_not_searched_with_the_pattern(repository, monkeypatch):
    from barrier_lint import settings

    class NoPattern:
        def search(self, *args):
            raise AssertionError("searched with the pattern")

    (repository / "pyproject.toml").write_text("[tool]\nruff = { line-length = 120 }\n", encoding="utf-8")
    monkeypatch.setattr(settings, "re", NoPattern())
    assert settings.config_for(repository / "release.yaml").source is None


def test_a_configuration_file_brings_the_toml_parser_back(repository):
    (repository / "pyproject.toml").write_text("[tool.barrier-lint]\nignore = ['BL202']\n", encoding="utf-8")
    found = imported(["-q", "--no-cache", "release.yaml"], repository)
    assert "tomllib" in found or "tomli" in found


# Lints text with a syntax error and text with a control character, then uses ruamel.yaml itself.
AFTER_THE_LINT = """
import sys
from barrier_lint import lint

for text in ("pipeline:\\n  name: [x\\n", "pipeline:\\n  name: a\\x07b\\n"):
    print([(d.code, d.span.start_line, d.span.start_col, d.message) for d in lint(text)])
print(sorted(m for m in ("ruamel.yaml.reader", "ruamel.yaml.scanner", "ruamel.yaml.parser", "ruamel.yaml.emitter") if m in sys.modules))
import _ruamel_yaml
import ruamel.yaml
import ruamel.yaml.parser
import ruamel.yaml.reader
import ruamel.yaml.scanner

print(ruamel.yaml.YAML().load("a: [1, 2]\\n"), ruamel.yaml.YAML(typ="safe").load("b: {c: d}\\n"))
print(_ruamel_yaml.ParserError is ruamel.yaml.parser.ParserError, _ruamel_yaml.ReaderError is ruamel.yaml.reader.ReaderError)
try:
    ruamel.yaml.YAML(typ="safe").load("a: [1\\n")  # the C parser's error, caught as ruamel.yaml's users catch it
except ruamel.yaml.parser.ParserError as exc:
    print("ParserError", exc.problem_mark.line, exc.problem_mark.column)
print([type(finder).__name__ for finder in sys.meta_path if type(finder).__module__.startswith("barrier_lint")])
"""

LINTED = [
    "[('BL000', 2, 0, \"YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 2)\")]",
    "[('BL000', 1, 9, 'the file contains the character U+0007, which YAML does not allow (control characters are not "
    "allowed)')]",
]


def test_the_c_parser_loads_without_the_modules_it_asks_for_error_classes_and_they_are_real_for_everyone_else():
    done = subprocess.run([sys.executable, "-c", AFTER_THE_LINT], capture_output=True, text=True, env=_env(), check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        *LINTED,
        "[]",  # none of them was imported by the lint
        "{'a': [1, 2]} {'b': {'c': 'd'}}",
        "True True",  # the extension raises the real classes once their modules are imported
        "ParserError 1 0",
        "[]",  # and the finder that made them real has left
    ]


# An extension that asks a module for more than its error class, as a later ruamel.yaml.clib might: it loads
# the real extension only after that import worked.
CHANGED_EXTENSION = """
from ruamel.yaml.reader import Reader  # noqa: F401  (a name no stand-in has)
import importlib.machinery
import importlib.util
import sys

_spec = importlib.machinery.PathFinder.find_spec("_ruamel_yaml", [p for p in sys.path if p != {here!r}])
_real = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_real)
globals().update({{name: value for name, value in vars(_real).items() if not name.startswith("__")}})
"""


def test_an_extension_that_asks_a_stand_in_for_anything_else_is_imported_plainly(tmp_path):
    (tmp_path / "_ruamel_yaml.py").write_text(CHANGED_EXTENSION.format(here=str(tmp_path)), encoding="utf-8")
    env = _env()
    env["PYTHONPATH"] = str(tmp_path) + os.pathsep + env["PYTHONPATH"]
    done = subprocess.run([sys.executable, "-c", AFTER_THE_LINT], capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[:2] == LINTED
    assert lines[2:] == [
        "['ruamel.yaml.emitter', 'ruamel.yaml.parser', 'ruamel.yaml.reader', 'ruamel.yaml.scanner']",  # the real ones
        "{'a': [1, 2]} {'b': {'c': 'd'}}",
        "True True",
        "ParserError 1 0",
        "[]",
    ]


# (argv, whether it is read without argparse): every way a command line of flags and paths can be written.
COMMAND_LINES = [
    ([], True),
    (["release.yaml"], True),
    (["-q", "--no-cache", "a.yaml", "b.yaml"], True),
    (["a.yaml", "b.yaml", "-q"], True),
    (["-q", "a.yaml", "--exit-zero", "--statistics"], True),
    (["--show-files", "--harness-only", "--force-exclude", "--no-resolve", "--no-respect-gitignore", "--quiet"], True),
    (["", "x"], True),  # an empty path is a path to argparse too
    (["a.yaml", "-q", "b.yaml"], False),  # argparse's "unrecognized arguments: b.yaml"
    (["-"], False),
    (["--", "rule"], False),
    (["-1"], False),  # argparse takes it for a path (a negative number); read by argparse all the same
    (["-qq"], False),
    (["--quiet=1"], False),
    (["--qui"], False),
    (["--format", "json", "a.yaml"], False),
    (["--select", "BL101"], False),
    (["--help"], False),
    (["--version"], False),
]


@pytest.mark.parametrize(("argv", "fast"), COMMAND_LINES)
def test_a_command_line_of_flags_and_paths_is_read_as_argparse_reads_it(argv, fast):
    from barrier_lint import cli

    read = cli._fast_arguments(argv)
    assert (read is not None) == fast
    if read is not None:
        assert vars(read) == vars(cli.build_parser().parse_args(argv))


def test_the_fast_reading_knows_every_option_of_the_parser():
    """A new option in `build_parser` must be in `_DEFAULTS` (and in `_FLAGS` if it takes no value), or the
    fast reading would leave it out."""
    from barrier_lint import cli

    parser = cli.build_parser()
    assert vars(parser.parse_args([])) == cli._DEFAULTS
    actions = [a for a in parser._actions if a.dest not in ("help", "version")]
    flags = {o: (a.dest, a.const) for a in actions if a.nargs == 0 for o in a.option_strings}
    assert flags == cli._FLAGS


def test_a_usage_error_after_a_fast_reading_is_reported_as_the_parser_reports_it(capsys):
    from barrier_lint import cli

    with pytest.raises(SystemExit) as exit_:
        cli._ParserOnDemand().error("--select: no rule given")
    assert exit_.value.code == 2
    assert capsys.readouterr().err == "barrier-lint: error: --select: no rule given\n(see `barrier-lint --help`)\n"


LINT_MODULES = {"barrier_lint.linter", "barrier_lint.parse", "barrier_lint.syntax", "barrier_lint.rules", "_ruamel_yaml"}


def test_a_run_whose_every_file_is_a_cache_hit_imports_neither_the_parser_nor_the_rules(repository):
    shutil.copy(ROOT / "examples" / "sequential_stages.yaml", repository / "sequential.yaml")
    args = ["release.yaml", "sequential.yaml"]
    first = subprocess.run([sys.executable, "-m", "barrier_lint", *args], cwd=repository, capture_output=True, text=True, env=_env(), check=False)
    assert first.returncode == 1 and "sequential.yaml:57:33: BL203" in first.stdout, first.stdout + first.stderr
    done = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=repository, capture_output=True, text=True, env=_env(), check=False)
    assert (done.returncode, done.stdout) == (first.returncode, first.stdout)  # the same findings, from the cache
    hit = set(done.stderr.strip().splitlines()[-1].split())
    assert "barrier_lint.cache" in hit and sorted(hit & LINT_MODULES) == []
    (repository / "release.yaml").write_text((repository / "release.yaml").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert LINT_MODULES <= imported(["-q", "release.yaml"], repository)  # a miss imports them all again


def _record_classes():
    from barrier_lint.records import field, record

    def make():
        @record(frozen=True, slots=True)
        class Frozen:
            a: int
            b: str = "b"
            c: list = field(default_factory=list, compare=False)

        @record
        class Mutable:
            a: int
            b: str = "b"
            c: dict = field(default_factory=dict)

        return Frozen, Mutable

    return make


CALLS = [((1,), {}), ((1, "x"), {}), ((), {"a": 2, "c": [3]}), ((1,), {"b": "y"}), ((), {"b": "z", "a": 4})]
BAD_CALLS = [((), {}), ((1, "x", [], 4), {}), ((1,), {"a": 1}), ((1,), {"d": 1}), ((), {"b": "x"})]


def test_a_records_first_objects_are_made_as_its_compiled_init_makes_them():
    """A record's first objects are made without compiling its `__init__` (records.COMPILE_AFTER): the same
    fields, defaults and factories, and the very errors the compiled one raises."""
    from barrier_lint import records

    make = _record_classes()
    early, compiled = make(), make()
    for cls in compiled:
        cls.__init__ = records._compiled_init(cls)
    for (early_cls, compiled_cls) in zip(early, compiled):
        for args, kwargs in CALLS:
            first, second = early_cls(*args, **kwargs), compiled_cls(*args, **kwargs)
            assert repr(first) == repr(second)
        for args, kwargs in BAD_CALLS:
            with pytest.raises(TypeError) as first:
                early_cls(*args, **kwargs)
            with pytest.raises(TypeError) as second:
                compiled_cls(*args, **kwargs)
            assert str(first.value) == str(second.value)
    frozen = early[0](5)
    with pytest.raises(records.FrozenInstanceError):
        frozen.a = 6
    assert early[0](5).c is not frozen.c  # a fresh list from the factory each time


def test_a_record_class_compiles_its_init_once_it_has_made_enough_objects():
    from barrier_lint import records

    frozen, _ = _record_classes()()
    for count in range(records.COMPILE_AFTER):
        assert frozen.__init__ is records._first_init, count
        frozen(count)
    frozen(-1)
    assert frozen.__init__ is not records._first_init
    assert frozen.__init__.__qualname__.endswith("Frozen.__init__") and frozen(7, "q") == frozen(7, "q")


def test_the_command_that_ends_its_process_itself_writes_all_its_output_first(repository):
    """Piped standard output is block-buffered: ending the process without the interpreter's teardown
    (`__main__._end_now`) must flush it first."""
    shutil.copy(ROOT / "examples" / "sequential_stages.yaml", repository / "sequential.yaml")
    done = subprocess.run([sys.executable, "-m", "barrier_lint", "--no-cache", "sequential.yaml", "-"], input="a: [\n",
                          cwd=repository, capture_output=True, text=True, env=_env(), check=False)
    assert done.returncode == 1 and done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0].startswith("sequential.yaml:57:33: BL203 [error]")
    assert lines[1].startswith("-:2:1: BL000 [error] YAML syntax error")
    assert lines[-1] == "2 errors in 2 files (2 files checked)"


@pytest.mark.parametrize("watched", ["atexit", "trace", "profile", "thread", "closed pipe"])
def test_the_command_ends_its_process_itself_only_when_nothing_expects_the_normal_exit(monkeypatch, watched):
    import atexit
    import threading

    from barrier_lint import __main__

    ended = []
    monkeypatch.setattr(__main__.os, "_exit", ended.append)
    monkeypatch.setattr(atexit, "_ncallbacks", lambda: 0)
    __main__._end_now(3)
    assert ended == [3]
    if watched == "atexit":
        monkeypatch.setattr(atexit, "_ncallbacks", lambda: 1)
    elif watched == "trace":
        monkeypatch.setattr(sys, "gettrace", lambda: print)
    elif watched == "profile":
        monkeypatch.setattr(sys, "getprofile", lambda: print)
    elif watched == "thread":
        monkeypatch.setattr(threading, "active_count", lambda: 2)
    else:
        class Closed:
            def flush(self):
                raise BrokenPipeError(32, "Broken pipe")

        monkeypatch.setattr(sys, "stdout", Closed())
    __main__._end_now(4)
    assert ended == [3]


def test_a_lazy_pattern_is_the_compiled_pattern_once_used():
    import re

    from barrier_lint.patterns import pattern

    lazy, compiled = pattern(r"(?P<word>b\w+)", re.IGNORECASE), re.compile(r"(?P<word>b\w+)", re.IGNORECASE)
    assert vars(lazy) == {"_source": r"(?P<word>b\w+)", "_flags": re.IGNORECASE}  # nothing compiled yet
    text = "a Barrier, bar and baz"
    assert lazy.search(text).group("word") == compiled.search(text).group("word") == "Barrier"
    assert lazy.findall(text) == compiled.findall(text) == ["Barrier", "bar", "baz"]
    assert lazy.sub("x", text) == "a x, x and x" and lazy.fullmatch("bob").span() == (0, 3)
    assert lazy.match(text) is None and (lazy.pattern, lazy.flags) == (compiled.pattern, compiled.flags)


LAZY_PATTERNS = """
import atexit, sys
def report():
    from barrier_lint import model, readers, suppression, syntax
    from barrier_lint.readers import v1
    from barrier_lint.rules import bl107_invalid_barrier_declaration as bl107
    lazy = [model._TEMPLATE_INPUT, model._INPUT_VALUES, syntax._SURROGATE, syntax._HARNESS_MARKER, syntax._LINE_BREAK,
            v1._INPUT_REFERENCE, readers.V1_TEMPLATE_PATH, suppression.DIRECTIVE,
            model._RUNTIME_INPUT, model._DURATION, model._DURATION_PART, bl107.IDENTIFIER]
    print(sum(len(vars(p)) > 2 for p in lazy), file=sys.stderr)
atexit.register(report)
sys.argv = ["barrier-lint", "-q", "--no-cache", "release.yaml"]
from barrier_lint.__main__ import run
raise SystemExit(run())
"""


def test_a_plain_lint_of_one_file_compiles_none_of_the_patterns_it_does_not_use(repository):
    done = subprocess.run([sys.executable, "-c", LAZY_PATTERNS], cwd=repository, capture_output=True, text=True, env=_env(), check=False)
    assert (done.returncode, done.stderr) == (0, "0\n")


def test_a_file_that_names_barrier_lint_only_in_prose_is_not_scanned_for_comments(monkeypatch):
    """The scan for comments makes an object of every token of the file: only text with a `# barrier-lint:`
    marker somewhere needs it (examples/release_clean.yaml names the linter in a comment)."""
    from barrier_lint import suppression

    monkeypatch.setattr(suppression, "find_comments", lambda text: pytest.fail("scanned for comments"))
    text = (ROOT / "examples" / "release_clean.yaml").read_text(encoding="utf-8")
    assert "barrier-lint" in text
    assert suppression.read_suppressions(text) == []
    assert suppression.read_suppressions("a: 1  # Barrier-Lint has nothing to say\n") == []


# Unicode digits, a dotless i, a Kelvin sign, leading zeros, spaces and line breaks, empty and long values.
TRICKY = ["", "m", "0m", "01m", "10m", "1h 30m", "1d2h", "10m ", " 10m", "\u0663m", "\u00b2m", "5", "1x", "10M",
          "a", "_", "0a", "a" * 128, "a" * 129, "a-b", "\u00e9", "a\u0663", "ab c", "\u0131", "x\u212a", "a\n", "1h  30m"]


def test_the_values_read_without_patterns_are_read_as_the_patterns_read_them():
    import re

    from barrier_lint.model import duration_seconds, is_runtime_input
    from barrier_lint.rules.bl107_invalid_barrier_declaration import is_identifier

    duration, part = re.compile(r"[1-9][0-9]*[smhdw]( ?[0-9]+[smhdw])*"), re.compile(r"([0-9]+)([smhdw])")
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    runtime_input = re.compile(
        r"<\+input>((\.)((executionInput\(\))|(allowedValues|selectOneFrom|selectManyFrom|default|regex)\(.+?\)))*"
    )
    for value in [*TRICKY, " <+input> ", "<+input>.default(a)", "x<+input>", "<+input>x", "<+input.x>"]:
        seconds = sum(int(n) * units[u] for n, u in part.findall(value)) if duration.fullmatch(value) else None
        assert duration_seconds(value) == seconds, value
        assert is_identifier(value) == bool(re.fullmatch(r"[a-zA-Z_][0-9a-zA-Z_]{0,127}", value)), value
        assert is_runtime_input(value) == bool(runtime_input.fullmatch(value.strip())), value
