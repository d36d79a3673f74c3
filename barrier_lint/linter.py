"""The single entry point of the analysis: `lint(text, config) -> list[Diagnostic]`.

Pure: no printing, no file system, no protocol. The CLI and the language server are adapters over it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from .analysis import Facts
from .config import Config
from .diagnostics import Diagnostic, Related
from .model import Document, DocumentKind, Span
from .parse import ParsedFile, YamlProblem, looks_like_harness, parse
from .records import replace
from .rules import RULES, InvalidYaml
from .suppression import apply_suppressions

DEFAULT_CONFIG = Config()


SpanKey = tuple[int, int, int, int]
ReportedIn = Callable[[str], "set[tuple[str, SpanKey]]"]  # a template file -> (code, range) it reports itself


def lint(text: str, config: Config = DEFAULT_CONFIG, *, assume_harness: bool = False) -> list[Diagnostic]:
    """Every finding in `text`, sorted by position, the file read on its own (template uses unresolved;
    `barrier_lint.workspace.Workspace.lint` resolves them against a repository).

    YAML that does not parse gets BL000 when it looks like Harness YAML, or when `assume_harness` is set
    (a file the user named explicitly); other YAML is not ours to judge.
    """
    return lint_parsed(parse(text), config, assume_harness=assume_harness)


def lint_parsed(
    parsed: ParsedFile,
    config: Config = DEFAULT_CONFIG,
    *,
    assume_harness: bool = False,
    reported_in: ReportedIn | None = None,
    extra: Iterable[Diagnostic] = (),
) -> list[Diagnostic]:
    """`lint` on a parsed file. `reported_in` says what other files report themselves (the workspace);
    `extra` are findings from elsewhere to report in this file (the runs of an input set), placed and
    suppressed like the file's own."""
    diagnostics: list[Diagnostic] = []
    report_yaml = assume_harness or parsed.is_harness or looks_like_harness(parsed.text)
    # A duplicate key in a document that is not Harness YAML is not ours to report, unless the user named
    # the file explicitly.
    skipped = set() if assume_harness else {d.index for d in parsed.documents if d.kind is DocumentKind.OTHER}
    if report_yaml and config.enabled(InvalidYaml.code, InvalidYaml.name):
        diagnostics.extend(yaml_diagnostic(p, config) for p in parsed.problems if p.document not in skipped)
    for document in parsed.documents:
        diagnostics.extend(document_findings(document, config))
    diagnostics.extend(extra)
    diagnostics = place_across_files(diagnostics, reported_in)
    if report_yaml:
        # `# barrier-lint: disable...` comments; here so that every adapter (CLI, language server) agrees.
        diagnostics = apply_suppressions(parsed.text, diagnostics, config)
    return diagnostics


def document_findings(document: Document, config: Config = DEFAULT_CONFIG) -> list[Diagnostic]:
    """What the rules find in one document, before placement across files and suppressions."""
    if document.pipeline is None:  # input sets, other templates, other YAML: nothing to analyse
        return []
    found = []
    facts = Facts(document)
    for rule in RULES:
        if document.kind not in rule.documents or not config.enabled(rule.code, rule.name):
            continue
        for finding in rule.check(facts, config):
            severity = config.severity_for(rule.code, rule.name, finding.severity or rule.severity)
            found.append(
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
    return found


def yaml_diagnostic(problem: YamlProblem, config: Config = DEFAULT_CONFIG) -> Diagnostic:
    return Diagnostic(
        code=InvalidYaml.code,
        rule=InvalidYaml.name,
        severity=config.severity_for(InvalidYaml.code, InvalidYaml.name, InvalidYaml.severity),
        message=problem.message,
        span=problem.span,
        document=problem.document or 0,
    )


# A template cycle is reported in every file that reaches it, at that file's own use (the cycle looks
# different from each), never left to one of the templates.
SEEN_FROM_EACH_FILE = frozenset({"BL110"})


def span_key(span: Span) -> SpanKey:
    return (span.start_line, span.start_col, span.end_line, span.end_col)


def place_across_files(diagnostics: list[Diagnostic], reported_in: ReportedIn | None = None) -> list[Diagnostic]:
    """Report each finding once, in the analysed file (rules.md, "Where a finding is reported").

    A finding on a node spliced in from another file (its span has an `Origin`) is either left to that
    file, when the template's own analysis reports it and the finding lies within one use (rule 1), or
    moved to the use in this file through which the node is reached (rule 2): its range becomes the use's
    `templateRef` value, the message names the template and the node's file and line, and `related`
    starts with the node itself. The same finding reached through several uses, or through aliases, is
    reported once per (code, range).
    """
    placed: dict[tuple, Diagnostic] = {}
    for d in diagnostics:
        origin = d.span.origin
        if origin is None:
            # Two positions that share a node through an alias can produce the same finding twice: keep one.
            placed.setdefault((d.code, d.span, d.message), d)
            continue
        if (
            reported_in is not None
            and d.code not in SEEN_FROM_EACH_FILE
            and _within_one_use(d)
            and (d.code, span_key(d.span)) in reported_in(origin.file)
        ):
            continue
        moved = replace(
            d,
            span=origin.via,
            message=f"{d.message} (through {origin.label}: {origin.file}:{d.span.start_line + 1})",
            related=(Related(d.span, f"where it is, in {origin.label}"), *d.related),
            data={},  # fixes edit the range they are given; this range is the use, not the finding
        )
        key = (moved.code, moved.span)
        earlier = placed.get(key)
        if earlier is None:
            placed[key] = moved
        else:  # one use, several findings of one rule: one report that points at each of them
            extra = tuple(r for r in moved.related if r not in earlier.related)
            placed[key] = replace(earlier, related=earlier.related + extra)
    return sorted(placed.values(), key=lambda d: d.sort_key)


def _within_one_use(d: Diagnostic) -> bool:
    origin = d.span.origin
    assert origin is not None
    return all(
        r.span.origin is not None and r.span.origin.file == origin.file and r.span.origin.via == origin.via
        for r in d.related
    )
