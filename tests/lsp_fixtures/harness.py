"""Shared pieces of the language-server tests: start the real server over stdio with pytest-lsp, open
documents, and wait for diagnostics without sleeping.

Every published diagnostics notification is recorded in order, so a test waits for "the diagnostics of
version N of this document" and never misses one that arrived before it started waiting.
"""

from __future__ import annotations

import asyncio
import pathlib
import re
import sys
from dataclasses import dataclass, field

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
WAIT = 30.0  # seconds; a test that waits longer has failed (generous: CI machines are shared)

# The two capability sets: VS Code negotiates UTF-16 positions, Neovim (0.10+) UTF-8.
CLIENTS = ["visual-studio-code", "neovim"]
ENCODING = {"visual-studio-code": "utf-16", "neovim": "utf-8"}


def fixture_text(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def server_config(*args: str) -> ClientServerConfig:
    return ClientServerConfig(server_command=[sys.executable, "-m", "barrier_lint_server", *args])


@dataclass
class Recorder:
    """Every `textDocument/publishDiagnostics` and `window/logMessage` the server sent, in order."""

    published: list[types.PublishDiagnosticsParams] = field(default_factory=list)
    logs: list[types.LogMessageParams] = field(default_factory=list)
    code_lens_refreshes: int = 0
    registrations: list[types.Registration] = field(default_factory=list)  # client/registerCapability
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def install(self, client: LanguageClient) -> None:
        @client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            self.registrations.extend(params.registrations)

        features = client.protocol.fm.features

        def refresh(params):  # answered as VS Code answers it
            self.code_lens_refreshes += 1

        features[types.WORKSPACE_CODE_LENS_REFRESH] = refresh
        for method, sink in (
            (types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS, self.published),
            (types.WINDOW_LOG_MESSAGE, self.logs),
        ):
            original = features[method]

            def record(params, original=original, sink=sink):
                original(params)
                sink.append(params)
                self.changed.set()

            features[method] = record

    async def wait(self, predicate, what: str, timeout: float = WAIT):
        """The first recorded diagnostics notification matching `predicate`, waiting for it if needed."""

        async def poll():
            seen = 0
            while True:
                for params in self.published[seen:]:
                    if predicate(params):
                        return params
                seen = len(self.published)
                self.changed.clear()
                await self.changed.wait()

        try:
            return await asyncio.wait_for(poll(), timeout)
        except asyncio.TimeoutError:
            pytest.fail(f"no diagnostics {what} within {timeout}s; got {[(p.uri, p.version) for p in self.published]}")


class Session:
    """A started client: the capability set's name, the recorder, and document helpers."""

    def __init__(self, client: LanguageClient, kind: str) -> None:
        self.client = client
        self.kind = kind
        self.encoding = ENCODING.get(kind, "utf-16")
        self.recorder = Recorder()
        self.recorder.install(client)
        self.versions: dict[str, int] = {}

    def columns(self, line: str, code_points: int) -> int:
        """`code_points` converted to this client's position units on `line`."""
        prefix = line[:code_points]
        if self.encoding == "utf-8":
            return len(prefix.encode("utf-8"))
        return len(prefix.encode("utf-16-le")) // 2

    async def open(self, uri: str, text: str, version: int = 1) -> types.PublishDiagnosticsParams:
        self.versions[uri] = version
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=version, text=text)
            )
        )
        return await self.diagnostics(uri, version)

    def change(self, uri: str, text: str, range_: types.Range | None = None) -> int:
        """Send one change (the whole text, or `text` replacing `range_`); returns the new version."""
        version = self.versions[uri] = self.versions[uri] + 1
        if range_ is None:
            change = types.TextDocumentContentChangeWholeDocument(text=text)
        else:
            change = types.TextDocumentContentChangePartial(range=range_, text=text)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]
            )
        )
        return version

    async def diagnostics(self, uri: str, version: int | None = None) -> types.PublishDiagnosticsParams:
        what = f"for {uri}" + (f" version {version}" if version is not None else "")
        return await self.recorder.wait(
            lambda p: p.uri == uri and (version is None or p.version == version), what
        )


async def start(client: LanguageClient, kind: str, **initialize) -> Session:
    session = Session(client, kind)
    params = types.InitializeParams(capabilities=client_capabilities(kind), **initialize)
    await client.initialize_session(params)
    return session


def make_client_fixture(*server_args: str, clients: list[str] = CLIENTS, **initialize):
    """A function-scoped fixture, parametrized over the capability sets, yielding a `Session`."""

    @pytest_lsp.fixture(config=server_config(*server_args), params=clients)
    async def client(request, lsp_client: LanguageClient):
        session = await start(lsp_client, request.param, **initialize)
        lsp_client.session = session  # type: ignore[attr-defined]
        yield
        await lsp_client.shutdown_session()

    return client


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def rng(start_line: int, start_char: int, end_line: int, end_char: int) -> types.Range:
    return types.Range(start=pos(start_line, start_char), end=pos(end_line, end_char))


def apply_edits(text: str, edits: list[types.TextEdit], encoding: str) -> str:
    """Apply LSP text edits (in the client's units) to `text`, as an editor would: lines end at \\r\\n, \\r or
    \\n, and a byte order mark is a character of the first line."""

    def offset(position: types.Position) -> int:
        starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        if position.line >= len(starts):
            return len(text)
        begin = starts[position.line]
        end = re.compile(r"\r\n|\r|\n|$").search(text, begin).start()
        units = 0
        for index in range(begin, end):
            if units >= position.character:
                return index
            char = text[index]
            units += len(char.encode("utf-8", "surrogatepass")) if encoding == "utf-8" else len(char.encode("utf-16-le", "surrogatepass")) // 2
        return end

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        start, end = offset(edit.range.start), offset(edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text
