"""The workspace in the language server: every workspace folder's Harness files, indexed in the background
and kept current, so an open document is analysed against the repository (templates resolved, rules.md
"Across files") and a change to one file re-publishes the open files that depend on it.

- One `Root` per workspace folder (or, for a document outside every folder, per git repository holding
  it; a document in neither is read on its own, as the command line's `--no-resolve` reads it). Its `Workspace` is loaded
  from disk in a worker thread (`load`); requests are answered from the partial index meanwhile, and every
  open document of the root is analysed again when loading ends.
- Workspace names are absolute file paths (`name_of`); URIs are converted here, at the edge. A document
  that is not a file (`untitled:`) is named by its URI.
- Open documents' text wins over the disk: the editor's text is `put` on every analysis, and put back
  from the disk on close. `workspace/didChangeWatchedFiles` puts, replaces or removes files not open.
- The `Workspace` is not thread-safe: each root has a lock, held by the loader for one file at a time and
  by the event loop for one analysis.
- An edit inside one stage of an open pipeline that names nothing in another file is analysed from the
  previous model (`lint_in`, `incremental.reparse`), and its text is not composed into the index then: the
  root keeps it `deferred` and composes it the first time anything else reads the workspace
  (`Root.workspace`), which is what every other reader goes through.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import itertools
import os
import pathlib
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pygls.uris import from_fs_path

from barrier_lint.config import Config
from barrier_lint.discovery import find_git_root
from barrier_lint.model import BarrierPosition, ChainUse, Span, TemplateUse, parent_barrier
from barrier_lint.parse import ParsedFile, strip_bom
from barrier_lint.workspace import Workspace
from barrier_lint.workspace.files import Excluded, read_harness_text, workspace_files

from .configuration import uri_to_path
from .convert import Positions, split_lines


@functools.lru_cache(maxsize=4096)
def name_of(uri: str) -> str:
    """The workspace name of a document: its absolute path for a `file:` URI, else the URI itself.
    Remembered: it depends on the URI alone, and a template edit asks it for every open document several
    times (which root holds it, whether it is open), a tenth of the re-publishing otherwise."""
    path = uri_to_path(uri)
    return os.path.normpath(str(path)) if path is not None else uri


def uri_of(name: str) -> str:
    return (from_fs_path(name) or name) if os.path.isabs(name) else name


_GENERATIONS = itertools.count()


@dataclass
class Root:
    """One workspace: a folder (None for the documents outside every folder and repository)."""

    path: str | None
    raw: Workspace  # read through `workspace`, which first composes the deferred texts
    lock: threading.RLock = field(default_factory=threading.RLock)
    # Changes on every change of the workspace's files (analyses of older states are stale); unique across
    # roots, so an analysis made in another root is stale too.
    generation: int = field(default_factory=lambda: next(_GENERATIONS))
    loaded: bool = False
    done: int = 0  # files read so far by the loader, of `total`
    total: int = 0
    cancelled: bool = False
    # Texts of open pipelines analysed from their previous model and not composed into the index yet, with
    # that model: (text, model). The generation already stands for them.
    deferred: dict[str, tuple[str, ParsedFile]] = field(default_factory=dict)

    def contains(self, name: str) -> bool:
        return self.path is not None and _inside(name, self.path)

    @property
    def workspace(self) -> Workspace:
        """The workspace, every deferred text composed into its index."""
        if self.deferred:
            with self.lock:
                while self.deferred:
                    name, (text, parsed) = self.deferred.popitem()
                    self.raw.put(name, text)  # (what the text changes for the files reading it is forgotten)
                    self.raw.keep(name, parsed)
        return self.raw

    def defer(self, name: str, text: str, parsed: ParsedFile) -> None:
        """The file's new text, analysed as `parsed` without composing it (the caller holds the lock)."""
        self.deferred[name] = (text, parsed)
        self.raw.keep(name, parsed)
        self.generation = next(_GENERATIONS)

    def text_of(self, name: str) -> str | None:
        """The file's text as the workspace holds it (a deferred one included), without composing."""
        deferred = self.deferred.get(name)
        if deferred is not None:
            return deferred[0]
        indexed = self.raw.index.files.get(name)
        return indexed.composed.text if indexed is not None else None

    # -- changing the files (callers hold the lock) -----------------------------------------------------

    def put(self, name: str, text: str) -> bool:
        """Put the file's text; whether that changed the workspace."""
        before = self.workspace.index.files.get(name)
        if self.workspace.put(name, text) is before:
            return False
        self.generation = next(_GENERATIONS)
        return True

    def remove(self, name: str) -> bool:
        if name not in self.workspace:
            return False
        self.generation = next(_GENERATIONS)
        self.workspace.remove(name)
        return True

    def users_of(self, name: str, compose: bool = True) -> list[str]:
        """The files holding a pipeline whose analysis reads `name` (a template, a child pipeline): those the
        index's reverse dependency map names, analysed again only where a change concerns them
        (`Workspace.users_of`). Without `compose`, a deferred text stays deferred: it changed none of what
        this goes by (identities, what files name, what they read), only what the other files' models hold
        of it, and those models are forgotten when it is composed."""
        workspace = self.workspace if compose else self.raw
        files = workspace.index.files
        if not self.loaded and self.path is not None:
            found = workspace.dependents(name)  # the index is partial: answer from what is known meanwhile
        else:
            found = set(workspace.users_of(name))
        return sorted(f for f in found if f in files and files[f].pipelines)

    def parents_of(self, name: str, compose: bool = True) -> list[str]:
        """The pipelines that chain pipeline file `name` through a Pipeline stage (`Workspace.parents_of`,
        from the reads the root keeps current)."""
        workspace = self.workspace if compose else self.raw
        return [
            user for user in self.users_of(name, compose)
            if any(d.pipeline is not None and any(c.file == name for c in d.pipeline.chain_uses)
                   for d in workspace.read(user).documents)
        ]

    def put_from_disk(self, name: str) -> bool:
        """The file as it is on disk (after a close, or a change the watcher reports); removed when it is
        gone or not Harness YAML."""
        text = read_harness_text(name) if os.path.isabs(name) else None
        return self.put(name, text) if text is not None else self.remove(name)


@dataclass
class Options:
    """What a root is loaded with: the configuration's excludes, template paths and stable versions."""

    excluded: Excluded | None = None
    template_paths: tuple[str, ...] = ()
    stable_templates: dict[str, str] = field(default_factory=dict)


def load(root: Root, options: Options, is_open: Callable[[str], bool]) -> None:
    """Read every Harness file of the root's folder into its workspace (run in a worker thread). A file
    open in the editor keeps the editor's text."""
    assert root.path is not None
    paths = list(workspace_files(root.path, options.excluded, options.template_paths))
    root.total = len(paths)
    for path in paths:
        if root.cancelled:
            return
        text = read_harness_text(path)
        name = os.path.normpath(path)
        if text is not None:
            with root.lock:
                if not is_open(name):
                    root.put(name, text)
        root.done += 1
    # What each file reads, so that the first requests about a template's users find them analysed.
    with root.lock:
        files = list(root.workspace.index.files)
    for name in files:
        if root.cancelled:
            return
        with root.lock:
            indexed = root.workspace.index.files.get(name)
            if indexed is not None and (indexed.pipelines or indexed.templates):
                root.workspace.read(name)
    root.loaded = True


class Workspaces:
    """The server's roots, and which one each document belongs to."""

    def __init__(self) -> None:
        self.roots: dict[str, Root] = {}  # folder path -> root
        self.loose = Root(None, Workspace("."))

    def set_folders(self, paths: Iterable[str]) -> list[Root]:
        """Make the roots those of `paths` (absolute folders); returns the roots that need loading."""
        wanted = [os.path.normpath(p) for p in paths]
        for path in list(self.roots):
            if path not in wanted:
                self.roots.pop(path).cancelled = True
        fresh = []
        for path in wanted:
            if path not in self.roots:
                self.roots[path] = Root(path, Workspace(path))
                fresh.append(self.roots[path])
        return fresh

    def root_for(self, name: str) -> Root:
        """The innermost root holding `name`, else the loose root."""
        best: Root | None = None
        for root in self.roots.values():
            if root.contains(name) and (best is None or len(root.path or "") > len(best.path or "")):
                best = root
        return best or self.loose

    def repository_of(self, name: str) -> str | None:
        """The git work tree holding a file outside every root (it becomes a root of its own)."""
        if not os.path.isabs(name) or any(r.contains(name) for r in self.roots.values()):
            return None
        return find_git_root(os.path.dirname(name))


# ------------------------------------------------------------------------------------------ answers


class Files:
    """Converts spans of any file of a root to client locations: a span with an origin is in
    `origin.file`, converted with that file's lines as the workspace holds them."""

    def __init__(self, root: Root, name: str, positions: Positions) -> None:
        self.root = root
        self.name = name
        self.positions = positions  # of the analysed document
        self.codec = positions.codec
        self._others: dict[str, Positions] = {}

    def of(self, file: str) -> Positions | None:
        if file == self.name:
            return self.positions
        if file not in self._others:
            text = self.root.text_of(file)  # (without composing a deferred text: diagnostics are published with these)
            if text is None:
                return None
            self._others[file] = Positions(split_lines(strip_bom(text)), self.codec, bom=text.startswith("\ufeff"))
        return self._others[file]

    def display(self, file: str) -> str:
        return relative(self.root, file)

    def where(self, span: Span) -> tuple[str, Span]:
        """The file a span is written in and the span itself without its origin."""
        if span.origin is None:
            return self.name, span
        return span.origin.file, Span(span.start_line, span.start_col, span.end_line, span.end_col)

    def location(self, span: Span):
        from lsprotocol import types

        file, plain = self.where(span)
        positions = self.of(file)
        if positions is None:
            return None
        return types.Location(uri=uri_of(file), range=positions.range(plain))


def use_at(parsed: ParsedFile, line: int, col: int) -> TemplateUse | None:
    """The template use whose `templateRef` value (written in this file) is under the cursor."""
    for document in parsed.documents:
        pipeline = document.pipeline
        if pipeline is None:
            continue
        for use in pipeline.template_uses:
            if use.ref.span.origin is None and use.ref.span.contains(line, col):
                return use
    return None


def chain_at(parsed: ParsedFile, line: int, col: int) -> ChainUse | None:
    """The Pipeline stage whose `spec.pipeline` value (written in this file) is under the cursor."""
    for document in parsed.documents:
        for use in document.pipeline.chain_uses if document.pipeline is not None else ():
            if use.ref is not None and use.ref.span.origin is None and use.ref.span.contains(line, col):
                return use
    return None


def parent_ref_at(parsed: ParsedFile, line: int, col: int) -> BarrierPosition | None:
    """The Barrier step whose `barrierRef: parent.X` (written in this file) is under the cursor."""
    for document in parsed.documents:
        for position in document.pipeline.positions if document.pipeline is not None else ():
            ref = position.ref
            if position.joins_parent and ref is not None and ref.span.origin is None and ref.span.contains(line, col):
                return position
    return None


def brought_by(parsed: ParsedFile, use: TemplateUse) -> list[BarrierPosition]:
    """The Barrier steps a template use brings into the analysed file."""
    found = []
    for document in parsed.documents:
        if document.pipeline is None:
            continue
        for position in document.pipeline.positions:
            origin = position.span.origin
            if origin is not None and origin.via == use.ref.span:
                found.append(position)
    return found


def template_definition(files: Files, use: TemplateUse | ChainUse) -> list:
    """The template (or child pipeline) a use resolved to: its file, at the identifier it says it is."""
    if use.file is None:
        return []
    found = files.location(in_file(use.file, use.at or Span(0, 0, 0, 0)))
    return [found] if found is not None else []


def template_hover(files: Files, analysis, use: TemplateUse):
    """What a template use resolved to: file, version, the Barrier steps it brings."""
    if use.version is not None:
        version = f"`{use.version.value}` (written here)"
    elif "@" in use.label:
        version = f"`{use.label.rsplit('@', 1)[1]}` (the stable version: no versionLabel here)"
    else:
        version = "none (the template has no versionLabel)"
    lines = [f"**{use.kind} template `{use.label or use.ref.value}`**", ""]
    if use.file is not None:
        line = f" line {use.at.start_line + 1}" if use.at is not None else ""
        lines.append(f"File: `{files.display(use.file)}`{line}  ")
    if use.resolved:
        lines.append(f"Version: {version}")
    else:
        lines.append(f"Not resolved: {use.problem or 'no workspace to resolve it against'}.")
    steps = brought_by(analysis.parsed, use)
    if use.resolved:
        lines.append("")
        if steps:
            lines.append(f"Barrier steps it brings ({len(steps)}):")
            for step in steps:
                ref = step.ref.value if step.ref is not None else "(no barrierRef)"
                file, span = files.where((step.ref or step.type).span)
                lines.append(f"- step {step.label}: barrierRef `{ref}` ({files.display(file)}:{span.start_line + 1})")
        else:
            lines.append("It brings no Barrier step.")
    return _hover(files, lines, use.ref.span)


def chain_hover(files: Files, analysis, chain: ChainUse):
    """What a Pipeline stage's `spec.pipeline` resolved to: the child's file, and the barriers of this
    pipeline its `parent.X` Barrier steps join (each with the step and where its reference is written)."""
    assert chain.ref is not None
    lines = [f"**Child pipeline `{chain.ref.value}`**", ""]
    if not chain.resolved:
        lines.append(f"Not resolved: no pipeline `{chain.ref.value}` of this org and project is in the workspace.")
    else:
        line = f" line {chain.at.start_line + 1}" if chain.at is not None else ""
        lines.append(f"File: `{files.display(chain.file or '')}`{line}")
        pipeline = next(d.pipeline for d in analysis.parsed.documents if d.pipeline is not None and any(c is chain for c in d.pipeline.chain_uses))
        joined = [p for p in pipeline.positions if p.span.origin is not None and p.span.origin.via == chain.ref.span]
        lines.append("")
        if joined:
            lines.append(f"Barriers of this pipeline it joins ({len(joined)}):")
            for step in joined:
                assert step.ref is not None
                declared = "declared here" if step.ref.value in pipeline.declared else "not declared here"
                file, span = files.where(step.ref.span)
                lines.append(f"- `{step.ref.value}` ({declared}): step {step.label} ({files.display(file)}:{span.start_line + 1})")
        else:
            lines.append("It joins no barrier of this pipeline (no `parent.X` Barrier step).")
    return _hover(files, lines, chain.ref.span)


def _hover(files: Files, lines: list[str], span: Span):
    """A Markdown hover of these lines over `span` of the document."""
    from lsprotocol import types

    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n".join(lines)),
        range=files.positions.range(span),
    )


def in_file(file: str, span: Span) -> Span:
    """`span`, written in `file`, as a span the `Files` of any document places there."""
    from barrier_lint.model import Origin

    return Span(span.start_line, span.start_col, span.end_line, span.end_col, Origin(file, span, ""))


def relative(root: Root, name: str) -> str:
    if root.path is not None and root.contains(name):
        return pathlib.PurePath(os.path.relpath(name, root.path)).as_posix()
    return name


def lint_in(root: Root, name: str, text: str, config: Config, previous=None):
    """Put the document's text and analyse it against its root: (model, findings, generation, lines or None).
    A document outside every folder and repository is read on its own, as `--no-resolve` reads it. With the
    `previous` analysis, an edit inside one stage is read from it when that is provably the full analysis."""
    if root.path is None:
        from barrier_lint.linter import lint_parsed
        from barrier_lint.parse import parse

        parsed = parse(text)
        return parsed, lint_parsed(parsed, config), root.generation, None
    with root.lock:
        spliced = _from_previous(root, name, text, previous)
        if spliced is not None:
            parsed, lines = spliced
            root.defer(name, text, parsed)
            return parsed, root.raw.lint(name, config), root.generation, lines
        workspace = root.workspace
        root.put(name, text)
        parsed = workspace.read(name)
        return parsed, workspace.lint(name, config), root.generation, None


def _from_previous(root: Root, name: str, text: str, previous):
    """The workspace's model of `text` built from the previous analysis's (`incremental.reparse`), or None.
    What the file's findings read besides its own model stays as it was: the previous analysis is of the
    workspace's current state (its generation, and the model the workspace holds), the edited entry names no
    other file before or after (so the templates and child pipelines read, and the index's entries and
    reverse map, are the same), and the file holds one pipeline (no input set of its own whose runs it
    would report). Not when the file chains itself (its other entries would read its new text), or when a
    template reads it (a template's own findings, which this file's leave out, would read it)."""
    from .incremental import reparse

    if previous is None or previous.too_large or previous.generation != root.generation:
        return None
    workspace = root.raw
    if workspace.model(name) is not previous.parsed:
        return None
    documents = previous.parsed.documents
    if len(documents) != 1 or documents[0].pipeline is None:
        return None
    if any(use.file == name for use in documents[0].pipeline.chain_uses):
        return None
    files = workspace.index.files
    readers = workspace.dependents(name) | workspace.index.readers_of(name)  # (those that may read it too)
    if any(files[f].templates for f in readers if f in files):
        return None
    return reparse(previous.parsed, previous.lines, strip_bom(text), resolved=True)


# ------------------------------------------------------------------------------------------ the server's


class Index:
    """The server side of the workspaces: which root a document belongs to, loading roots in the
    background with `$/progress`, and re-publishing the open documents a change made stale."""

    def __init__(self, server) -> None:
        self.server = server
        self.workspaces = Workspaces()
        self.progress = False  # the client supports window/workDoneProgress
        self.annotations = False  # the client supports documentChanges with change annotations
        self.changed: list[str] = []  # documents whose dependents are to be re-published
        self.cascade: asyncio.Task | None = None
        self.loading: set[asyncio.Task] = set()

    # -- roots ------------------------------------------------------------------------------------------

    def root_of(self, uri: str) -> Root:
        return self.workspaces.root_for(name_of(uri))

    def against(self, uri: str):
        root, name = self.root_of(uri), name_of(uri)
        return lambda text, config, previous=None: lint_in(root, name, text, config, previous)

    def is_open(self, name: str) -> bool:
        # Called from the loader thread: copy the keys in one step (the loop may open a document meanwhile).
        return any(name_of(uri) == name for uri in tuple(self.server.documents))

    def options(self, folder: str) -> Options:
        from barrier_lint.settings import config_for

        from .configuration import editor_excludes

        config, problems = self.server.settings.config_for(pathlib.Path(folder, ".barrier-lint-workspace").as_uri())
        for problem in problems:
            self.server.log(problem)
        editor = editor_excludes(self.server.settings, folder)

        def excluded(path: str, is_dir: bool) -> bool:
            governing = os.path.dirname(os.path.abspath(path)) if is_dir else path
            return config_for(pathlib.Path(governing)).excludes(path, is_dir) or editor.excludes(path, is_dir)

        return Options(excluded, config.template_paths, dict(config.stable_templates))

    def set_folders(self, folders: Iterable[str], rebuild: bool = False) -> None:
        """Index these workspace folders (paths), in the background; `rebuild` loads every one again
        (the configuration changed)."""
        folders = list(folders)
        if rebuild:
            self.workspaces.set_folders([])
        extra = [r for r in self.workspaces.roots if r not in folders and not any(_inside(r, f) for f in folders)]
        for root in self.workspaces.set_folders(folders + [r for r in extra if self._keeps(r)]):
            self.start(root)

    def _keeps(self, repository: str) -> bool:
        """Whether a repository root opened for a document outside the folders still has one open."""
        return any(_inside(name_of(uri), repository) for uri in self.server.documents)

    def opened(self, uri: str) -> None:
        """A document outside every folder: index the git repository holding it, if any."""
        repository = self.workspaces.repository_of(name_of(uri))
        if repository is not None:
            folders = list(self.workspaces.roots)
            for root in self.workspaces.set_folders(folders + [repository]):
                self.start(root)

    def start(self, root: Root) -> None:
        task = asyncio.get_running_loop().create_task(self._load(root))
        self.loading.add(task)
        task.add_done_callback(self.loading.discard)

    async def _load(self, root: Root) -> None:
        from lsprotocol import types

        options = self.options(root.path or ".")
        root.workspace.resolver.stable = dict(options.stable_templates)
        token = f"barrier-lint-index-{id(root)}"
        title = f"barrier-lint: indexing {os.path.basename(root.path or '') or root.path}"
        progress = self.progress
        if progress:
            try:
                await asyncio.wait_for(self.server.work_done_progress.create_async(token), 5)
                self.server.work_done_progress.begin(
                    token, types.WorkDoneProgressBegin(title=title, percentage=0, cancellable=False)
                )
            except Exception as exc:  # the client refused the token: index without progress
                self.server.log(f"no progress for indexing: {exc!r}", types.MessageType.Info)
                progress = False
        loop = asyncio.get_running_loop()
        job = loop.run_in_executor(None, load, root, options, self.is_open)
        reported = -1
        while not job.done():
            await asyncio.wait([job], timeout=0.2)
            if progress and root.done != reported and root.total:
                reported = root.done
                self.server.work_done_progress.report(
                    token,
                    types.WorkDoneProgressReport(
                        message=f"{root.done}/{root.total} files", percentage=min(99, root.done * 100 // root.total)
                    ),
                )
        # The index (every file composed, and read once) lives as long as the server: keep the collector
        # from walking it on every full collection, which otherwise stalls re-publishing by tens of ms. The
        # models hold no reference cycles, so what a later change drops is still freed.
        gc.freeze()
        failure = job.exception()
        if failure is not None:
            self.server.log(f"indexing {root.path} failed: {failure!r}", types.MessageType.Error)
        if progress:
            files = len(root.workspace.index.files)
            self.server.work_done_progress.end(token, types.WorkDoneProgressEnd(message=f"{files} Harness file{'s' if files != 1 else ''}"))
        if root.cancelled:
            return
        # Open documents were analysed against a partial index: once more against the whole.
        for uri in list(self.server.documents):
            if self.root_of(uri) is root:
                self.server.lint(uri, cascade=False)

    def users_for(self, uri: str, document) -> list:
        """For a template document: each pipeline of the workspace using it, as (its file, its model); for
        any other document, none (its own model already reaches the templates it uses)."""
        from barrier_lint.model import DocumentKind

        kind = document.kind
        if not kind.is_analysed or kind in (DocumentKind.PIPELINE, DocumentKind.V1_PIPELINE):
            return []
        root, name = self.root_of(uri), name_of(uri)
        with root.lock:
            return [
                (user, other.pipeline)
                for user in root.users_of(name) if user != name
                for other in root.workspace.read(user).documents
                if other.pipeline is not None and other.kind.is_pipeline
            ]

    def shared_with(self, uri: str, file: str) -> list[str]:
        """The pipelines other than the document's own that use `file` (a template), as the user names them."""
        root, name = self.root_of(uri), name_of(uri)
        with root.lock:
            return [relative(root, f) for f in root.users_of(file) if f != name]

    def barriers_for(self, uri: str, analysis, line: int) -> list:
        """The barriers a `barrierRef` at `line` may name besides the document's own declarations: in a
        template, those the pipelines using it declare; in a chained child pipeline, `parent.X` for each
        barrier X its parents declare; in an input set, its pipeline's."""
        from barrier_lint.model import DocumentKind

        from .completion import Declared

        if analysis is None:
            return []
        document = next((d for d in analysis.parsed.documents if d.span.start_line <= line <= d.span.end_line), None)
        if document is None:
            return []
        # Without composing a deferred text (the document's own, typed a moment ago): completion answers
        # while the user types, and none of what it reads here depends on that text.
        root, name = self.root_of(uri), name_of(uri)
        found: dict[str, tuple[str, list[str]]] = {}  # identifier -> (its name, the files declaring it)
        with root.lock:
            if document.kind is DocumentKind.INPUT_SET:
                pipelines, prefix = self._pipelines_run_by(root, name, document.index), ""
            elif document.kind.is_pipeline:
                pipelines, prefix = root.parents_of(name, compose=False), "parent."
            elif document.kind.is_analysed:
                pipelines, prefix = root.users_of(name, compose=False), ""
            else:
                pipelines, prefix = [], ""
            for user in pipelines:
                for other in root.raw.read(user).documents:  # (their declarations: no deferred text changes them)
                    if other.pipeline is None or not other.kind.is_pipeline:
                        continue
                    for identifier, declaration in other.pipeline.declared.items():
                        label = declaration.name.value if declaration.name is not None else identifier
                        found.setdefault(prefix + identifier, (label, []))[1].append(relative(root, user))
        return [Declared(i, f"{label} (declared in {', '.join(users)})", []) for i, (label, users) in found.items()]

    @staticmethod
    def _pipelines_run_by(root: Root, name: str, number: int) -> list[str]:
        indexed = root.raw.index.files.get(name)
        entries = [e for e in indexed.input_sets if e.number == number] if indexed is not None else []
        runs = [root.raw.run_of(e) for e in entries]
        return [run[0].file for run in runs if run is not None]

    def parent_definition(self, files: Files, analysis, position: BarrierPosition) -> list:
        """Where the barrier X of a `parent.X` is declared: in this pipeline when the step is a child's
        brought in here (the value written in this parent's `spec.inputs`), else in each pipeline that
        chains this one."""
        assert position.ref is not None
        barrier = parent_barrier(position.ref.value)
        root = files.root
        with root.lock:
            parents = [files.name] if position.span.origin is not None else root.parents_of(files.name)
            found = []
            for parent in parents:
                parsed = analysis.parsed if parent == files.name else root.workspace.read(parent)
                for document in parsed.documents:
                    declared = document.pipeline.declared.get(barrier or "") if document.pipeline is not None else None
                    if declared is not None and declared.identifier is not None:
                        location = files.location(declared.identifier.span if parent == files.name
                                                  else in_file(parent, declared.identifier.span))
                        if location is not None and location not in found:
                            found.append(location)
            return found

    # -- staying current --------------------------------------------------------------------------------

    def closed(self, uri: str) -> None:
        """The editor's text is gone: the file is what the disk says again."""
        name = name_of(uri)
        root = self.root_of(uri)
        with root.lock:
            if root.path is None:
                root.remove(name)
            else:
                root.put_from_disk(name)
        self.republish_dependents(uri)

    def files_changed(self, uris: Iterable[str], deleted: set[str]) -> None:
        """The watcher's report: files created, changed or deleted on disk (those open are the editor's)."""
        for uri in uris:
            name = name_of(uri)
            if uri in self.server.documents or not os.path.isabs(name):
                continue
            root = self.workspaces.root_for(name)
            if root.path is None:
                continue
            with root.lock:
                changed = root.remove(name) if uri in deleted else root.put_from_disk(name)
            if changed:
                self.republish_dependents(uri)

    def republish_dependents(self, uri: str) -> None:
        """Re-publish, soon, the open documents that the change of `uri` may have made stale: those whose
        last analysis read it, and those with template uses left unresolved (the file may resolve them)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # called outside the server's loop (a unit test): nobody to publish to
            return
        self.changed.append(uri)
        if self.cascade is None or self.cascade.done():
            self.cascade = loop.create_task(self._republish())

    async def _republish(self) -> None:
        await asyncio.sleep(0)  # after the handler that made the change
        while self.changed:
            uri = self.changed.pop(0)
            for other in self.dependents(uri):
                document = self.server.documents.get(other)
                if document is None:
                    continue
                root = self.root_of(other)
                if document.analysis is not None and document.analysis.generation == root.generation:
                    continue  # analysed since (another cascade, a request)
                self.server.lint(other, cascade=False)
                await asyncio.sleep(0)  # let requests in between

    def dependents(self, uri: str) -> list[str]:
        name, root = name_of(uri), self.root_of(uri)
        with root.lock:
            # (a deferred text does not change what reads it: no need to compose it here, on every edit)
            reading = root.raw.dependents(name)
        out = []
        for other, document in self.server.documents.items():
            if other == uri or self.root_of(other) is not root:
                continue
            analysis = document.analysis
            unresolved = analysis is not None and any(
                d.pipeline is not None and (d.pipeline.unresolved_templates or d.pipeline.unresolved_chains)
                for d in analysis.parsed.documents
            )
            if name_of(other) in reading or unresolved:
                out.append(other)
        return out


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)
