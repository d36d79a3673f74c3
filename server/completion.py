"""Completion of barrier references and a snippet for a whole Barrier step, in v0 (`barrierRef:`) and v1
(`barrier: {name: }`, or `name:` under `barrier:`).

Completion has to work while the user types, when the document often does not parse: the declared barriers
come from the current model, else from the last version of the document that held a pipeline, else from a
tolerant scan of the text for `flowControl.barriers` entries (v1: `pipeline.barriers` strings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types

from barrier_lint.analysis import Facts
from barrier_lint.model import V0, V1, Span, Syntax

from .convert import Positions
from .documents import Analysis
from .navigation import participant_line

# `barrierRef:` then an optional opening quote and the part of the value typed so far, up to the cursor.
_REF_PREFIX = re.compile(r"""barrierRef\s*:[ \t]*(?P<quote>["']?)(?P<partial>[^\s"',}\]]*)$""")
# v1: `barrier: {name: ` on one line, or `name: ` on a line under a block `barrier:` key.
_V1_FLOW_PREFIX = re.compile(r"""barrier\s*:\s*\{\s*name\s*:[ \t]*(?P<quote>["']?)(?P<partial>[^\s"',}\]]*)$""")
_V1_NAME_PREFIX = re.compile(r"""^(?P<indent>[ \t]*)name\s*:[ \t]*(?P<quote>["']?)(?P<partial>[^\s"',}\]]*)$""")
_V1_BARRIER_KEY = re.compile(r"^(?P<indent>[ \t]*(?:-[ \t]+)?)barrier\s*:\s*(?:#.*)?$")
_VALUE_REST = re.compile(r"""[^\s"',}\]#]*""")
# The start of a step-list entry: nothing, or a dash, or a word being typed.
_SNIPPET_PREFIX = re.compile(r"^(?P<indent>[ \t]*)(?P<typed>-?[ \t]*[A-Za-z]*)$")
# `type:` and the part of its value typed so far.
_TYPE_PREFIX = re.compile(r"^(?P<indent>[ \t]*)(?:-[ \t]+)?type[ \t]*:[ \t]*(?P<partial>[A-Za-z]*)$")
# The keys that hold a list of steps, per syntax.
_STEP_LISTS = {V0: ("steps", "rollbackSteps"), V1: ("steps", "rollback")}


@dataclass
class Declared:
    identifier: str
    name: str | None
    participants: list[str]


def declared_barriers(analysis: Analysis | None, fallback: Analysis | None, text: str, line: int) -> list[Declared]:
    for source in (analysis, fallback):
        if source is None:
            continue
        document = source.document_at(line)
        if document is not None and document.kind.is_pipeline:
            facts = Facts(document)
            out = []
            for identifier, declaration in document.pipeline.declared.items():  # type: ignore[union-attr]
                # A v1 declaration is one string: its name is its identifier, not worth a detail.
                label = declaration.name if declaration.name is not declaration.identifier else None
                name = label.value if label is not None else None
                out.append(Declared(identifier, name, [participant_line(p) for p in facts.by_ref.get(identifier, [])]))
            return out
    return scan_declarations(text) or scan_v1_declarations(text)


def syntax_at(analysis: Analysis | None, fallback: Analysis | None, text: str, line: int) -> Syntax:
    """The syntax of the document at `line`: from its model, else the last good one, else the text."""
    for source in (analysis, fallback):
        document = source.document_at(line) if source is not None else None
        if document is not None and document.syntax is not None:
            return document.syntax
    return V1 if _V1_TEXT.search(text) else V0


_V1_TEXT = re.compile(r"^[ \t]*-?[ \t]*barrier[ \t]*:|^  barriers[ \t]*:", re.MULTILINE)
_V1_BARRIERS = re.compile(r"^(?P<indent> {1,4})barriers\s*:\s*(?P<flow>\[[^\]\n]*\]?)?\s*(?:#.*)?$")


def scan_v1_declarations(text: str) -> list[Declared]:
    """v1 declarations found without a YAML parser: the strings of `barriers:` directly under `pipeline:`."""
    found: list[str] = []
    lines = text.splitlines()
    for number, line in enumerate(lines):
        match = _V1_BARRIERS.match(line)
        if match is None:
            continue
        if match["flow"]:
            found.extend(item.strip().strip("'\"") for item in match["flow"].strip("[]").split(","))
        else:
            for entry in lines[number + 1 :]:
                stripped = entry.split(" #", 1)[0].strip()
                if not stripped or stripped.startswith("#"):
                    continue
                if not stripped.startswith("- ") or len(entry) - len(entry.lstrip()) < len(match["indent"]):
                    break
                found.append(stripped[2:].strip().strip("'\""))
        break
    return [Declared(name, None, []) for name in dict.fromkeys(n for n in found if n)]


_ENTRY_KEY = re.compile(r"""(?:^|[{,\s])(identifier|name)\s*:\s*(["']?)([^"',}#\n]*)\2""")


def scan_declarations(text: str) -> list[Declared]:
    """Declared barriers found by reading `flowControl: barriers:` line by line, without a YAML parser."""
    found: list[Declared] = []
    barriers_indent: int | None = None
    flow_control_indent: int | None = None
    current: dict[str, str] = {}

    def flush() -> None:
        ident = current.get("identifier", "").strip()
        if ident and all(d.identifier != ident for d in found):
            found.append(Declared(ident, current.get("name", "").strip() or None, []))
        current.clear()

    for line in text.splitlines():
        content = line.split(" #", 1)[0].rstrip()
        stripped = content.lstrip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(content) - len(stripped)
        if barriers_indent is not None:
            if indent < barriers_indent or (indent == barriers_indent and not stripped.startswith("-")):
                flush()
                barriers_indent = None
            else:
                if stripped.startswith("-"):
                    flush()
                for key, _, value in _ENTRY_KEY.findall(stripped.lstrip("- ")):
                    current[key] = value
                if "}" in stripped:  # a flow-style entry ends on its line
                    flush()
                continue
        if flow_control_indent is not None and indent <= flow_control_indent:
            flow_control_indent = None
        if stripped.startswith("flowControl:"):
            flow_control_indent = indent
        elif flow_control_indent is not None and stripped.startswith("barriers:"):
            barriers_indent = indent
    flush()
    return found


def _documentation(declared: Declared) -> types.MarkupContent:
    if declared.participants:
        body = "Participants:\n" + "\n".join(f"- {p}" for p in declared.participants)
    else:
        body = "No Barrier step uses this barrier yet."
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=body)


def _reference_prefix(lines: list[str], line: int, prefix: str, syntax: Syntax) -> re.Match | None:
    """The reference being typed before the cursor: `barrierRef: x` (v0), `barrier: {name: x` or `name: x`
    under a `barrier:` key (v1)."""
    if syntax is not V1:
        return _REF_PREFIX.search(prefix)
    match = _V1_FLOW_PREFIX.search(prefix)
    if match is not None:
        return match
    match = _V1_NAME_PREFIX.match(prefix)
    if match is None:
        return None
    indent = len(match["indent"])
    for above in reversed(lines[:line]):
        stripped = above.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if len(above) - len(above.lstrip()) < indent or above.lstrip().startswith("- "):
            key = _V1_BARRIER_KEY.match(above)
            return match if key is not None and len(key["indent"]) < indent else None
    return None


def complete(
    positions: Positions, line: int, col: int, barriers: list[Declared], harness: bool, syntax: Syntax = V0,
    ending: str = "\n",
) -> list[types.CompletionItem]:
    text = positions.lines[line] if line < len(positions.lines) else ""
    prefix = text[:col]
    match = _reference_prefix(positions.lines, line, prefix, syntax)
    if match is not None:
        start = match.start("partial")
        end = col + len(_VALUE_REST.match(text, col).group())  # type: ignore[union-attr]
        replace = positions.range(Span(line, start, line, end))
        return [
            types.CompletionItem(
                label=d.identifier,
                kind=types.CompletionItemKind.EnumMember,
                detail=d.name,
                documentation=_documentation(d),
                filter_text=d.identifier,
                sort_text=f"{index:04d}",
                text_edit=types.TextEdit(range=replace, new_text=d.identifier),
            )
            for index, d in enumerate(barriers)
        ]
    if not harness:
        return []
    typed = _TYPE_PREFIX.match(prefix) if syntax is V0 else None  # v1 steps are keyed by their kind
    if typed is not None and in_step(positions.lines, line, len(typed.group("indent"))):
        start = typed.start("partial")
        end = col + len(re.match(r"[A-Za-z]*", text[col:]).group())  # type: ignore[union-attr]
        return [
            types.CompletionItem(
                label="Barrier",
                kind=types.CompletionItemKind.EnumMember,
                detail="a step that waits at a barrier",
                text_edit=types.TextEdit(range=positions.range(Span(line, start, line, end)), new_text="Barrier"),
            )
        ]
    snippet = _SNIPPET_PREFIX.match(prefix)
    if snippet is not None and step_entry_can_start(positions.lines, line, snippet.start("typed"), syntax):
        return [barrier_step_snippet(positions, line, col, snippet, barriers, syntax, ending)]
    return []


def _logical_lines_above(lines: list[str], line: int):
    """(line number, indent, content) of the lines above `line`, nearest first, without blank and comment lines."""
    for number in range(line - 1, -1, -1):
        text = lines[number]
        content = text.strip()
        if content and not content.startswith("#"):
            yield number, len(text) - len(text.lstrip(" ")), content


def _key(content: str) -> str:
    """`steps` for `steps:`, `- step:` and `- step: {...}`."""
    return content.removeprefix("-").strip().split(":", 1)[0].strip() if ":" in content else ""


def step_entry_can_start(lines: list[str], line: int, column: int, syntax: Syntax = V0) -> bool:
    """Whether an entry of a step list can start at `column` of `line`: in a list of steps (v0 `steps:` or
    `rollbackSteps:` of a stage, a step group, or a `parallel` block of steps; v1 `steps:` or `rollback:`).
    Not at pipeline keys, in `flowControl.barriers`, in a list of stages, or inside another step. Read from
    the text, because the document rarely parses while an entry is being typed. Every snippet that inserts a
    step entry asks here."""
    lists = _STEP_LISTS[syntax]
    for number, indent, content in _logical_lines_above(lines, line):
        if indent > column or (indent == column and content.startswith("-")):
            continue  # inside an earlier entry of the same list, or that entry itself
        key = _key(content)
        if indent == column:  # a list written at its key's indentation, else a sibling key of a mapping
            return content.endswith(":") and key in lists
        if key in lists:
            return True
        if syntax is V0 and key == "parallel" and content.startswith("-"):
            return step_entry_can_start(lines, number, indent, syntax)  # parallel steps, not parallel stages
        return False
    return False


def in_step(lines: list[str], line: int, column: int) -> bool:
    """Whether a key at `column` of `line` is a key of a v0 step's mapping (`- step:` or `step:` above it)."""
    for _, indent, content in _logical_lines_above(lines, line):
        if indent < column or (indent == column and content.startswith("-")):
            return _key(content) == "step"
    return False


def barrier_step_snippet(
    positions: Positions, line: int, col: int, match: re.Match, barriers: list[Declared], syntax: Syntax = V0,
    ending: str = "\n",
) -> types.CompletionItem:
    """`- step: type: Barrier ...` (v1: `- id: ... barrier: {name: }`) indented where the user is typing,
    with a choice of declared barriers."""
    start = match.start("typed")
    pad = " " * start
    if barriers:
        choice = "${3|" + ",".join(d.identifier for d in barriers) + "|}"
    else:
        choice = "${3:barrier_id}"
    if syntax is V1:
        body = ["- id: ${2:wait}", "  name: ${1:Wait}", "  barrier:", f"    name: {choice}", "  timeout: ${4:10m}"]
    else:
        body = [
            "- step:",
            "    type: Barrier",
            "    name: ${1:Wait}",
            "    identifier: ${2:wait}",
            "    spec:",
            f"      barrierRef: {choice}",
            "    timeout: ${4:10m}",
        ]
    new_text = body[0] + "".join(ending + pad + part for part in body[1:])  # the document's own line break
    return types.CompletionItem(
        label="Barrier step",
        kind=types.CompletionItemKind.Snippet,
        detail="a step that waits at a barrier",
        # Clients filter on the text of the replaced range, dash included: `- step`, `- st` and `Bar` find it.
        filter_text=re.match(r"-?[ \t]*", match.group("typed")).group() + "step Barrier",  # type: ignore[union-attr]
        insert_text_format=types.InsertTextFormat.Snippet,
        insert_text_mode=types.InsertTextMode.AsIs,
        text_edit=types.TextEdit(range=positions.range(Span(line, start, line, col)), new_text=new_text),
    )
