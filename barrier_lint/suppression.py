"""Inline suppression comments, applied inside the core so the CLI and the language server agree.

    barrierRef: deploy_done   # barrier-lint: disable=BL202
    # barrier-lint: disable-next-line=single-participant,BL206
    # barrier-lint: disable-file=BL105

Rules are named by code or name, comma-separated; text after the list is free (a reason). Comments are found
with `parse.find_comments`, so a `#` inside a quoted or block scalar is never read as one. A comment that
suppresses nothing (the rule does not fire there, or the name is not a rule) is reported as BL901.
"""

from __future__ import annotations

import re

from .config import Config
from .diagnostics import Diagnostic
from .model import Span
from .parse import Comment, find_comments, split_lines
from .patterns import pattern
from .records import field, record
from .rules import UnusedSuppression, find_rule

MARKER = pattern(r"#\s*barrier-lint\s*:", re.IGNORECASE)
DIRECTIVE = pattern(
    r"#\s*barrier-lint\s*:\s*(?P<kind>disable-next-line|disable-file|disable)\s*=\s*"
    r"(?P<rules>[\w-]+(?:\s*,\s*[\w-]+)*)",
    re.IGNORECASE,
)


@record(slots=True)
class Suppression:
    comment: Comment
    kind: str  # disable, disable-next-line or disable-file; "" when the comment could not be read
    line: int | None  # the 0-based line it covers (None: the whole file)
    entries: tuple[str, ...]  # as written
    own_line: bool  # nothing but the comment on its line
    used: set[str] = field(default_factory=set)

    def covers(self, d: Diagnostic) -> bool:
        return self.line is None or self.line == d.span.start_line

    def names(self, d: Diagnostic) -> list[str]:
        found = []
        for entry in self.entries:
            rule = find_rule(entry)
            if rule is not None and rule.code == d.code:
                found.append(entry)
        return found


def read_suppressions(text: str) -> list[Suppression]:
    """Every `# barrier-lint:` comment of `text`, read."""
    if not _mentions_barrier_lint(text) or MARKER.search(text) is None:
        # No marker in the text, so none in a comment (a comment is a piece of a line): the scan for comments,
        # which makes an object of every token of the file, is left out where the name is only in prose (a
        # comment saying "checked by barrier-lint" cost a small file's cold start a tenth).
        return []
    lines = split_lines(text)  # the parser's line model, so that comments and findings agree on line numbers
    found = []
    for comment in find_comments(text):
        marker = MARKER.search(comment.text)
        if marker is None:
            continue
        before = lines[comment.line][: comment.col] if comment.line < len(lines) else ""
        match = DIRECTIVE.match(comment.text, marker.start())
        if match is None:
            found.append(Suppression(comment, "", comment.line, (), not before.strip()))
            continue
        kind = match["kind"].lower()
        entries = tuple(e.strip() for e in match["rules"].split(","))
        line = {"disable": comment.line, "disable-next-line": comment.line + 1, "disable-file": None}[kind]
        found.append(Suppression(comment, kind, line, entries, not before.strip()))
    return found


_PIECE = 1 << 18  # code points of text lowered at a time


def _mentions_barrier_lint(text: str) -> bool:
    """Whether "barrier-lint", in any case, is in `text`: lowered a piece at a time (with an overlap of a
    word's length), since a lowered copy of the whole text (35 MB at a million lines) made the run's peak."""
    overlap = len("barrier-lint") - 1
    return any("barrier-lint" in text[i : i + _PIECE + overlap].lower() for i in range(0, len(text), _PIECE))


def apply_suppressions(text: str, diagnostics: list[Diagnostic], config: Config) -> list[Diagnostic]:
    """`diagnostics` without the suppressed ones, plus a BL901 for every comment that suppressed nothing."""
    suppressions = read_suppressions(text)
    if not suppressions:
        return diagnostics
    kept = _filter(diagnostics, suppressions)
    if not config.enabled(UnusedSuppression.code, UnusedSuppression.name):
        return kept
    unused = [d for s in suppressions if (d := _unused(s, config)) is not None]
    # A BL901 can itself be suppressed (`disable-file=BL901` while cleaning up).
    return sorted(kept + _filter(unused, suppressions), key=lambda d: d.sort_key)


def _filter(diagnostics: list[Diagnostic], suppressions: list[Suppression]) -> list[Diagnostic]:
    # The comments that cover each line, plus the file-wide ones: each finding meets only those (a file
    # with 200,000 comments must not compare every finding with every comment).
    by_line: dict[int | None, list[Suppression]] = {}
    for s in suppressions:
        by_line.setdefault(s.line, []).append(s)
    whole_file = by_line.get(None, [])
    kept = []
    for d in diagnostics:
        hit = False
        for s in (*whole_file, *by_line.get(d.span.start_line, ())):
            names = s.names(d)
            s.used.update(names)
            hit = hit or bool(names)
        if not hit:
            kept.append(d)
    return kept


def _unused(s: Suppression, config: Config) -> Diagnostic | None:
    comment = s.comment
    if not s.kind:
        problem = (
            "this barrier-lint comment is not understood: write "
            "'# barrier-lint: disable=CODE', 'disable-next-line=CODE' or 'disable-file=CODE' "
            "(codes or names, comma-separated)"
        )
        unused: list[str] = []
    else:
        unused = []
        unknown = []
        for entry in s.entries:
            rule = find_rule(entry)
            if rule is None:
                unknown.append(entry)
            elif entry in s.used or rule.code == UnusedSuppression.code:
                continue
            elif config.enabled(rule.code, rule.name):  # a rule turned off might fire: no verdict
                unused.append(entry)
        if not unused and not unknown:
            return None
        parts = []
        if unknown:
            parts.append(f"{_listing(unknown)} {'is not a rule' if len(unknown) == 1 else 'are not rules'}")
        if unused:
            where = {"disable": "on this line", "disable-next-line": "on the next line", "disable-file": "in this file"}[s.kind]
            what = ", ".join(f"{find_rule(e).code} ({find_rule(e).name})" for e in unused)
            parts.append(f"{what} {'is' if len(unused) == 1 else 'are'} not reported {where}")
        problem = "unused suppression: " + "; ".join(parts)
        if s.kind == "disable" and s.own_line and unused:
            problem += " (a 'disable=' comment on a line of its own covers only that line: use 'disable-next-line=')"
        unused = unused + unknown
    severity = config.severity_for(UnusedSuppression.code, UnusedSuppression.name, UnusedSuppression.severity)
    return Diagnostic(
        code=UnusedSuppression.code,
        rule=UnusedSuppression.name,
        severity=severity,
        message=problem,
        span=Span(comment.line, comment.col, comment.line, comment.col + len(comment.text)),
        tree_path=f"comment {comment.text}",
        data={"unused": unused, "entries": list(s.entries), "kind": s.kind},
    )


def _listing(entries: list[str]) -> str:
    return ", ".join(f"'{e}'" for e in entries)
