"""Requests about one barrier: hover, definition, references, highlights, rename; and the document's outline
and code lenses. Everything here reads the model; the rules are not consulted."""

from __future__ import annotations

from collections.abc import Callable

from lsprotocol import types

from barrier_lint.analysis import Facts
from barrier_lint.model import BarrierPosition, Document, Pipeline, Span, Stage, StepGroup, Text, is_expression
from barrier_lint.rules.bl107_invalid_barrier_declaration import RESERVED, is_identifier

from .convert import Positions, inner_span
from .documents import Analysis, Target, occurrences
from .workspace import Files, in_file, uri_of


class Refused(Exception):
    """A request the server declines with a message for the user (an invalid new name, ...)."""


# ------------------------------------------------------------------------------------------------ words


def line_of(position: BarrierPosition) -> str:
    """`line 12`: the 1-based line of a Barrier step's barrierRef (of its type when it has none); for a step
    written in another file, `line 18 of template deploy_gate@v2`."""
    span = (position.ref or position.type).span
    elsewhere = f" of {span.origin.label}" if span.origin is not None else ""
    return f"line {span.start_line + 1}{elsewhere}"


def participant_line(position: BarrierPosition) -> str:
    """`stage deploy_api, step group canary, step wait (line 12)`, at the line of its barrierRef."""
    parts = [position.where] if position.stage is not None or position.groups else []
    parts.append(f"step {position.label}")
    text = ", ".join(parts) + f" ({line_of(position)})"
    if position.rollback:
        text += ", in rollback steps"
    if position.multiplicity > 1:
        text += ", looped: several participants"
    return text


def concurrency_summary(facts: Facts, identifier: str) -> str:
    """Whether the participants of `identifier` can all meet, from Harness's ordering relation."""
    positions = facts.by_ref.get(identifier, [])
    if not positions:
        return "No Barrier step uses this barrier."
    if facts.participants(identifier) < 2:
        return "Only one participant: the barrier has nobody to wait for."
    sequential = []
    for i, p in enumerate(positions):
        for q in positions[i + 1 :]:
            order = facts.ordering.order(p, q)
            if order != 0:
                first, second = (p, q) if order < 0 else (q, p)
                sequential.append(f"{line_of(first)} must finish before {line_of(second)} starts")
    if not sequential:
        return "The participants run concurrently, so they can meet."
    return "The participants do not all run concurrently: " + "; ".join(sequential) + "."


def hover(positions: Positions, target: Target) -> types.Hover:
    pipeline = target.pipeline
    declaration = pipeline.declared.get(target.identifier)
    facts = Facts(target.document)
    if declaration is not None and declaration.name is declaration.identifier:  # v1: one string
        title = f"**Barrier `{target.identifier}`**"
    elif declaration is not None:
        name = declaration.name.value if declaration.name is not None else "(no name)"
        title = f"**Barrier {name}** (`{target.identifier}`)"
    else:
        title = f"**Barrier `{target.identifier}`** (not declared in {pipeline.syntax.declarations_short})"
    participants = facts.by_ref.get(target.identifier, [])
    lines = [title, ""]
    if participants:
        lines.append(f"Participants ({len(participants)}):")
        lines.extend(f"- {participant_line(p)}" for p in participants)
        lines.append("")
    lines.append(concurrency_summary(facts, target.identifier))
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n".join(lines)),
        range=positions.range(target.text.span),
    )


# ------------------------------------------------------------------------------------------- locations


def definition(files: Files, target: Target) -> list[types.Location]:
    declaration = target.pipeline.declared.get(target.identifier)
    if declaration is None or declaration.identifier is None:
        return []
    found = files.location(declaration.identifier.span)
    return [found] if found is not None else []


Users = list[tuple[str, Pipeline]]  # for a template: the pipelines using it, each with its file


def _reached(target: Target, users: Users, declarations: bool = True) -> list[Text]:
    """Every occurrence of the target's barrier the rename or references reach, as spans a `Files` places:
    in the document's own pipeline (templates it uses included), and, for a target in a template, in each
    pipeline that uses it (its declarations, and every participant reached through the same barrier, in
    that pipeline or in any template it uses)."""
    texts = []
    for file, pipeline in [(None, target.pipeline), *users]:
        found = occurrences(pipeline, target.identifier)
        for text in (found.declarations if declarations else []) + found.references:
            if file is not None and text.span.origin is None:  # written in that pipeline's own file
                text = Text(text.value, in_file(file, text.span), text.quoted)
            texts.append(text)
    return texts


def references(files: Files, target: Target, include_declaration: bool, users: Users = ()) -> list[types.Location]:
    """Every occurrence, those in templates the pipeline uses included (each once, in its own file); for a
    barrier written in a template, those of the pipelines using it too (`users`)."""
    out: list[types.Location] = []
    for text in _reached(target, list(users), include_declaration):
        location = files.location(text.span)
        if location is not None and location not in out:
            out.append(location)
    return out


def highlights(positions: Positions, target: Target) -> list[types.DocumentHighlight]:
    """Occurrences in this document only (a highlight has no file)."""
    found = occurrences(target.pipeline, target.identifier)
    here = [t for t in found.declarations if t.span.origin is None], [t for t in found.references if t.span.origin is None]
    return [
        types.DocumentHighlight(range=positions.range(t.span), kind=types.DocumentHighlightKind.Write)
        for t in here[0]
    ] + [
        types.DocumentHighlight(range=positions.range(t.span), kind=types.DocumentHighlightKind.Read)
        for t in here[1]
    ]


# ---------------------------------------------------------------------------------------------- rename


def is_valid_identifier(value: str) -> bool:
    return is_identifier(value) and value not in RESERVED


def prepare_rename(positions: Positions, target: Target) -> types.PrepareRenamePlaceholder | None:
    if is_expression(target.identifier) or target.identifier.startswith("parent."):
        return None
    return types.PrepareRenamePlaceholder(
        range=positions.range(inner_span(target.text, positions.lines)), placeholder=target.identifier
    )


def rename(
    files: Files, target: Target, new_name: str, shared_with: Callable[[str], list[str]], annotations: bool,
    users: Users = (),
) -> tuple[types.WorkspaceEdit, str | None]:
    """The edit renaming a barrier everywhere the pipeline reaches it, templates included, and a message
    for the user when part of it was left out.

    A template file that other pipelines use too (`shared_with(file)` names them) is never rewritten
    silently: its edits carry a change annotation that needs the user's confirmation and names those
    pipelines, when the client supports annotations; otherwise they are left out, and the message says so.

    Started in a template (`users`: the pipelines using it), the rename reaches those pipelines too (their
    declarations, the other participants); the template itself, when more than one pipeline uses it, is
    labelled as shared the same way, and kept even without annotations (the message then says so).
    """
    if not is_valid_identifier(new_name):
        reason = "is a reserved word in Harness" if new_name in RESERVED else (
            "is not a valid barrier identifier (letters, digits and underscores, not starting with a digit, "
            "at most 128 characters)"
        )
        raise Refused(f"'{new_name}' {reason}")
    users = list(users)
    if new_name != target.identifier and any(new_name in p.declared for p in [target.pipeline, *(u[1] for u in users)]):
        raise Refused(f"a barrier '{new_name}' is already declared; renaming would merge two barriers")
    by_file: dict[str, list[types.TextEdit]] = {}
    for text in _reached(target, users):
        file, _ = files.where(text.span)
        positions = files.of(file)
        if positions is None:
            continue
        # (A scalar used through aliases is one occurrence per alias in the model, and one edit in the file.)
        _, plain = files.where(inner_span(text, positions.lines))
        edit = types.TextEdit(range=positions.range(plain), new_text=new_name)
        if edit not in by_file.setdefault(file, []):
            by_file[file].append(edit)
    shared = {file: shared_with(file) for file in by_file if file != files.name}
    shared = {file: names for file, names in shared.items() if names}
    started_in_shared = len({file for file, _ in users}) > 1
    if started_in_shared:
        shared[files.name] = sorted({files.display(file) for file, _ in users})
    if not shared:
        return types.WorkspaceEdit(changes={uri_of(f): edits for f, edits in by_file.items()}), None
    if not annotations:
        kept = {uri_of(f): edits for f, edits in by_file.items() if f not in shared or f == files.name}
        left = "; ".join(f"{files.display(f)} (also used by {', '.join(names)})" for f, names in shared.items()
                         if f != files.name)
        if started_in_shared and not left:
            return types.WorkspaceEdit(changes=kept), (
                f"Renamed '{target.identifier}' in template {files.display(files.name)}, shared by "
                f"{', '.join(shared[files.name])}: those pipelines were renamed too."
            )
        return types.WorkspaceEdit(changes=kept), (
            f"Renamed '{target.identifier}' in this pipeline only: not in the shared template(s) {left}. "
            "Rename it there by hand if every pipeline using them should change."
        )
    changes: list[types.TextDocumentEdit] = []
    notes: dict[str, types.ChangeAnnotation] = {}
    for file, edits in by_file.items():
        if file in shared:
            note = f"shared:{files.display(file)}"
            label = (
                f"Rewrites template {files.display(file)}, shared by {', '.join(shared[file])}: renamed in each of them"
                if file == files.name else f"Also rewrites template {files.display(file)}, used by {', '.join(shared[file])}"
            )
            notes[note] = types.ChangeAnnotation(
                label=label,
                needs_confirmation=True,
                description="Renaming the barrier in a shared template changes it for every pipeline that uses it.",
            )
            edits = [types.AnnotatedTextEdit(range=e.range, new_text=e.new_text, annotation_id=note) for e in edits]
        changes.append(
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri_of(file), version=None), edits=edits
            )
        )
    return types.WorkspaceEdit(document_changes=changes, change_annotations=notes), None


# ---------------------------------------------------------------------------------------------- outline


def _symbol(positions: Positions, name: str, detail: str | None, kind: types.SymbolKind, key: Span, span: Span,
            selection: Text | None) -> types.DocumentSymbol:
    whole = Span(key.start_line, key.start_col, span.end_line, span.end_col)
    if (span.end_line, span.end_col) < (key.end_line, key.end_col):
        whole = key
    select = selection.span if selection is not None else key
    if not (whole.contains(select.start_line, select.start_col) and whole.contains(select.end_line, select.end_col)):
        select = key
    if select.start_line != whole.start_line:
        # Editors pin the selection range's first line as the symbol's header (VS Code's sticky scroll): an
        # `identifier:` line below the `- stage:` line would be pinned instead of the stage's own line.
        select = key
    return types.DocumentSymbol(
        name=name or "(unnamed)", detail=detail, kind=kind, range=positions.range(whole),
        selection_range=positions.range(select), children=[],
    )


def _label(identifier: Text | None, name: Text | None, fallback: str) -> str:
    for text in (name, identifier):
        if text is not None and text.value:
            return text.value
    return fallback


def document_symbols(positions: Positions, analysis: Analysis) -> list[types.DocumentSymbol]:
    symbols = []
    for document in analysis.pipelines():
        symbols.append(_pipeline_symbol(positions, document))
    return symbols


def _pipeline_symbol(positions: Positions, document: Document) -> types.DocumentSymbol:
    pipeline: Pipeline = document.pipeline  # type: ignore[assignment]
    root = _symbol(positions, _label(pipeline.identifier, pipeline.name, document.kind.value), document.kind.value,
                   types.SymbolKind.Module, pipeline.key, pipeline.span, pipeline.identifier)
    if pipeline.barriers_key is not None:
        last = pipeline.declarations[-1].span if pipeline.declarations else pipeline.barriers_key
        barriers = _symbol(positions, "barriers", f"{len(pipeline.declarations)} declared", types.SymbolKind.Namespace,
                           pipeline.barriers_key, last, None)
        for declaration in pipeline.declarations:
            ident = declaration.identifier
            if declaration.span.origin is not None:
                continue  # declared in a pipeline template: its file's outline shows it
            label = declaration.name if declaration.name is not declaration.identifier else None  # v1: one string
            barriers.children.append(_symbol(
                positions, ident.value if ident is not None and ident.value else "(no identifier)",
                label.value if label is not None else None, types.SymbolKind.Event,
                declaration.span, declaration.span, ident))
        root.children.append(barriers)
    nodes: dict[int, types.DocumentSymbol] = {}
    # What templates bring in is written in their files: it has no range in this one (`Span.origin`).
    for stage in (s for s in pipeline.stages if s.key.origin is None):
        nodes[id(stage)] = node = _stage_symbol(positions, stage)
        root.children.append(node)
    for group in (g for g in pipeline.step_groups if g.key.origin is None):  # outer groups first
        nodes[id(group)] = node = _symbol(positions, _label(group.identifier, group.name, "step group"), "step group",
                                          types.SymbolKind.Namespace, group.key, group.span, group.identifier)
        parent = group.parent if group.parent is not None else group.stage
        (nodes[id(parent)].children if parent is not None and id(parent) in nodes else root.children).append(node)
    for position in (p for p in pipeline.positions if p.span.origin is None):
        scope: Stage | StepGroup | None = position.scope
        key = position.syntax.reference_key
        ref = position.ref.value if position.ref is not None else f"(no {key})"
        node = _symbol(positions, f"Barrier {position.label}", f"{key}: {ref}", types.SymbolKind.Event,
                       position.span, position.span, position.ref)
        (nodes[id(scope)].children if scope is not None and id(scope) in nodes else root.children).append(node)
    return root


def _stage_symbol(positions: Positions, stage: Stage) -> types.DocumentSymbol:
    detail = f"stage, {stage.type.value}" if stage.type is not None else "stage"
    return _symbol(positions, _label(stage.identifier, stage.name, "stage"), detail, types.SymbolKind.Class,
                   stage.key, stage.span, stage.identifier)


def _places(users: list[BarrierPosition]) -> str:
    """`stage api, rollback of stage api, stage web (2 steps)`: each place once, the rollback flow apart."""
    counts: dict[str, int] = {}
    for p in users:
        place = f"rollback of {p.where}" if p.rollback else p.where
        counts[place] = counts.get(place, 0) + 1
    return ", ".join(place + (f" ({n} steps)" if n > 1 else "") for place, n in counts.items())


def code_lenses(positions: Positions, analysis: Analysis) -> list[types.CodeLens]:
    lenses = []
    for document in analysis.pipelines():
        if not document.kind.is_pipeline:
            continue
        facts = Facts(document)
        for declaration in document.pipeline.declarations:  # type: ignore[union-attr]
            ident = declaration.identifier
            if ident is None or not ident.value or ident.span.origin is not None:
                continue
            users = facts.by_ref.get(ident.value, [])
            if users:
                title = f"{len(users)} participant{'s' if len(users) != 1 else ''}: {_places(users)}"
            else:
                title = "unused"
            lenses.append(types.CodeLens(range=positions.range(ident.span), command=types.Command(title=title, command="")))
    return lenses
