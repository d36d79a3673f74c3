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
from ..linter import DEFAULT_CONFIG, SpanKey, lint_parsed, span_key
from ..parse import ParsedFile, read
from .files import Excluded, read_harness_text, workspace_files, workspace_root
from .index import IndexedFile, WorkspaceIndex
from .resolver import WorkspaceResolver

__all__ = ["Workspace", "WorkspaceIndex", "WorkspaceResolver", "display_name", "workspace_root"]


def display_name(path: str) -> str:
    """How the command line names a workspace file: relative to the working directory, with `/`."""
    return os.path.relpath(os.path.abspath(path)).replace(os.sep, "/")


class Workspace:
    def __init__(self, root: str = ".", stable_templates: Mapping[str, str] | None = None) -> None:
        self.root = root
        self.index = WorkspaceIndex()
        self.resolver = WorkspaceResolver(self.index, stable_templates)
        # A template file's own findings (rule 1 of "Where a finding is reported"), computed once per state
        # of the workspace; None marks one being computed (a cycle of templates).
        self._own: dict[str, set[tuple[str, SpanKey]] | None] = {}
        self._models: dict[str, ParsedFile] = {}  # resolved models, per state of the workspace
        # file -> the other files its last analysis read (templates, ...): what to re-check when one changes
        self.depends: dict[str, set[str]] = {}

    @classmethod
    def load(
        cls,
        root: str,
        excluded: Excluded | None = None,
        template_paths: Iterable[str] = (),
        stable_templates: Mapping[str, str] | None = None,
    ) -> Workspace:
        """The workspace of a repository on disk: every Harness YAML file it holds (see `files`), read
        once, named by `display_name`."""
        workspace = cls(root, stable_templates)
        for path in workspace_files(root, excluded, template_paths):
            text = read_harness_text(path)
            if text is not None:
                workspace.put(display_name(path), text)
        return workspace

    # -- keeping the index current ----------------------------------------------------------------------

    def put(self, name: str, text: str) -> IndexedFile:
        """Add or replace the file `name` (its text as the analysis should see it)."""
        old = self.index.files.get(name)
        if old is not None and old.composed.text == text:
            return old
        self._changed()
        return self.index.put(name, text)

    def remove(self, name: str) -> None:
        self._changed()
        self.index.remove(name)
        self.depends.pop(name, None)

    def _changed(self) -> None:
        self._own.clear()
        self._models.clear()

    def dependents(self, name: str) -> set[str]:
        """The files whose last analysis read `name`: they need checking again when it changes."""
        return {other for other, read in self.depends.items() if name in read and other != name}

    def __contains__(self, name: str) -> bool:
        return name in self.index.files

    # -- analysis -----------------------------------------------------------------------------------------

    def read(self, name: str) -> ParsedFile:
        """The model of file `name` (which must have been `put`), its template uses resolved."""
        parsed = self._models.get(name)
        if parsed is None:
            outer, self.resolver.reads = self.resolver.reads, set()
            try:
                parsed = read(self.index.files[name].composed, self.resolver)
                self.depends[name] = self.resolver.reads
            finally:
                self.resolver.reads = outer | self.resolver.reads
            self._models[name] = parsed
        return parsed

    def lint(self, name: str, config: Config = DEFAULT_CONFIG, *, assume_harness: bool = False) -> list[Diagnostic]:
        """Every finding to report in file `name` (which must have been `put`), resolved against the workspace."""
        return lint_parsed(self.read(name), config, assume_harness=assume_harness, reported_in=self._reported_in)

    def users_of(self, name: str) -> list[str]:
        """The files of the workspace whose analysis reads `name` (the pipelines that use a template)."""
        for other in self.index.files:
            if other not in self._models and (self.index.files[other].pipelines or self.index.files[other].templates):
                self.read(other)
        return sorted(self.dependents(name))

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
