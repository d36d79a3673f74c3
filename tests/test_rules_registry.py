"""The rule catalogue is a contract (codes, names, default severities); the registry lists every rule
module exactly once; every rule documents itself in ruff's sections; docs/rules.md is not stale."""

from __future__ import annotations

import importlib
import pkgutil

import barrier_lint.rules as rules_package
from barrier_lint.rule_docs import render
from barrier_lint.rules import ALL_RULES, RULES, find_rule
from barrier_lint.rules.base import Rule

from .conftest import ROOT

# ../shared/rules.md, transcribed: users' configuration and outside tests depend on exactly this.
CONTRACT = {
    "BL000": ("invalid-yaml", "error"),
    "BL101": ("undeclared-barrier", "error"),
    "BL102": ("expression-in-barrier-ref", "error"),
    "BL103": ("runtime-input-barrier-ref", "info"),
    "BL104": ("duplicate-barrier-declaration", "error"),
    "BL105": ("unused-barrier", "warning"),
    "BL106": ("missing-barrier-ref", "error"),
    "BL107": ("invalid-barrier-declaration", "error"),
    "BL108": ("unresolved-template", "info"),
    "BL109": ("template-input-not-runtime", "error"),
    "BL110": ("template-cycle", "error"),
    "BL201": ("duplicate-barrier-ref-in-scope", "error"),
    "BL202": ("single-participant", "warning"),
    "BL203": ("sequential-barrier-participants", "error"),
    "BL204": ("rollback-barrier-cycle", "error"),
    "BL205": ("crossed-barrier-order", "error"),
    "BL206": ("conditional-participant", "warning"),
    "BL207": ("looping-max-concurrency", "error"),
    "BL208": ("sequential-multi-deployment", "error"),
    "BL209": ("stage-dependency-cycle", "error"),
    "BL301": ("barrier-step-strategy", "error"),
    "BL302": ("unsupported-stage-type", "error"),  # error for CI/SecurityTests/Pipeline, warning otherwise
    "BL303": ("invalid-timeout", "error"),
    "BL304": ("short-barrier-timeout", "warning"),
    "BL901": ("unused-suppression", "info"),
}
# Rules the catalogue has no code for, each chosen where an issue asked for a finding the catalogue lacks.
ADDED = {
    "BL001": ("unrecognised-harness-yaml", "info"),  # issue 12: Harness's top-level keys, neither v0 nor v1
}


def test_codes_names_and_severities_match_the_catalogue():
    assert {r.code: (r.name, r.severity.value) for r in ALL_RULES} == CONTRACT | ADDED


def test_registry_lists_every_rule_module_once_in_code_order():
    modules = [m.name for m in pkgutil.iter_modules(rules_package.__path__) if m.name.startswith("bl")]
    defined = []
    for name in modules:
        module = importlib.import_module(f"barrier_lint.rules.{name}")
        found = [obj for obj in vars(module).values() if isinstance(obj, type) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__]
        assert len(found) == 1, f"{name} must define exactly one rule"
        assert name.startswith(found[0].code.lower() + "_"), f"{name} holds {found[0].code}"
        defined.append(found[0])
    assert sorted(defined, key=lambda r: r.code) == list(ALL_RULES)
    assert [r.code for r in ALL_RULES] == sorted(r.code for r in ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


def test_engine_runs_every_document_rule():
    assert {type(r) for r in RULES} == {r for r in ALL_RULES if r.documents}


def test_every_rule_documents_itself_in_ruff_sections():
    for rule in ALL_RULES:
        doc = rule.documentation()
        headings = [line for line in doc.splitlines() if line.startswith("## ")]
        assert headings == ["## What it does", "## Why is this bad?", "## Example", "## Use instead"], rule.code
        assert rule.summary().endswith("."), rule.code


def test_find_rule_by_code_or_name():
    assert find_rule("bl203").name == "sequential-barrier-participants"
    assert find_rule("rollback-barrier-cycle").code == "BL204"
    assert find_rule("BL999") is None


def test_docs_page_is_generated_from_the_docstrings():
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/rules.md is stale: run `python -m barrier_lint.rule_docs > docs/rules.md`"


def test_rule_urls_point_at_their_docs_anchor():
    page = render()
    for rule in ALL_RULES:
        anchor = rule.url().split("#", 1)[1]
        assert f"## {rule.code} {rule.name}" in page
        assert anchor == f"{rule.code.lower()}-{rule.name}"
