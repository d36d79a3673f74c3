"""The workspace: the unit of analysis across files (rules.md, "Across files").

`Workspace` holds the index of every Harness YAML file of a repository (composed once) and lints a file
against it: template uses are resolved and spliced into the file's model by `WorkspaceResolver`, every
spliced node keeping its own file and span, and findings on such nodes are reported where rules.md's
"Where a finding is reported" says (`barrier_lint.linter.place_across_files`). No rule learns about files.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from ..config import Config
from ..diagnostics import Diagnostic
from ..linter import DEFAULT_CONFIG, SpanKey, document_findings, lint_parsed, span_key
from ..model import Document
from ..parse import ParsedFile, read
from ..readers.v0 import Builder
from ..syntax import Node, ScalarNode, Tree
from ..output.common import display_name
from ..patterns import key_at_line_start
from ..records import replace
from .files import Excluded, read_harness_text, workspace_files, workspace_root
from .index import IndexedFile, InputSetEntry, PipelineEntry, WorkspaceIndex
from .merge import combine, merge
from .resolver import WorkspaceResolver

DEFINES_TEMPLATE = key_at_line_start("template")
# What a file that may look other files up by what they are says (a v0 chained stage's `type: Pipeline`, a
# v1 `chain:`, an input set): a workspace none of whose files says any of them makes no lookup but templates.
LOOKUP_WORDS = ("Pipeline", "chain", "nputSet")
_LOOKUP_BYTES = tuple(word.encode() for word in LOOKUP_WORDS)

__all__ = ["Workspace", "WorkspaceIndex", "WorkspaceResolver", "display_name", "read_harness_text", "workspace_root"]


class Workspace:
    def __init__(self, root: str = ".", stable_templates: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.index = WorkspaceIndex()
        self.resolver = WorkspaceResolver(self.index, stable_templates)
        # A template file's own findings (rule 1 of "Where a finding is reported"), computed once per state
        # of the workspace; None marks one being computed (a cycle of templates).
        self._own: dict[str, set[tuple[str, SpanKey]] | None] = {}
        self._models: dict[str, ParsedFile] = {}  # resolved models, per state of the workspace
        # file -> the other files its last analysis read (templates, ...): what to re-check when one changes;
        # and its reverse, file -> the files whose last analysis read it, made when first asked (`read_by`:
        # a command-line run never asks) and kept from then on
        self.depends: dict[str, set[str]] = {}
        self._read_by: dict[str, set[str]] | None = None
        self.releasing = False  # whether `release` drops anything (see there)

    @classmethod
    def load(
        cls,
        root: str,
        excluded: Excluded | None = None,
        template_paths: Iterable[str] = (),
        stable_templates: Mapping[str, str] | None = None,
        read: Mapping[str, bytes] | None = None,
        walked: Iterable[str] | None = None,
    ) -> Workspace:
        """The workspace of a repository on disk: every Harness YAML file it holds (see `files`), read
        once, named by `display_name` (`read`: the bytes of files read already, by their absolute path;
        `walked`: the files a directory run of the root found, see `workspace_files`)."""
        workspace = cls(root, stable_templates)
        workspace.index.shares_all = False  # (until a file says a word of a lookup)
        looks_up = False
        here = os.getcwd()  # (once: every file is named relative to it)
        for path in workspace_files(root, excluded, template_paths, walked):
            # The bytes of an ASCII file read already are its text: looked at as they are, and decoded only
            # when composed (most when they are linted, which decodes them anyway; `put` knows them again).
            text = read_harness_text(path, read.get(path) if read else None, ascii_as_bytes=True)
            if text is None:
                continue
            words = _LOOKUP_BYTES if type(text) is bytes else LOOKUP_WORDS
            if not looks_up and any(word in text for word in words):  # type: ignore[operator]
                looks_up = True
                workspace.index.share_all()
            if DEFINES_TEMPLATE(text):  # templates are what resolution looks up first: compose them now
                workspace.index.put(display_name(path, here), text)  # (nothing is analysed yet that it could change)
            else:
                workspace.index.put_later(display_name(path, here), text)
        workspace.releasing = not looks_up
        return workspace

    # -- keeping the index current ----------------------------------------------------------------------

    def put(self, name: str, text: str, data: bytes | None = None) -> IndexedFile:
        """Add or replace the file `name` (its text as the analysis should see it; `data`: the bytes it was
        decoded from, when they are those `load` was given)."""
        old = self.index.files.get(name)
        if old is not None and old.composed.text == text:
            return old
        pending = self.index.pending.get(name)
        if pending is not None and (pending is data or pending == text):
            return self.index.put(name, text)  # a pending file composed as it was read changes nothing analysed
        before = self._affected(name)
        indexed = self.index.put(name, text)
        self._forget(before | self._affected(name))
        return indexed

    def remove(self, name: str) -> None:
        self._forget(self._affected(name))
        self.index.remove(name)
        self._set_depends(name, None)

    def _affected(self, name: str) -> set[str]:
        """The files whose analysis a change of `name` may change: itself, those whose last analysis read it,
        and those that may read it now (`WorkspaceIndex.readers_of`: a use it makes resolve)."""
        return {name} | self.read_by.get(name, set()) | self.index.readers_of(name)

    def _forget(self, names: set[str]) -> None:
        for name in names:
            self._own.pop(name, None)
            self._models.pop(name, None)

    @property
    def read_by(self) -> dict[str, set[str]]:
        """File -> the files whose last analysis read it (the reverse of `depends`)."""
        if self._read_by is None:
            self._read_by = {}
            for name, reads in self.depends.items():
                for other in reads:
                    self._read_by.setdefault(other, set()).add(name)
        return self._read_by

    def _set_depends(self, name: str, reads: set[str] | None) -> None:
        """Record what the last analysis of `name` read (None: forget it)."""
        read_by = self._read_by
        if read_by is not None:
            for other in self.depends.get(name, ()):
                readers = read_by.get(other)
                if readers is not None:
                    readers.discard(name)
                    if not readers:
                        del read_by[other]
            for other in reads or ():
                read_by.setdefault(other, set()).add(name)
        if reads is None:
            self.depends.pop(name, None)
        else:
            self.depends[name] = reads

    def dependents(self, name: str) -> set[str]:
        """The files whose last analysis read `name`: they need checking again when it changes."""
        return self.read_by.get(name, set()) - {name}

    def __contains__(self, name: str) -> bool:
        return name in self.index.files or name in self.index.pending

    # -- analysis -----------------------------------------------------------------------------------------

    def read(self, name: str) -> ParsedFile:
        """The model of file `name` (which must have been `put`), its template uses resolved."""
        parsed = self._models.get(name)
        if parsed is None:
            outer, self.resolver.reads = self.resolver.reads, set()
            try:
                parsed = read(self.index.files[name].composed, self.resolver)
                self._set_depends(name, self.resolver.reads)
            finally:
                outer |= self.resolver.reads  # (in place: the outermost set holds every read of the run)
                self.resolver.reads = outer
            self._models[name] = parsed
        return parsed

    def release(self, name: str) -> None:
        """Let file `name` go (its text, tree, index entries, model and what it read), when it defines no template and the
        workspace looks no pipeline up (`LOOKUP_WORDS`, and no lookup made so far): what a command-line run
        does with a pipeline it has linted, which no other file can read then (`put` it again to read it
        again). Holding every file of a large repository costs its run more than a tenth in memory traffic
        alone (docs/workspace.md, "Performance")."""
        indexed = self.index.files.get(name)
        if not self.releasing or self.resolver.pipeline_lookups or indexed is None or indexed.templates:
            return
        self._models.pop(name, None)
        self.index.remove(name)
        self._set_depends(name, None)  # (the caller has taken what it needs: `cli._lint_task`)

    def model(self, name: str) -> ParsedFile | None:
        """The model `read` gives for file `name` in the current state, None when it would read it again."""
        return self._models.get(name)

    def keep(self, name: str, parsed: ParsedFile) -> None:
        """Take `parsed` as the model of file `name` in the current state: the language server built it from
        the previous model by reading one edited stage again, and vouches it is what `read` would give."""
        self._models[name] = parsed

    def lint(self, name: str, config: Config = DEFAULT_CONFIG, *, assume_harness: bool = False) -> list[Diagnostic]:
        """Every finding to report in file `name` (which must have been `put`), resolved against the workspace:
        for an input set, also what each run of its pipeline with it adds over the pipeline alone."""
        parsed = self.read(name)
        outer, self.resolver.reads = self.resolver.reads, set()
        try:
            runs = [d for entry in self.index.files[name].input_sets for d in self._run_findings(entry, config)]
        finally:
            self._set_depends(name, self.depends.get(name, set()) | self.resolver.reads)
            outer |= self.resolver.reads
            self.resolver.reads = outer
        return lint_parsed(parsed, config, assume_harness=assume_harness, reported_in=self._reported_in, extra=runs)

    def describe(self, name: str) -> str:
        """What `--show-files` says of a file: what each document was read as, and what it resolved."""
        parsed = self.read(name)
        parts = []
        for document in parsed.documents:
            what = document.describe()
            pipeline = document.pipeline
            notes = []
            if pipeline is not None:
                for use in pipeline.template_uses:
                    if use.resolved:
                        notes.append(f"template {use.label} from {use.file}")
                    elif use.problem is not None:
                        notes.append(f"template {use.ref.value} unresolved")
                for chain in pipeline.chain_uses:
                    if chain.resolved:
                        notes.append(f"{chain.label} from {chain.file}")
                    elif chain.ref is not None:
                        notes.append(f"child pipeline {chain.ref.value} not found")
                if any(p.joins_parent for p in pipeline.positions) and not self.parents_of(name):
                    notes.append("parent.X references unchecked: no pipeline of the workspace chains it")
            for entry in self.index.files[name].input_sets:
                if entry.number == document.index:
                    run = self.run_of(entry)
                    notes.append(f"run of pipeline {run[0].identifier} from {run[0].file}" if run else "its pipeline is not found")
            notes = list(dict.fromkeys(notes))
            parts.append(what + (" (" + "; ".join(notes) + ")" if notes else ""))
        if not parts:
            parts.append("no YAML document" if not parsed.problems else "not readable as YAML")
        return ", ".join(parts)

    # -- input sets (rules.md "Input sets"; harness-barriers.md section 7) ---------------------------------

    def run_of(self, entry: InputSetEntry) -> tuple[PipelineEntry, Document, str] | None:
        """The run of the pipeline an input set names, with its values merged in: the pipeline's entry, the
        run's model (nodes of the pipeline carry their origin, through the input set's pipeline identifier)
        and how messages name the run."""
        pipeline = self._pipeline_of(entry)
        try:
            values, via_node = self._values(entry, set())
            body = merge(pipeline.body, values, []) if pipeline is not None and values is not None else None
        except RecursionError:  # values nested deeper than a merge can follow: the run is not analysed
            return None
        if pipeline is None or body is None:
            return None
        self.resolver.reads.add(pipeline.file)
        indexed = self.index.files[entry.file]
        spans = indexed.composed.spans
        label = f"pipeline {pipeline.identifier}"
        via = (spans(via_node if via_node is not None else entry.body), label)
        builder = Builder(entry.number, {}, spans, entry.file, self.resolver)
        document = builder.run(pipeline.key, body, via, (pipeline.scope.org, pipeline.scope.project))
        run = f"run of pipeline '{pipeline.identifier}' with input set '{entry.identifier or entry.file}'"
        return pipeline, document, run

    def _run_findings(self, entry: InputSetEntry, config: Config) -> list[Diagnostic]:
        found = self.run_of(entry)
        if found is None:
            return []
        pipeline, run, label = found
        base = next((d for d in self.read(pipeline.file).documents if d.index == pipeline.number), None)
        known = {_finding_key(d, pipeline.file) for d in document_findings(base, config)} if base is not None else set()
        return [
            replace(d, message=f"{d.message} ({label})")
            for d in document_findings(run, config)
            if _finding_key(d, entry.file) not in known
        ]

    def _pipeline_of(self, entry: InputSetEntry) -> PipelineEntry | None:
        name = entry.pipeline
        if name is None and entry.overlay:  # an overlay that does not say: the pipeline of what it layers
            self.index.flush()
            refs = set(self._references(entry))
            name = next((e.pipeline for es in self.index.input_sets.values() for e in es if e.identifier in refs), None)
        return self.resolver.find_pipeline(name, entry.scope) if name else None

    def _values(self, entry: InputSetEntry, seen: set[int]) -> tuple[Node | None, Node | None]:
        """An input set's values in the pipeline's shape (an overlay's layered in order, the later winning),
        and the node that names the pipeline (where findings of the run are reported)."""
        tree = Tree({}, self.index.files[entry.file].composed.spans)
        if not entry.overlay:
            values = tree.get(entry.body, "pipeline")
            return values, tree.get(values, "identifier")
        seen = seen | {id(entry.body)}
        self.index.flush()
        layered = None
        siblings = [e for es in self.index.input_sets.values() for e in es if not e.overlay]
        for ref in self._references(entry):
            for other in siblings:
                if other.identifier == ref and id(other.body) not in seen:
                    layered = combine(layered, self._values(other, seen)[0])
                    break
        return layered, tree.get(entry.body, "pipelineIdentifier") or tree.get(entry.body, "identifier")

    def _references(self, entry: InputSetEntry) -> list[str]:
        tree = Tree({}, self.index.files[entry.file].composed.spans)
        refs = tree.get(entry.body, "inputSetReferences")
        return [r.value for r in tree.seq(refs) if isinstance(r, ScalarNode)]

    # -- chained pipelines --------------------------------------------------------------------------------

    def parents_of(self, name: str) -> list[str]:
        """The pipelines of the workspace that chain the pipeline file `name` through a Pipeline stage."""
        parents = []
        for other in self.users_of(name):
            for document in self.read(other).documents:
                if document.pipeline and any(use.file == name for use in document.pipeline.chain_uses):
                    parents.append(other)
                    break
        return parents

    def users_of(self, name: str) -> list[str]:
        """The files of the workspace whose analysis reads `name` (the pipelines that use a template): of the
        files the reverse dependency map says may read it, those not analysed since the last change that
        concerns them are analysed again; no other file is read."""
        self.index.flush()
        candidates = self.index.readers_of(name)
        for other in candidates:
            indexed = self.index.files[other]
            if other not in self._models and (indexed.pipelines or indexed.templates):
                self.read(other)
        return sorted(other for other in candidates if name in self.depends.get(other, ()))

    def _reported_in(self, name: str) -> set[tuple[str, SpanKey]]:
        """What linting template file `name` on its own reports: a finding on a template's nodes that its
        own file reports is not repeated in every pipeline that uses it."""
        if name not in self._own:
            self._own[name] = None
            indexed = self.index.files.get(name)
            found = set()
            if indexed is not None:
                found = {(d.code, span_key(d.span)) for d in lint_parsed(self.read(name), reported_in=self._reported_in)}
            self._own[name] = found
        return self._own[name] or set()


def _finding_key(d: Diagnostic, home: str) -> tuple:
    """A finding by what it is about: its rule and where its range is really written."""
    span = d.span
    return (d.code, span.origin.file if span.origin is not None else home, span_key(span))
