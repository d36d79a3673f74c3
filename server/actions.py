"""Quick fixes for findings. Each is a minimal set of text edits: every other byte of the file, comments
included, stays as it is. The facts a fix needs come from the finding's `data`, filled in by the rule; the
text is only read to match the file's indentation and to find the ends of lines."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lsprotocol import types

from barrier_lint.diagnostics import Diagnostic
from barrier_lint.model import V1, Pipeline, Span
from barrier_lint.parse import Comment, find_comments
from barrier_lint.rules import find_rule
from barrier_lint.suppression import DIRECTIVE, MARKER

from .convert import Positions, inner_span, line_ending, to_lsp_diagnostic
from .documents import Analysis

Edit = tuple[Span, str]  # a text edit in code points: replace `span` with the text

_EMPTY_VALUE = re.compile(r"\s*:\s*(?:\[\s*\]|\{\s*\})?")


class Layout:
    """How this file indents: the step between nesting levels, and whether list dashes are indented under
    their key (`stages:\\n  - stage:`) or not (`stages:\\n- stage:`); and its line break (`eol`), which
    every inserted line uses."""

    def __init__(self, lines: list[str], eol: str = "\n") -> None:
        self.eol = eol
        steps: dict[int, int] = {}
        dash_offsets: dict[int, int] = {}
        gaps: dict[int, int] = {}  # columns from a dash to the key after it
        previous: tuple[int, str] | None = None
        for line in lines:
            stripped = line.lstrip(" ")
            if not stripped.strip() or stripped.startswith("#"):
                continue
            indent = len(line) - len(stripped)
            if previous is not None:
                prev_indent, prev_text = previous
                if prev_text.rstrip().endswith(":"):
                    if stripped.startswith("- "):
                        offset = indent - prev_indent
                        dash_offsets[offset] = dash_offsets.get(offset, 0) + 1
                    elif indent > prev_indent:
                        steps[indent - prev_indent] = steps.get(indent - prev_indent, 0) + 1
            previous = (indent, stripped.lstrip("- ") if stripped.startswith("- ") else stripped)
            if stripped.startswith("- "):
                gap = len(stripped) - len(stripped[1:].lstrip(" "))
                gaps[gap] = gaps.get(gap, 0) + 1
                previous = (indent + gap, previous[1])
        self.step = max(steps, key=steps.__getitem__) if steps else 2
        self.dash = max(dash_offsets, key=dash_offsets.__getitem__) if dash_offsets else self.step
        self.gap = max(gaps, key=gaps.__getitem__) if gaps else 2

    def entry(self, dash_col: int, identifier: str, key_col: int | None = None) -> str:
        """A `flowControl.barriers` entry declaring `identifier`, its dash at `dash_col`."""
        key_col = dash_col + self.gap if key_col is None else key_col
        return f"{' ' * dash_col}-{' ' * (key_col - dash_col - 1)}name: {identifier}{self.eol}{' ' * key_col}identifier: {identifier}"


def last_content_line(span: Span, lines: list[str]) -> int:
    """The last line that holds part of a block node (its end mark sits on the next token's line)."""
    line = min(span.end_line, len(lines) - 1)
    if span.end_line >= len(lines) or lines[line][: span.end_col].strip() in ("", "-"):
        line -= 1
    while line > span.start_line and (not lines[line].strip() or lines[line].strip().startswith("#")):
        line -= 1
    return max(line, span.start_line)


def _open_block(lines: list[str], key: Span) -> tuple[Span, str] | None:
    """Where to start writing children of a mapping key whose value is empty (`key:`, `key: []`, `key: {}`)
    or already a block: the span to replace and the text that replaces it (before the children)."""
    line = lines[key.end_line]
    match = _EMPTY_VALUE.match(line, key.end_col)
    if match is None:
        return None
    rest = line[match.end():].strip()
    if rest and not rest.startswith("#"):
        return None  # a value on the key's line (flow style): not a block we can add to
    if match.group().strip() != ":":  # `[]` or `{}`: turn into a block
        return Span(key.end_line, key.end_col, key.end_line, match.end()), ":"
    end = len(line)
    return Span(key.end_line, end, key.end_line, end), ""


def declare(pipeline: Pipeline, identifier: str, lines: list[str], layout: Layout) -> Edit | None:
    """An edit adding `- name: X / identifier: X` to `flowControl.barriers` (v1: `- X` to
    `pipeline.barriers`), creating what is missing."""
    if pipeline.syntax is V1:
        return _declare_v1(pipeline, identifier, lines, layout)
    if pipeline.declarations:
        last = pipeline.declarations[-1].span
        before = lines[last.start_line][: last.start_col].rstrip()
        if not before.endswith("-") or before[:-1].strip():
            return None  # a flow-style list
        dash_col = len(before) - 1
        end_line = last_content_line(last, lines)
        end = len(lines[end_line])
        return Span(end_line, end, end_line, end), layout.eol + layout.entry(dash_col, identifier, last.start_col)
    if pipeline.barriers_key is not None:
        opened = _open_block(lines, pipeline.barriers_key)
        if opened is None:
            return None
        span, head = opened
        return span, head + layout.eol + layout.entry(pipeline.barriers_key.start_col + layout.dash, identifier)
    if pipeline.flow_control_key is not None:
        opened = _open_block(lines, pipeline.flow_control_key)
        if opened is None:
            return None
        span, head = opened
        indent = pipeline.flow_control_key.start_col + layout.step
        return span, f"{head}{layout.eol}{' ' * indent}barriers:{layout.eol}" + layout.entry(indent + layout.dash, identifier)
    body = pipeline.span
    if body.start_line <= pipeline.key.start_line:
        return None  # a flow-style pipeline body
    indent = body.start_col
    eol = layout.eol
    text = f"{' ' * indent}flowControl:{eol}{' ' * (indent + layout.step)}barriers:{eol}"
    text += layout.entry(indent + layout.step + layout.dash, identifier) + eol
    return Span(body.start_line, 0, body.start_line, 0), text


def _declare_v1(pipeline: Pipeline, identifier: str, lines: list[str], layout: Layout) -> Edit | None:
    if pipeline.declarations:
        last = pipeline.declarations[-1].span
        before = lines[last.start_line][: last.start_col].rstrip()
        if before.endswith("-") and not before[:-1].strip():  # a block list: a new line like the last
            end_line = last_content_line(last, lines)
            end = len(lines[end_line])
            return Span(end_line, end, end_line, end), f"{layout.eol}{before}{' ' * (last.start_col - len(before))}{identifier}"
        return Span(last.end_line, last.end_col, last.end_line, last.end_col), f", {identifier}"  # `[a, b]`
    if pipeline.barriers_key is not None:
        key = pipeline.barriers_key
        opened = _open_block(lines, key)
        if opened is None:
            return None
        span, head = opened
        return span, f"{head}{layout.eol}{' ' * (key.start_col + layout.dash)}-{' ' * (layout.gap - 1)}{identifier}"
    body = pipeline.span
    if body.start_line <= pipeline.key.start_line:
        return None  # a flow-style pipeline body
    indent = body.start_col
    text = f"{' ' * indent}barriers:{layout.eol}{' ' * (indent + layout.dash)}-{' ' * (layout.gap - 1)}{identifier}{layout.eol}"
    return Span(body.start_line, 0, body.start_line, 0), text


def remove_declaration(pipeline: Pipeline, entry: Span, lines: list[str]) -> list[Edit]:
    before = lines[entry.start_line][: entry.start_col].rstrip()
    if not before.endswith("-") or before[:-1].strip():
        return []
    end_line = last_content_line(entry, lines)
    if end_line + 1 < len(lines):
        edits: list[Edit] = [(Span(entry.start_line, 0, end_line + 1, 0), "")]
    else:
        edits = [(Span(entry.start_line - 1, len(lines[entry.start_line - 1]), end_line, len(lines[end_line])), "")]
    key = pipeline.barriers_key
    if len(pipeline.declarations) == 1 and key is not None:
        # `barriers:` with nothing under it would be null; keep it an empty list.
        colon = _EMPTY_VALUE.match(lines[key.end_line], key.end_col)
        if colon is not None and colon.group().strip() == ":":
            at = lines[key.end_line].index(":", key.end_col) + 1
            edits.append((Span(key.end_line, at, key.end_line, at), " []"))
    return edits


def suppress(diagnostic: Diagnostic, comments: dict[int, list[Comment]], lines: list[str]) -> Edit | None:
    """`comments`: the document's comments by line, scanned once per request."""
    line = diagnostic.span.start_line
    if line >= len(lines):
        return None
    for comment in comments.get(line, []):
        marker = MARKER.search(comment.text)
        match = DIRECTIVE.match(comment.text, marker.start()) if marker is not None else None
        if match is None or match["kind"].lower() != "disable":
            continue
        rules = [find_rule(entry.strip()) for entry in match["rules"].split(",")]
        if any(rule is not None and rule.code == diagnostic.code for rule in rules):
            return None
        at = comment.col + match.end("rules")
        return Span(line, at, line, at), f",{diagnostic.code}"
    end = len(lines[line])
    return Span(line, end, line, end), f"  # barrier-lint: disable={diagnostic.code}"


# ---------------------------------------------------------------------------------------------- actions


def _pipeline_of(analysis: Analysis, diagnostic: Diagnostic) -> Pipeline | None:
    for document in analysis.parsed.documents:
        if document.index == diagnostic.document:
            return document.pipeline
    return None


def _overlaps(a: Span, b: Span) -> bool:
    return (a.start_line, a.start_col) <= (b.end_line, b.end_col) and (b.start_line, b.start_col) <= (a.end_line, a.end_col)


def code_actions(uri: str, analysis: Analysis, positions: Positions, requested: Span) -> list[types.CodeAction]:
    layout = Layout(analysis.lines, line_ending(analysis.text))
    comments: dict[int, list[Comment]] | None = None
    actions = []
    for diagnostic in analysis.diagnostics:
        if not _overlaps(diagnostic.span, requested):
            continue
        if comments is None:
            comments = {}
            for comment in find_comments(analysis.text):
                comments.setdefault(comment.line, []).append(comment)
        lsp_diagnostic = to_lsp_diagnostic(diagnostic, positions, uri)
        for title, edits, preferred in _fixes(analysis, diagnostic, layout, comments):
            if not edits:
                continue
            actions.append(
                types.CodeAction(
                    title=title,
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[lsp_diagnostic],
                    is_preferred=preferred or None,
                    edit=types.WorkspaceEdit(
                        changes={uri: [types.TextEdit(range=positions.range(s), new_text=t) for s, t in edits]}
                    ),
                )
            )
    return actions


def _fixes(
    analysis: Analysis, diagnostic: Diagnostic, layout: Layout, comments: dict[int, list[Comment]]
) -> Iterator[tuple[str, list[Edit], bool]]:
    lines = analysis.lines
    pipeline = _pipeline_of(analysis, diagnostic)
    data = diagnostic.data
    if pipeline is not None and diagnostic.code == "BL101" and data.get("ref"):
        ref = data["ref"]
        position = next((p for p in pipeline.positions if p.ref is not None and p.ref.span == diagnostic.span), None)
        suggestion = data.get("suggestion")
        if suggestion and position is not None and position.literal == ref:
            yield f"Change to '{suggestion}'", [(inner_span(position.ref, lines), suggestion)], True  # type: ignore[arg-type]
        edit = declare(pipeline, ref, lines, layout) if not ref.startswith("parent.") else None
        if edit is not None and ref not in pipeline.declared:
            yield f"Declare barrier '{ref}' in {pipeline.syntax.declarations_short}", [edit], not suggestion
    if pipeline is not None and diagnostic.code == "BL105" and isinstance(data.get("declaration"), Span):
        yield f"Remove unused barrier '{diagnostic.barrier}'", remove_declaration(pipeline, data["declaration"], lines), False
    if pipeline is not None and diagnostic.code == "BL204" and data.get("rollback_ref"):
        new_ref = data["rollback_ref"]
        position = next((p for p in pipeline.positions if p.ref is not None and p.ref.span == diagnostic.span), None)
        if position is not None:
            edits: list[Edit] = [(inner_span(position.ref, lines), new_ref)]  # type: ignore[arg-type]
            if new_ref not in pipeline.declared:
                edit = declare(pipeline, new_ref, lines, layout)
                if edit is None:
                    edits = []
                else:
                    edits.insert(0, edit)
            yield f"Use a separate rollback barrier '{new_ref}'", edits, True
    if diagnostic.code not in ("BL000", "BL901"):
        edit = suppress(diagnostic, comments, lines)
        if edit is not None:
            yield f"Suppress {diagnostic.code} on this line", [edit], False
