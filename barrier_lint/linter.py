"""The single entry point of the analysis: `lint(text, config) -> list[Diagnostic]`.

Pure: no printing, no file system, no protocol. The CLI and the language server are adapters over it.
"""

from __future__ import annotations

from .analysis import Facts
from .config import Config
from .diagnostics import Diagnostic
from .model import DocumentKind
from .parse import ParsedFile, YamlProblem, looks_like_harness, parse
from .rules import RULES, InvalidYaml
from .suppression import apply_suppressions

DEFAULT_CONFIG = Config()


def lint(text: str, config: Config = DEFAULT_CONFIG, *, assume_harness: bool = False) -> list[Diagnostic]:
    """Every finding in `text`, sorted by position.

    YAML that does not parse gets BL000 when it looks like Harness YAML, or when `assume_harness` is set
    (a file the user named explicitly); other YAML is not ours to judge.
    """
    return lint_parsed(parse(text), config, assume_harness=assume_harness)


def lint_parsed(parsed: ParsedFile, config: Config = DEFAULT_CONFIG, *, assume_harness: bool = False) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    report_yaml = assume_harness or parsed.is_harness or looks_like_harness(parsed.text)
    # A duplicate key in a document that is not Harness YAML is not ours to report, unless the user named
    # the file explicitly.
    skipped = set() if assume_harness else {d.index for d in parsed.documents if d.kind is DocumentKind.OTHER}
    if report_yaml and config.enabled(InvalidYaml.code, InvalidYaml.name):
        diagnostics.extend(yaml_diagnostic(p, config) for p in parsed.problems if p.document not in skipped)
    for document in parsed.documents:
        if not document.kind.is_analysed or document.pipeline is None:
            continue
        facts = Facts(document)
        for rule in RULES:
            if document.kind not in rule.documents or not config.enabled(rule.code, rule.name):
                continue
            for finding in rule.check(facts, config):
                severity = config.severity_for(rule.code, rule.name, finding.severity or rule.severity)
                diagnostics.append(
                    Diagnostic(
                        code=rule.code,
                        rule=rule.name,
                        severity=severity,
                        message=finding.message,
                        span=finding.span,
                        related=finding.related,
                        document=document.index,
                        barrier=finding.barrier,
                        tree_path=finding.tree_path,
                        data=finding.data,
                    )
                )
    # Two positions that share a node through an alias can produce the same finding twice: keep one.
    diagnostics = sorted({(d.code, d.span, d.message): d for d in diagnostics}.values(), key=lambda d: d.sort_key)
    if report_yaml:
        # `# barrier-lint: disable...` comments; here so that every adapter (CLI, language server) agrees.
        diagnostics = apply_suppressions(parsed.text, diagnostics, config)
    return diagnostics


def yaml_diagnostic(problem: YamlProblem, config: Config = DEFAULT_CONFIG) -> Diagnostic:
    return Diagnostic(
        code=InvalidYaml.code,
        rule=InvalidYaml.name,
        severity=config.severity_for(InvalidYaml.code, InvalidYaml.name, InvalidYaml.severity),
        message=problem.message,
        span=problem.span,
        document=problem.document or 0,
    )
