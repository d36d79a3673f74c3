"""The language server: protocol plumbing around the analyzer core.

It keeps each open document's latest analysis (parsed once per version and shared by every feature),
lints on open, after a short pause in typing (in a worker thread, so that requests are read and answered
meanwhile), and on save, and answers requests from the model. No rule
logic lives here: findings come from `barrier_lint.linter.lint_parsed`, their fixes from the findings' data.

Every handler is guarded: a failure is logged to the client (`window/logMessage`) and the request gets an
empty result, so no input, however malformed, stops the server from answering.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import inspect
import traceback
from typing import Any, Callable

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer

from barrier_lint import __version__
from barrier_lint.parse import strip_bom

from . import actions, completion, graph, navigation
from . import workspace as ws
from .configuration import SECTION, Settings, editor_table, unknown_keys
from .convert import line_ending, Positions, split_lines, to_lsp_diagnostic
from .documents import Analysis, OpenDocument, Target, analyse, target_at
from .transport import Protocol, serve_stdio, serve_tcp

DEFAULT_DEBOUNCE_MS = 200
# Up to this size a completion request re-parses a changed document rather than use the previous version's
# model (about 50 ms at this size).
FRESH_COMPLETION_CHARS = 100_000
REQUEST_FAILED = -32803  # LSP's RequestFailed: a valid request the server declines


class BarrierLintServer(LanguageServer):
    def __init__(self, debounce_ms: int | None = None) -> None:
        super().__init__(
            "barrier-lint", __version__, protocol_cls=Protocol, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.debounce_ms = debounce_ms  # None: DEFAULT_DEBOUNCE_MS unless initializationOptions say otherwise
        self.documents: dict[str, OpenDocument] = {}
        self.settings = Settings()
        self.pull_configuration = False
        # workspace folders whose settings have been asked for, and the request (awaited by every user)
        self.pulled: dict[str, asyncio.Future] = {}
        self.index = ws.Index(self)  # every workspace folder's files (templates, ...), kept current
        # per document: the version and code lens titles of its last analysis published
        self.lens_titles: dict[str, tuple[int | None, list[str]]] = {}
        # Lints after a change run here, off the event loop, so that requests (completion, hover) are read
        # and answered meanwhile; one thread: one analysis at a time, and the workspace is not thread-safe.
        self.analyser = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="barrier-lint-analysis")

    # -- plumbing ---------------------------------------------------------------------------------------

    def start_io(self, stdin=None, stdout=None) -> int:  # type: ignore[override]
        """Serve over stdio with the tolerant framing of `transport`; returns the process's exit code."""
        return serve_stdio(self)

    def start_tcp(self, host: str, port: int) -> int:  # type: ignore[override]
        return serve_tcp(self, host, port)

    def log(self, message: str, kind: types.MessageType = types.MessageType.Warning) -> None:
        try:
            self.window_log_message(types.LogMessageParams(type=kind, message=f"barrier-lint: {message}"))
        except Exception:  # no transport (tests, shutdown)
            pass

    def report_server_error(self, error: Exception, source) -> None:
        # Out-of-band errors (a notification that could not be read) go to the log, not to a pop-up.
        self.log(f"{type(error).__name__}: {error}", types.MessageType.Error)

    def take_settings(self, raw, where: str) -> dict:
        """The barrier-lint keys of settings received from the client; others are logged and left out."""
        unknown = unknown_keys(raw)
        if unknown:
            self.log(f"unknown setting(s) in {where} ignored: {', '.join(unknown)}")
        return editor_table(raw)

    def positions(self, analysis: Analysis) -> Positions:
        return Positions(analysis.lines, self.workspace.position_codec, bom=analysis.bom)

    def files(self, uri: str, analysis: Analysis) -> ws.Files:
        """Locations in the document's workspace, the document's own from this analysis."""
        return ws.Files(self.index.root_of(uri), ws.name_of(uri), self.positions(analysis))

    @property
    def debounce(self) -> float:
        return (DEFAULT_DEBOUNCE_MS if self.debounce_ms is None else self.debounce_ms) / 1000

    # -- analysis ---------------------------------------------------------------------------------------

    def is_current(self, uri: str, analysis: Analysis | None) -> bool:
        """Whether `analysis` is of the document's current text, version and workspace."""
        if analysis is None:
            return False
        text_document = self.workspace.get_text_document(uri)
        return (
            analysis.version == text_document.version
            and analysis.text == text_document.source
            and analysis.generation == self.index.root_of(uri).generation
        )

    def current(self, uri: str) -> tuple[OpenDocument, Analysis] | None:
        """The analysis of the document's current text, computed now if the latest one is stale. None for a
        document the client has not opened."""
        document = self.documents.get(uri)
        if document is None:
            return None
        analysis = document.analysis
        if not self.is_current(uri, analysis):
            text_document = self.workspace.get_text_document(uri)
            analysis = analyse(text_document.source, text_document.version, document.config, *self.analysis_of(uri, document))
            self.remember(document, analysis)
        return document, analysis  # type: ignore[return-value]

    def analysis_of(self, uri: str, document: OpenDocument) -> tuple:
        """How `analyse` reads the document: against its workspace, or (outside every folder and repository)
        on its own; from its previous analysis when an edit re-reads only one stage."""
        root = self.index.root_of(uri)
        if root.path is None:
            return None, document.analysis, root.generation
        return self.index.against(uri), document.analysis, -1

    def remember(self, document: OpenDocument, analysis: Analysis) -> None:
        if analysis.too_large and (document.analysis is None or not document.analysis.too_large):
            self.log(f"{document.uri} is too large to analyse ({len(analysis.text)} characters)", types.MessageType.Info)
        document.remember(analysis)

    def lint_in_worker(self, uri: str) -> None:
        """Analyse the document's current text in the worker thread, then publish it (on the loop). One
        analysis per document at a time: a change meanwhile has the latest text analysed when it ends, and
        an analysis of a text that is no longer current is never published."""
        document = self.documents.get(uri)
        if document is None:
            return
        if document.running is not None:
            document.rerun = True
            return
        if self.is_current(uri, document.analysis):  # a request analysed this version already: publish it
            self.lint(uri)
            return
        text_document = self.workspace.get_text_document(uri)
        text, config = text_document.source, document.config
        running = asyncio.get_running_loop().run_in_executor(
            self.analyser, analyse, text, text_document.version, config, *self.analysis_of(uri, document)
        )
        document.running, document.running_text, document.rerun = running, text, False
        running.add_done_callback(functools.partial(self._analysed, uri, document, config))

    def _analysed(self, uri: str, document: OpenDocument, config, running: asyncio.Future) -> None:
        document.running = document.running_text = None
        if self.documents.get(uri) is not document:  # closed meanwhile
            return
        try:
            if running.exception() is None:
                analysis = running.result()
                text_document = self.workspace.get_text_document(uri)
                # (a change of the workspace meanwhile has `lint` analyse it again, on the loop)
                if (analysis.text, analysis.version) == (text_document.source, text_document.version) and document.config is config:
                    self.remember(document, analysis)
                    self.lint(uri)
                    return
            else:
                self.lint(uri)  # analysed again on the loop, which logs the failure and withdraws the diagnostics
                return
            if document.rerun:
                self.lint_in_worker(uri)
        except Exception:
            self.log(f"linting {uri} failed:\n{traceback.format_exc()}", types.MessageType.Error)

    async def settled(self, uri: str) -> None:
        """Wait (without blocking the loop) for the worker's analysis of the document, so that a request
        reads its result instead of parsing the same text again."""
        for _ in range(5):
            document = self.documents.get(uri)
            running = document.running if document is not None else None
            if running is None:
                return
            if running.done():  # its callback (`_analysed`) is scheduled: let it remember the analysis
                await asyncio.sleep(0)
                continue
            with contextlib.suppress(Exception):
                await asyncio.shield(running)

    def lint(self, uri: str, cascade: bool = True) -> None:
        """Publish the document's diagnostics; with `cascade`, then those of the open documents that
        depend on it (a pipeline using the template being edited), which its change made stale."""
        if cascade:
            self.index.republish_dependents(uri)
        try:
            found = self.current(uri)
        except Exception:
            # The analyzer failed on this text: say so in the log, and withdraw the previous version's
            # diagnostics rather than leave them on lines that may have moved.
            self.log(f"analysing {uri} failed:\n{traceback.format_exc()}", types.MessageType.Error)
            version = self.workspace.get_text_document(uri).version if uri in self.documents else None
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[]))
            return
        if found is None:
            return
        analysis = found[1]
        positions = self.positions(analysis)
        files = self.files(uri, analysis)
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri,
                version=analysis.version,
                diagnostics=[to_lsp_diagnostic(d, positions, uri, files.location) for d in analysis.diagnostics],
            )
        )
        self.refresh_code_lenses(uri, positions, analysis)

    def refresh_code_lenses(self, uri: str, positions: Positions, analysis: Analysis) -> None:
        """Ask the client to fetch code lenses again when their titles changed while the document did not
        (another file it uses was edited, the configuration changed): the client would show the old
        participant count until something else made it ask. Not after an edit of the document itself
        (a quick fix, typing): the client asks for the lenses of a document it changed on its own, and
        VS Code restarts its wait (250 ms or more) on every refresh, so a refresh then only delays them."""
        capabilities = self.client_capabilities.workspace
        if capabilities is None or capabilities.code_lens is None or not capabilities.code_lens.refresh_support:
            return
        titles = [lens.command.title for lens in navigation.code_lenses(positions, analysis) if lens.command]
        last = self.lens_titles.get(uri)
        self.lens_titles[uri] = (analysis.version, titles)
        if last is not None and last[0] == analysis.version and last[1] != titles:
            self.workspace_code_lens_refresh(None)

    def lint_later(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        document.cancel_pending()
        if self.debounce <= 0:
            self.lint_in_worker(uri)
            return
        document.pending = asyncio.get_running_loop().create_task(self._lint_after_pause(uri))

    async def _lint_after_pause(self, uri: str) -> None:
        await asyncio.sleep(self.debounce)
        document = self.documents.get(uri)
        if document is not None:
            document.pending = None
        try:
            self.lint_in_worker(uri)
        except Exception:
            self.log(f"linting {uri} failed:\n{traceback.format_exc()}", types.MessageType.Error)

    # -- configuration ----------------------------------------------------------------------------------

    async def refresh_config(self, uri: str) -> None:
        document = self.documents.get(uri)
        if document is None:
            return
        await self.pull_settings(self.settings.folder_of(uri))
        if uri not in self.documents:  # closed while waiting
            return
        config, problems = self.settings.config_for(uri)
        for problem in problems:
            self.log(problem)
        document.config = config
        document.analysis = None  # analysed again with the new configuration

    async def pull_settings(self, folder: str) -> None:
        """Ask the client for a workspace folder's settings (once; "" for the documents in none)."""
        if not self.pull_configuration:
            return
        if folder not in self.pulled:
            self.pulled[folder] = asyncio.ensure_future(self._pull(folder))
        await asyncio.shield(self.pulled[folder])

    async def _pull(self, folder: str) -> None:
        try:
            result = await asyncio.wait_for(
                self.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(scope_uri=folder or None, section=SECTION)])
                ),
                timeout=5,
            )
            pulled = result[0] if result else None
            scope = f"workspace/configuration for {folder or 'the workspace'}"
            self.settings.by_folder[folder] = {**self.settings.global_settings, **self.take_settings(pulled, scope)}
        except Exception as exc:
            self.log(f"could not read workspace/configuration: {exc!r}")

    async def reconfigure(self) -> None:
        self.pulled.clear()
        self.settings.by_folder.clear()
        for uri in list(self.documents):
            await self.refresh_config(uri)
            self.lint(uri)
        await self.index_folders(rebuild=True)

    async def index_folders(self, rebuild: bool = False) -> None:
        """Index every workspace folder in the background, with its settings pulled first."""
        folders = [f for f in self.settings.folders if ws.uri_to_path(f) is not None]
        for folder in folders:
            await self.pull_settings(folder)
        self.index.set_folders([str(ws.uri_to_path(f)) for f in folders], rebuild)


def guarded(server: BarrierLintServer, empty: Callable[[], Any], settle: bool = False):
    """Run a handler; on failure log to the client and return `empty()`. `navigation.Refused` becomes an
    error response with its message (a rename to an invalid name). With `settle`, the handler runs once the
    worker's analysis of the request's document has ended (it reads that analysis)."""

    def decorate(handler):
        @functools.wraps(handler)
        async def run(params):
            try:
                document = getattr(params, "text_document", None)
                if settle and document is not None:
                    await server.settled(document.uri)
                result = handler(params)
                if inspect.isawaitable(result):
                    result = await result
                return result
            except navigation.Refused as refused:
                raise JsonRpcException(str(refused), code=REQUEST_FAILED) from None
            except asyncio.CancelledError:
                raise
            except Exception:
                server.log(f"{handler.__name__} failed:\n{traceback.format_exc()}", types.MessageType.Error)
                return empty()

        return run

    return decorate


def create_server(debounce_ms: int | None = None) -> BarrierLintServer:
    server = BarrierLintServer(debounce_ms)

    # Requests on a document read its analysis once the worker's has ended; completion and hover answer at
    # once (from the previous analysis while one runs), and notifications are handled as they come.
    at_once = {
        types.TEXT_DOCUMENT_COMPLETION, types.TEXT_DOCUMENT_HOVER, types.TEXT_DOCUMENT_DID_OPEN,
        types.TEXT_DOCUMENT_DID_CHANGE, types.TEXT_DOCUMENT_DID_CLOSE,
    }

    def feature(method: str, options: Any = None, empty: Callable[[], Any] = lambda: None):
        def register(handler):
            server.feature(method, options)(guarded(server, empty, settle=method not in at_once)(handler))
            return handler

        return register

    def at_cursor(params, found=None) -> tuple[Positions, Target] | None:
        """The barrier identifier under the request's position, with the converter for the answer."""
        found = found or server.current(params.text_document.uri)
        if found is None:
            return None
        analysis = found[1]
        positions = server.positions(analysis)
        target = target_at(analysis, *positions.to_server(params.position))
        return (positions, target) if target is not None else None

    def whole_document(params, answer: Callable[[Positions, Analysis], list]) -> list:
        """`answer` for the document's current analysis; empty for a document that is not open."""
        found = server.current(params.text_document.uri)
        if found is None:
            return []
        return answer(server.positions(found[1]), found[1])

    # -- lifecycle and configuration ------------------------------------------------------------------

    @feature(types.INITIALIZE)
    def initialize(params: types.InitializeParams) -> None:
        options = params.initialization_options
        if isinstance(options, dict):
            inner = options.get(SECTION) if isinstance(options.get(SECTION), dict) else options
            if server.debounce_ms is None and isinstance(inner.get("debounceMs"), (int, float)):
                server.debounce_ms = max(0, int(inner["debounceMs"]))
            server.settings.global_settings = server.take_settings(options, "initializationOptions")
        server.settings.folders = [f.uri for f in params.workspace_folders or []]
        if not server.settings.folders and params.root_uri:
            server.settings.folders = [params.root_uri]
        workspace = params.capabilities.workspace
        server.pull_configuration = bool(workspace is not None and workspace.configuration)
        window = params.capabilities.window
        server.index.progress = bool(window is not None and window.work_done_progress)
        edits = workspace.workspace_edit if workspace is not None else None
        server.index.annotations = bool(
            edits is not None and edits.document_changes and edits.change_annotation_support is not None
        )

    @feature(types.INITIALIZED)
    async def initialized(params: types.InitializedParams) -> None:
        capabilities = server.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities is not None else None
        if watched is not None and watched.dynamic_registration:
            registration = types.Registration(
                id="barrier-lint-watched-files",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern="**/*.{yaml,yml}")]
                ),
            )
            try:
                await asyncio.wait_for(
                    server.client_register_capability_async(types.RegistrationParams(registrations=[registration])), 5
                )
            except Exception as exc:
                server.log(f"could not watch files: {exc!r}", types.MessageType.Info)
        await server.index_folders()

    @feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        deleted = {c.uri for c in params.changes if c.type == types.FileChangeType.Deleted}
        server.index.files_changed([c.uri for c in params.changes], deleted)

    @feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(params: types.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and SECTION in settings:
            server.settings.global_settings = server.take_settings(settings, "didChangeConfiguration")
        await server.reconfigure()

    @feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    async def did_change_folders(params: types.DidChangeWorkspaceFoldersParams) -> None:
        folders = [f for f in server.settings.folders if f not in {r.uri for r in params.event.removed}]
        server.settings.folders = folders + [a.uri for a in params.event.added]
        await server.reconfigure()

    # -- document synchronisation ---------------------------------------------------------------------

    @feature(types.TEXT_DOCUMENT_DID_OPEN)
    async def did_open(params: types.DidOpenTextDocumentParams) -> None:
        uri = params.text_document.uri
        server.documents[uri] = OpenDocument(uri)
        server.index.opened(uri)
        await server.refresh_config(uri)
        server.lint(uri)

    @feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        server.lint_later(params.text_document.uri)

    @feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    async def did_save(params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in server.documents:
            server.documents[uri].cancel_pending()
            await server.refresh_config(uri)  # the configuration file may have changed
            server.lint(uri)

    @feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        document = server.documents.pop(uri, None)
        if document is not None:
            document.cancel_pending()
            server.index.closed(uri)
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        server.lens_titles.pop(uri, None)

    # -- requests -------------------------------------------------------------------------------------

    @feature(
        types.TEXT_DOCUMENT_COMPLETION,
        types.CompletionOptions(trigger_characters=[":", " ", '"', "'"]),
        empty=lambda: [],
    )
    def complete(params: types.CompletionParams):
        uri = params.text_document.uri
        document = server.documents.get(uri)
        if document is None:
            return []
        text = server.workspace.get_text_document(uri).source
        analysis = document.analysis
        running = document.running is not None
        if analysis is None or (analysis.text != text and len(text) <= FRESH_COMPLETION_CHARS and not running):
            analysis = server.current(uri)[1]  # type: ignore[index]
        # Otherwise the declarations come from the analysis of a slightly older version (the lint of this
        # one is running or on its way): completion never waits for it, and stays fast on large documents.
        positions = Positions(split_lines(text), server.workspace.position_codec)
        line, col = positions.to_server(params.position)
        barriers = completion.declared_barriers(analysis, document.last_good, text, line)
        # What other files let it name: a template's users' barriers, a chained child's `parent.X`, ... While
        # the worker analyses a document of a workspace folder, it holds the folder's lock: the last answer.
        if running and server.index.root_of(uri).path is not None:
            barriers += document.elsewhere
        else:
            document.elsewhere = server.index.barriers_for(uri, analysis or document.last_good, line)
            barriers += document.elsewhere
        harness = bool(analysis.pipelines()) or document.last_good is not None
        syntax = completion.syntax_at(analysis, document.last_good, text, line)
        items = completion.complete(positions, line, col, barriers, harness, syntax, line_ending(text))
        return types.CompletionList(is_incomplete=False, items=items)

    def cursor(params, found=None):
        """The document's analysis, its workspace's `Files`, and the request's position in code points."""
        found = found or server.current(params.text_document.uri)
        if found is None:
            return None
        analysis = found[1]
        files = server.files(params.text_document.uri, analysis)
        return (files, analysis, *files.positions.to_server(params.position))

    def template_use(params, found=None):
        """The template use whose templateRef is under the request's position, with its document's files."""
        at = cursor(params, found)
        use = ws.use_at(at[1].parsed, *at[2:]) if at is not None else None
        return (at[0], at[1], use) if use is not None else None  # type: ignore[index]

    def across_files(params):
        """Definition of what names another file: a Pipeline stage's `spec.pipeline` (the child's file), a
        child's `parent.X` (the parents' declarations of X). None when the cursor is on neither."""
        at = cursor(params)
        if at is None:
            return None
        files, analysis, line, col = at
        chain = ws.chain_at(analysis.parsed, line, col)
        if chain is not None:
            return ws.template_definition(files, chain)
        position = ws.parent_ref_at(analysis.parsed, line, col)
        if position is not None:
            return server.index.parent_definition(files, analysis, position)
        return None

    def earlier(params):
        """While the worker analyses the document, its previous analysis when the text up to the end of the
        request's line is unchanged (what is under the cursor is where it was): hover does not wait for the
        lint. None otherwise (the request reads the current analysis)."""
        uri = params.text_document.uri
        document = server.documents.get(uri)
        analysis = document.analysis if document is not None else None
        if analysis is None or document.running is None:  # type: ignore[union-attr]
            return None
        lines = split_lines(strip_bom(server.workspace.get_text_document(uri).source))
        line = params.position.line
        if line >= len(lines) or lines[: line + 1] != analysis.lines[: line + 1]:
            return None
        return document, analysis

    @feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams):
        found = earlier(params)
        use = template_use(params, found)
        if use is not None:
            return ws.template_hover(*use)
        at = cursor(params, found)
        chain = ws.chain_at(at[1].parsed, *at[2:]) if at is not None else None
        if chain is not None:
            return ws.chain_hover(at[0], at[1], chain)  # type: ignore[index]
        found = at_cursor(params, found)
        return navigation.hover(*found) if found is not None else None

    @feature(types.TEXT_DOCUMENT_DEFINITION, empty=lambda: [])
    def definition(params: types.DefinitionParams):
        use = template_use(params)
        if use is not None:
            return ws.template_definition(use[0], use[2])
        elsewhere = across_files(params)
        if elsewhere is not None:
            return elsewhere
        found = at_cursor(params)
        return navigation.definition(cursor(params)[0], found[1]) if found is not None else []  # type: ignore[index]

    @feature(types.TEXT_DOCUMENT_REFERENCES, empty=lambda: [])
    def references(params: types.ReferenceParams):
        found = at_cursor(params)
        if found is None:
            return []
        include = params.context.include_declaration if params.context is not None else True
        users = server.index.users_for(params.text_document.uri, found[1].document)
        return navigation.references(cursor(params)[0], found[1], include, users)  # type: ignore[index]

    @feature(types.TEXT_DOCUMENT_DOCUMENT_HIGHLIGHT, empty=lambda: [])
    def highlight(params: types.DocumentHighlightParams):
        found = at_cursor(params)
        return navigation.highlights(*found) if found is not None else []

    @feature(types.TEXT_DOCUMENT_RENAME, types.RenameOptions(prepare_provider=True))
    def rename(params: types.RenameParams):
        found = at_cursor(params)
        if found is None or navigation.prepare_rename(*found) is None:
            raise navigation.Refused("no barrier identifier here to rename")
        uri = params.text_document.uri
        edit, message = navigation.rename(
            cursor(params)[0], found[1], params.new_name,  # type: ignore[index]
            lambda file: server.index.shared_with(uri, file), server.index.annotations,
            server.index.users_for(uri, found[1].document),
        )
        if message is not None:
            server.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning, message=message))
        return edit

    @feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(params: types.PrepareRenameParams):
        found = at_cursor(params)
        return navigation.prepare_rename(*found) if found is not None else None

    @feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
        empty=lambda: [],
    )
    def code_action(params: types.CodeActionParams):
        only = params.context.only if params.context is not None else None
        if only and not any(str(kind).startswith("quickfix") or kind == "" for kind in only):
            return []
        uri = params.text_document.uri
        return whole_document(
            params, lambda positions, analysis: actions.code_actions(uri, analysis, positions, positions.server_range(params.range))
        )

    @feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL, empty=lambda: [])
    def document_symbol(params: types.DocumentSymbolParams):
        return whole_document(params, navigation.document_symbols)

    @feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False), empty=lambda: [])
    def code_lens(params: types.CodeLensParams):
        return whole_document(params, navigation.code_lenses)

    @feature(graph.METHOD)
    def sync_graph(params):
        uri, at = graph.requested(params)
        found = server.current(uri)
        return graph.sync_graph(uri, found[1], server.positions(found[1]), at) if found is not None else None

    return server
