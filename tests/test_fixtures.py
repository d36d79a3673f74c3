"""Golden fixtures in the actionlint style: every ok/*.yaml lints clean, and every err/x.yaml produces
exactly the lines in err/x.out (`file:line:col: CODE message`). Regenerate with --update-golden, then
review the diff: the .out files are the specification."""

from __future__ import annotations

import io

import pytest

from barrier_lint import lint
from barrier_lint.output import FileResult, RenderOptions
from barrier_lint.output.text import render
from barrier_lint.rules import ALL_RULES

from .conftest import FIXTURES

OK = sorted((FIXTURES / "ok").glob("*.yaml"))
ERR = sorted((FIXTURES / "err").glob("*.yaml"))


def text_output(path) -> str:
    out = io.StringIO()
    diagnostics = lint(path.read_text(encoding="utf-8"))
    render([FileResult(path.name, diagnostics)], out, RenderOptions(quiet=True))
    return out.getvalue()


@pytest.mark.parametrize("path", OK, ids=lambda p: p.name)
def test_ok_fixture_is_clean(path):
    assert lint(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", ERR, ids=lambda p: p.name)
def test_err_fixture_matches_golden(path, update_golden):
    expected_file = path.with_suffix(".out")
    actual = text_output(path)
    if update_golden:
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")


def test_every_rule_has_a_failing_fixture():
    reported = set()
    # single files here; rules that need other files (templates) in the golden workspaces of test_workspace.py
    outs = [path.with_suffix(".out") for path in ERR] + sorted((FIXTURES.parent / "workspaces").glob("*.out"))
    for out in outs:
        reported |= {line.split()[1] for line in out.read_text().splitlines() if line and not line[0].isspace()}
    missing = {rule.code for rule in ALL_RULES} - reported - {"BL901"}  # BL901 has its suppression tests
    assert not missing, f"rules without a failing golden fixture: {sorted(missing)}"


def test_every_err_fixture_is_named_after_a_rule_it_triggers():
    for path in ERR:
        code = path.name.split("_", 1)[0].upper()
        assert f" {code} " in path.with_suffix(".out").read_text(), path.name


PAIR_RULES = {"BL201", "BL203", "BL204"}


@pytest.mark.parametrize("path", ERR, ids=lambda p: p.name)
def test_one_mistake_one_finding(path):
    """rules.md: BL201, BL203 and BL204 each report a pair of positions, and no pair is reported twice."""
    seen = {}
    for d in lint(path.read_text(encoding="utf-8")):
        if d.code not in PAIR_RULES:
            continue
        for related in d.related:
            pair = (d.span, related.span)
            assert pair not in seen, f"{d.code} and {seen[pair]} both report the pair at {pair}"
            seen[pair] = d.code
