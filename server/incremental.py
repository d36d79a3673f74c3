"""Re-reading only the stage an edit touched: the previous version's model with one entry read again.

When a change lies inside one entry of a pipeline's `stages` list (a `- stage:` item, or one `- stage:` member
of a `- parallel:` item) and the text outside that entry is unchanged, the full parse would see the same
events before the entry (the same prefix), the same events inside it (the same text, in the same block
context), and the same events after it (the entry's blocks are closed by the same following line, and no
flow collection, quoted scalar or anchor crosses the boundary). So the entry's text is parsed alone, at its
own lines and columns, under a skeleton that rebuilds its block context and its path (`stages[i].parallel[j]`
through placeholder entries), and its stages, step groups and Barrier steps replace the previous model's.
Everything else (declarations, the other stages' objects) is shared with the previous model, which is
never changed; when the edit added or removed lines, the objects below the entry are copies with their
spans moved.

`reparse` returns None (the caller parses the whole text) whenever anything could differ from the full
parse: the previous parse had a problem or the entry's does; a line break is not LF; the change touches
the entry's first line or lies outside every stage entry; the entry's extent changes; the entry (before or
after) has an anchor or alias; the document is not the one v0 pipeline of the file, or (read on its own)
uses templates or chained pipelines; the file is not laid out as block lists under a `pipeline:` key on
its first line. A model read against a workspace (`resolved`) may hold template uses and chained
pipelines in its other entries, kept as they are (moved when lines were added): the entry itself, before
and after, must name no other file, and the caller (`workspace.lint_in`) vouches that the workspace is
in the state the previous model was read in. Correctness is pinned by `tests/test_server_incremental.py`,
which compares every version of random edit chains with a full analysis, alone and in a workspace.
"""

from __future__ import annotations

import bisect
import enum
import operator
import re

from barrier_lint.model import Document, DocumentKind, Origin, Pipeline, Span, Stage, Syntax, Text
from barrier_lint.parse import ParsedFile, origin_of, parse, with_other_origin
from barrier_lint.records import fields, is_record

# An anchor or an alias where a node can start (after indentation, `- `, `: `, `? `, a flow indicator, or a
# tag). False positives (a `* item` line in a block scalar) only cost the full parse.
_ANCHOR_OR_ALIAS = re.compile(r"(?:^[ \t]*|[-:?][ \t]+|[\[{,][ \t]*|![^\s]*[ \t]+)[&*][^\s\[\]{},]", re.MULTILINE)
# What the workspace reads another file for, or indexes a file by (`index._names`): a template use, a
# v1 `uses`, a chained pipeline (`type: Pipeline`, `spec.pipeline`). Anywhere in an entry (a word in a script
# too) it only costs the full analysis.
_NAMES_OTHER_FILES = re.compile(r"template|uses|pipeline", re.IGNORECASE)
# Where an entry's `stage` key sits: after the item's dash (`- stage:`, `-   stage:`).
_DASH = re.compile(r"( *)- +$")
# Line breaks other than LF (YAML 1.1 also breaks lines at NEL, LS and PS): the full parse only.
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix (a binary search of C comparisons)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix, at most `limit`."""
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid : len(a) - lo] == b[len(b) - mid : len(b) - lo]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _entry_end(lines: list[str], first: int, dash: int) -> int:
    """The line after entry `first` (its dash at column `dash`) ends: the next line that is not blank or a
    comment and is indented no deeper than the dash (`len(lines)`: none)."""
    for number in range(first + 1, len(lines)):
        line = lines[number]
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        if stripped[0] == "\t" or len(line) - len(stripped) <= dash:
            return number
    return len(lines)


def _entry_of(pipeline: Pipeline, line: int) -> Stage | None:
    """The last stage whose `stage` key is on or before `line`, when it is an entry of `stages` or a member
    of a `parallel` entry of it."""
    found = None
    for stage in pipeline.stages:
        if stage.key.origin is not None:
            continue  # a chained child's stage, written in the child's file
        if stage.key.start_line > line:
            break
        found = stage
    if found is None:
        return None
    path = found.path
    if len(path) == 2 and path[0][0] == "stages" and path[1] == ("stage", None):
        return found
    if len(path) == 3 and path[0][0] == "stages" and path[1][0] == "parallel" and path[2] == ("stage", None):
        return found
    return None


def _indent(line: str) -> int | None:
    """The line's indentation, None for a blank or comment line."""
    stripped = line.lstrip(" ")
    return None if not stripped or stripped[0] == "#" else len(line) - len(stripped)


def _opening_line(lines: list[str], below: int, column: int, same_column_items: bool) -> int | None:
    """The nearest line above `below` indented less than `column` (or, with `same_column_items`, at it but
    not a `-` item): the line that opens the block whose items start at `column`."""
    for number in range(below - 1, -1, -1):
        line = lines[number]
        indent = _indent(line)
        if indent is None or indent > column:
            continue
        if indent == column and same_column_items and line[indent] == "-":
            continue
        if indent == column and not same_column_items:
            continue
        return number
    return None


_PIPELINE_LINE = re.compile(r"pipeline: *")
_STAGES_LINE = re.compile(r"( *)stages: *")
_PARALLEL_LINE = re.compile(r"( *)- +parallel: *")


def _skeleton(pipeline: Pipeline, stage: Stage, lines: list[str], first: int, dash: int, end: int) -> str | None:
    """The text that puts the parser where the entry starts and ends, with the entry's own lines: the
    `pipeline:`, `stages:` (and `- parallel:`) lines as written, at their own lines, a placeholder item
    (`- 0`, which the reader skips) on a line of its own for each earlier entry, blank lines elsewhere, and
    after the entry, a line whose first token is where the real following line's is (block ends are marked
    there). None when the file is not laid out that way."""
    path = stage.path
    index = pipeline.stages.index(stage)
    out = [""] * first
    # The pipeline key on the first line that is not blank or a comment: no directive, no `---` before it.
    top = pipeline.key.start_line
    if not _PIPELINE_LINE.fullmatch(lines[top]) or any(_indent(line) is not None for line in lines[:top]):
        return None
    out[top] = lines[top]
    if len(path) == 3:  # a member of a `parallel` entry: its members start at `dash`
        members = index
        while members > 0 and pipeline.stages[members - 1].path[:2] == path[:2]:
            members -= 1
        first_member = pipeline.stages[members].key.start_line
        opening = _opening_line(lines, first_member, dash, same_column_items=False)
        found = _PARALLEL_LINE.fullmatch(lines[opening]) if opening is not None else None
        if found is None or opening + path[1][1] >= first:
            return None
        out[opening] = lines[opening]
        out[opening + 1 : opening + 1 + path[1][1]] = [" " * dash + "- 0"] * path[1][1]
        column, item_line = len(found.group(1)), opening
    else:
        column, item_line = dash, first
    # The `stages:` line above the first entry, whose items start at `column`.
    first_stage = pipeline.stages[0]
    if first_stage.path[0] != ("stages", 0):
        return None
    entry_line = first_stage.key.start_line
    if len(first_stage.path) == 3:
        entry_line = _opening_line(lines, entry_line, column + 1, same_column_items=False)
        if entry_line is None:
            return None
    opening = _opening_line(lines, entry_line, column, same_column_items=True)
    found = _STAGES_LINE.fullmatch(lines[opening]) if opening is not None else None
    if found is None or len(found.group(1)) > column or opening <= top or opening + path[0][1] >= item_line:
        return None
    out[opening] = lines[opening]
    out[opening + 1 : opening + 1 + path[0][1]] = [" " * column + "- 0"] * path[0][1]
    out += lines[first:end]
    if end < len(lines):
        following = lines[end]
        indent = len(following) - len(following.lstrip(" "))
        token = following[indent:]
        if token[:1] == "\t":
            return None
        if token == "-" or token.startswith("- "):
            out.append(" " * indent + "- 0")
        elif indent == 0 and token.startswith(("---", "...")):
            out.append("...")
        else:
            out.append(" " * indent + "x: 0")
        return "\n".join(out) + "\n"
    # The entry runs to the end of the text: its last line (empty after a final line break) ends the
    # skeleton as it ends the text. One more line break would move where an empty value at the very end is
    # (an explicit key `?` with no value written), and the document's span with it.
    return "\n".join(out)


def _plain(parsed: ParsedFile, resolved: bool = False) -> Document | None:
    """The file's one document when it is a v0 pipeline read without a problem and with nothing read per use
    (templates, chained pipelines), else None. A `resolved` model (read against a workspace) may hold uses in
    other entries: only a use of a pipeline template (the whole pipeline read from another file) is refused."""
    if parsed.problems or len(parsed.documents) != 1:
        return None
    document = parsed.documents[0]
    pipeline = document.pipeline
    if document.kind is not DocumentKind.PIPELINE or pipeline is None:
        return None
    if resolved:
        return None if any(use.kind == "Pipeline" for use in pipeline.template_uses) else document
    if (
        pipeline.uses_templates
        or pipeline.template_uses
        or pipeline.chain_uses
        or pipeline.fixed_template_inputs
        or pipeline.template_cycles
    ):
        return None
    return document


def _coordinate(item) -> tuple[int, int]:
    """Which entry of `stages` an item of the model belongs to: (its index, the member's index in a `parallel`
    entry, else -1). The model's lists hold items in the order they are read, so coordinates never decrease."""
    path = item.path
    second = path[1] if len(path) > 1 else None
    return path[0][1], second[1] if second is not None and second[0] == "parallel" else -1


def reparse(
    previous: ParsedFile, old_lines: list[str], text: str, resolved: bool = False
) -> tuple[ParsedFile, list[str]] | None:
    """The parse of `text` (no byte order mark) and its lines, built from `previous` (the parse of the version
    before) and its lines when the change lies inside one stage entry; None when only a full parse can tell.
    With `resolved`, `previous` is the file's model read against its workspace (`Workspace.read`) and the
    result is that read of `text` in the same workspace state: the entry, before and after, names nothing in
    another file (see `_NAMES_OTHER_FILES`), so everything the workspace brings is in the other entries."""
    old = previous.text
    if old == text or (document := _plain(previous, resolved)) is None:
        return None
    pipeline = document.pipeline
    assert pipeline is not None
    if any(mark in text or mark in old for mark in _OTHER_BREAKS) or len(old_lines) != old.count("\n") + 1:
        return None
    # The change as whole lines: from the start of the line where the texts first differ to the end of the
    # line where their common tail starts (`old` lines [first_changed, first_changed + removed) became
    # `added` lines).
    start = text.rfind("\n", 0, _common_prefix(old, text)) + 1
    suffix = _common_suffix(old, text, min(len(old), len(text)) - start)
    old_end, new_end = len(old) - suffix, len(text) - suffix
    if not (old_end == start or old[old_end - 1] == "\n") or not (new_end == start or text[new_end - 1] == "\n"):
        line_end = old.find("\n", old_end)
        if line_end < 0:
            return None  # the last line changed
        new_end += line_end + 1 - old_end
        old_end = line_end + 1
    first_changed = text.count("\n", 0, start)
    removed = old.count("\n", start, old_end)
    added = text[start:new_end].split("\n")[:-1]
    delta = len(added) - removed  # how far the lines after the change moved
    stage = _entry_of(pipeline, first_changed)
    if stage is None:
        return None
    lines = old_lines[:first_changed] + added + old_lines[first_changed + removed :]
    first = stage.key.start_line
    dash_match = _DASH.fullmatch(lines[first][: stage.key.start_col])
    if dash_match is None or first >= first_changed:
        return None  # the change touches the entry's first line, or the key is not on its dash's line
    dash = len(dash_match.group(1))
    end, old_entry_end = _entry_end(lines, first, dash), _entry_end(old_lines, first, dash)
    if end != old_entry_end + delta or first_changed + removed > old_entry_end:
        return None
    region = "\n".join(lines[first:end]) + "\n"
    old_region = "\n".join(old_lines[first:old_entry_end]) + "\n"
    if _ANCHOR_OR_ALIAS.search(region) or _ANCHOR_OR_ALIAS.search(old_region):
        return None
    if resolved and (_NAMES_OTHER_FILES.search(region) or _NAMES_OTHER_FILES.search(old_region)):
        return None
    prefix = stage.path[:-1]  # (("stages", i),) or (("stages", i), ("parallel", j))
    skeleton = _skeleton(pipeline, stage, lines, first, dash, end)
    if skeleton is None:
        return None
    read = _plain(parse(skeleton))
    fresh = read.pipeline if read is not None else None
    if read is None or fresh is None or any(s.path[: len(prefix)] != prefix for s in fresh.stages):
        return None
    move = _Shift(delta, old_entry_end)
    target = _coordinate(stage)

    def enclosing(span: Span, fresh_span: Span) -> Span:
        """The document's or the pipeline's span: it ends after the entry (moved), or with it (the last
        entry: where the entry read alone ends, as nothing follows it there either)."""
        if span.end_line >= old_entry_end:
            return move.span(span)
        return Span(span.start_line, span.start_col, fresh_span.end_line, fresh_span.end_col, span.origin)

    def splice(items: list, new: list) -> list:
        """`items` with those of the entry replaced by `new`, those after it moved. By entry, not by line:
        items read from a template or a child pipeline have spans in their own file."""
        lo = bisect.bisect_left(items, target, key=_coordinate)
        hi = bisect.bisect_right(items, target, lo, key=_coordinate)
        return items[:lo] + new + (items[hi:] if not delta else [move(item) for item in items[hi:]])

    spliced = Pipeline(
        pipeline.identifier,
        pipeline.name,
        pipeline.key,
        enclosing(pipeline.span, fresh.span),
        declarations=[move.after(d) for d in pipeline.declarations],
        flow_control_key=move.span(pipeline.flow_control_key),
        barriers_key=move.span(pipeline.barriers_key),
        stages=splice(pipeline.stages, fresh.stages),
        step_groups=splice(pipeline.step_groups, fresh.step_groups),
        positions=splice(pipeline.positions, fresh.positions),
        syntax=pipeline.syntax,
        version_label=pipeline.version_label,
    )
    if resolved:  # what the other entries read from other files: the same uses, moved when they are below
        spliced.uses_templates = pipeline.uses_templates
        for name in ("template_uses", "fixed_template_inputs", "template_cycles", "chained_stages", "chain_uses"):
            setattr(spliced, name, move(getattr(pipeline, name)) if delta else getattr(pipeline, name))
    document = Document(
        document.index, document.kind, enclosing(document.span, read.span), spliced, document.syntax, document.template_type, document.note
    )
    return ParsedFile(text, [document], []), lines


_ATOMS = (str, int, float, bool, type(None), enum.Enum, Syntax)
_FIELDS: dict[type, tuple[str, ...]] = {}
# Fields kept as they are: a path is no place in the text; a use's `at` is a span in the other file's own
# lines (it has no origin).
_KEPT = frozenset(("path", "at"))


class _Shift:
    """Copies of model objects written after the entry, their spans moved by `delta` lines (a stage, step
    group or step is copied once however many objects point at it). Spans that start before the entry and
    end after it (the document's, the pipeline's) keep their start. A span written in another file (its
    origin) keeps its lines; only the use it is reached through (`Origin.via`, in this file) moves. An object
    with nothing to move is itself, not a copy, so the objects above the entry stay shared."""

    def __init__(self, delta: int, after: int) -> None:
        self.delta, self.line = delta, after
        self.copies: dict[int, object] = {}
        self.origins: dict[int, tuple[Origin, Origin]] = {}  # id -> (the origin, kept alive; its moved copy)

    def span(self, span: Span | None) -> Span | None:
        if span is None or not self.delta:
            return span
        origin = origin_of(span)  # (a template's span not read yet stays so: only its origin moves)
        if origin is not None:
            found = self.origins.get(id(origin))
            if found is None:  # one moved origin for every span reached through the same use
                via = self.span(origin.via)
                found = self.origins[id(origin)] = (origin, origin if via is origin.via else Origin(origin.file, via, origin.label))
            moved = found[1]
            return span if moved is origin else with_other_origin(span, moved)
        if span.end_line < self.line:
            return span
        start = span.start_line + self.delta if span.start_line >= self.line else span.start_line
        return Span(start, span.start_col, span.end_line + self.delta, span.end_col, span.origin)

    def after(self, item):
        """`item` moved when it is written after the entry."""
        return self(item) if self.delta and item.span.start_line >= self.line else item

    def __call__(self, value):
        if isinstance(value, _ATOMS):
            return value
        if isinstance(value, Span):
            return self.span(value)
        if isinstance(value, Text):
            span = self.span(value.span)
            return value if span is value.span else Text(value.value, span, value.quoted)
        if isinstance(value, (tuple, list)):
            if not value:
                return value
            items = [self(item) for item in value]
            if all(map(operator.is_, items, value)):
                return value
            return tuple(items) if isinstance(value, tuple) else items
        if not is_record(value):
            return value  # a node the model keeps (a v1 use's `with`): not a place in the text
        key = id(value)
        copy = self.copies.get(key)
        if copy is not None:
            return copy
        kind = type(value)
        names = _FIELDS.get(kind)
        if names is None:
            names = _FIELDS[kind] = tuple(f.name for f in fields(kind))
        moved, changed = [], False
        for name in names:
            field = getattr(value, name)
            if name not in _KEPT:
                new = self(field)
                if new is not field:
                    field, changed = new, True
            moved.append(field)
        if changed:
            copy = object.__new__(kind)
            for name, field in zip(names, moved):
                object.__setattr__(copy, name, field)
        else:
            copy = value
        self.copies[key] = copy
        return copy
