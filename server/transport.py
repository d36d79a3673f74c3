"""The wire under the server: framing that survives a bad frame, and the lifecycle the LSP specification sets.

pygls's own stdio loop trusts every `Content-Length`: one frame that claims 3 bytes too many swallows the
start of the next header, and every frame after it is read as part of a header (the server answers nothing,
ever); a length of 10^20 makes it try to allocate the whole number. Here the byte stream goes through a
`Framer` that checks each frame against its body:

- a body that is one JSON value is a message (the normal case, one `json.loads`);
- a body that *starts* with a complete JSON value and goes on (the length was too long) is that message,
  and the rest is given back to the stream: it is the start of the next frame. When the stream pauses
  before the claimed length arrives, the JSON value already there is the message;
- a `Content-Length` that is missing, not a number, or larger than `MAX_BODY`: the body is the JSON value
  that follows the header, up to the next header;
- anything else (malformed JSON, a length too short, invalid UTF-8) is answered with a JSON-RPC parse error
  (-32700, id null: the id cannot be read) and skipped; the stream picks up again at the next
  `Content-Length` header.

`Protocol` adds the lifecycle of the specification to pygls's: requests before `initialize` get -32002
and notifications are dropped (except `exit`); a second `initialize` is an error (the workspace and the
open documents stay as they are); requests after `shutdown` get -32600; `exit` ends the process with 0
after a `shutdown` and with 1 without. It also forgets the future of every handler that has finished
(pygls keeps those of notifications for ever: about 3 KB per keystroke).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import sys
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.io_ import StdoutWriter
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from .convert import apply_change

logger = logging.getLogger(__name__)

MAX_BODY = 128 * 1024 * 1024  # a larger Content-Length is not believed (a 20 MB document is about 21 MB of JSON)
MAX_HEADER = 8 * 1024
STALL_SECONDS = 0.2  # a pause in the stream this long with a frame incomplete: look at what did arrive
CHUNK = 1 << 16
QUEUED_CHUNKS = 16  # read ahead of the server at most 1 MiB

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
SERVER_NOT_INITIALIZED = -32002

_CONTENT_LENGTH = re.compile(rb"content-length[ \t]*:", re.IGNORECASE)
_HEADER_LINE = re.compile(rb"[A-Za-z0-9-]+[ \t]*:[^\r\n]*")  # `Name: value`
_PARTIAL_HEADER = re.compile(rb"[A-Za-z0-9-]*(?:[ \t]*:[^\r\n]*)?\r?")
_BLANK = re.compile(rb"[\r\n]*")
_WHITESPACE = b" \t\r\n"


NOTHING = object()


@dataclass
class Event:
    """One thing the stream said: a message (a decoded JSON value), a framing error, or only a `note` (bytes
    skipped). A message's `note` says what was wrong with a frame that could still be read."""

    message: Any = NOTHING
    error: str | None = None
    note: str | None = None


def _leading_value(data: bytes | bytearray) -> tuple[Any, int] | None:
    """The JSON value at the start of `data` and the number of bytes it takes, if it is complete."""
    start = len(data) - len(bytes(data).lstrip(_WHITESPACE))
    try:
        text = bytes(data[start:]).decode("utf-8")
    except UnicodeDecodeError as error:
        text = bytes(data[start : start + error.start]).decode("utf-8")
    if not text.startswith(("{", "[")):
        return None
    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except (ValueError, RecursionError):
        return None
    return value, start + len(text[:end].encode("utf-8", "surrogatepass"))


class Framer:
    """Bytes in, messages out: `feed` what arrives, then take `events()` until it returns nothing."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.length: int | None = None  # the body length the current header declared
        self.unknown: str | None = None  # why the current header's length cannot be used
        self.tried_at = -1  # the buffer length at which a stalled frame was last examined

    def feed(self, data: bytes) -> None:
        self.buffer += data

    @property
    def incomplete(self) -> bool:
        """A frame has started and a pause in the stream may tell how it ends."""
        return (self.length is not None or self.unknown is not None) and len(self.buffer) != self.tried_at

    def events(self, stalled: bool = False) -> list[Event]:
        out: list[Event] = []
        while (event := self._next(stalled)) is not None:
            out.append(event)
        return out

    def _reset(self) -> None:
        self.length = None
        self.unknown = None
        self.tried_at = -1

    def _next(self, stalled: bool) -> Event | None:
        buffer = self.buffer
        if self.length is None and self.unknown is None:
            skipped = self._read_header()
            if skipped:
                return Event(note=skipped)
            if self.length is None and self.unknown is None:
                return None
        if self.length is not None:
            return self._known_length(stalled)
        return self._unknown_length(stalled, buffer)

    def _read_header(self) -> str | None:
        """Take one header block off the buffer, or skip what cannot be a header. Returns a note about
        skipped bytes."""
        buffer = self.buffer
        del buffer[: _BLANK.match(buffer).end()]  # blank lines between frames
        if not buffer:
            return None
        end = buffer.find(b"\r\n\r\n", 0, MAX_HEADER + 4)
        if end < 0:
            line_end = buffer.find(b"\r\n", 0, MAX_HEADER)
            if line_end < 0 and len(buffer) <= MAX_HEADER and _PARTIAL_HEADER.fullmatch(buffer):
                return None  # the header is still arriving
            if line_end >= 0 and _HEADER_LINE.fullmatch(buffer, 0, line_end) and len(buffer) <= MAX_HEADER:
                return None
            return self._skip_to_header("bytes that are not a header")
        block = bytes(buffer[:end]).split(b"\r\n")
        if not all(_HEADER_LINE.fullmatch(line) for line in block):
            return self._skip_to_header("bytes that are not a header")
        del buffer[: end + 4]
        lengths = [line.split(b":", 1)[1].strip() for line in block if _CONTENT_LENGTH.match(line)]
        if not lengths:
            self.unknown = "a frame without Content-Length"
        elif not lengths[0].isdigit():
            self.unknown = f"a frame with Content-Length {lengths[0][:40].decode('ascii', 'replace')!r}"
        elif len(lengths[0]) > 12 or int(lengths[0]) > MAX_BODY:
            self.unknown = f"a frame with Content-Length {lengths[0][:40].decode('ascii')} (more than {MAX_BODY} bytes)"
        else:
            self.length = int(lengths[0])
        return None

    def _skip_to_header(self, what: str) -> str:
        buffer = self.buffer
        found = _CONTENT_LENGTH.search(buffer, 1)
        if found is not None:
            skipped = found.start()
        else:
            skipped = max(len(buffer) - len(b"Content-Length:"), 1)
        del buffer[:skipped]
        return f"skipped {skipped} bytes ({what}) to the next Content-Length header"

    def _known_length(self, stalled: bool) -> Event | None:
        buffer, length = self.buffer, self.length
        assert length is not None
        if len(buffer) >= length:
            body = bytes(buffer[:length])
            try:
                message = json.loads(body)
            except (ValueError, RecursionError):
                found = _leading_value(body)
                if found is not None:
                    # The frame claimed more than its message: the rest starts the next frame.
                    del buffer[: found[1]]
                    self._reset()
                    return Event(found[0], note=f"a frame's Content-Length ({length}) is longer than its message")
                del buffer[:length]
                self._reset()
                return Event(error=f"the body of a frame ({length} bytes) is not JSON")
            del buffer[:length]
            self._reset()
            return Event(message)
        if stalled and bytes(buffer[-64:]).rstrip(_WHITESPACE).endswith((b"}", b"]")):
            self.tried_at = len(buffer)
            found = _leading_value(buffer)
            if found is not None:
                del buffer[: found[1]]
                self._reset()
                return Event(found[0], note=f"a frame's Content-Length ({length}) is longer than what was sent")
        elif stalled:
            self.tried_at = len(buffer)
        return None

    def _unknown_length(self, stalled: bool, buffer: bytearray) -> Event | None:
        header = _CONTENT_LENGTH.search(buffer)
        region = buffer[: header.start()] if header is not None else buffer
        why = self.unknown
        if header is not None or stalled or bytes(region[-64:]).rstrip(_WHITESPACE).endswith((b"}", b"]")):
            found = _leading_value(region)
            if found is not None:
                del buffer[: found[1]]
                self._reset()
                return Event(found[0], note=f"{why}: read the JSON value that follows")
        if header is not None or len(buffer) > MAX_BODY:
            del buffer[: len(region)]
            self._reset()
            return Event(error=f"{why}, and no JSON value after it")
        if stalled:
            self.tried_at = len(buffer)
        return None


# --------------------------------------------------------------------------------------------- protocol


class Protocol(LanguageServerProtocol):
    """pygls's protocol with the specification's lifecycle, and handler futures that do not pile up."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initialize_received = False

    def send_error(self, msg_id: Any, code: int, message: str) -> None:
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})

    def structure_message(self, data: dict[str, Any]):
        """pygls drops a request whose parameters do not deserialize without answering it, and the client
        then waits forever. Answer it with an error instead."""
        try:
            return super().structure_message(data)
        except Exception:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=JsonRpcInvalidParams().to_response_error())
            raise

    def handle_message(self, message) -> None:
        method = getattr(message, "method", None)
        is_request = method is not None and hasattr(message, "id")
        if method == types.EXIT:
            super().handle_message(message)
            return
        if self._shutdown:
            if is_request:
                self.send_error(message.id, INVALID_REQUEST, f"{method}: the server is shut down")
            return
        if method == types.INITIALIZE:
            if self.initialize_received:
                self.send_error(message.id, INVALID_REQUEST, "initialize may only be sent once")
                return
            self.initialize_received = True
        elif method is not None and not self.initialize_received:
            if is_request:
                self.send_error(message.id, SERVER_NOT_INITIALIZED, f"{method}: the server is not initialized yet")
            return  # notifications before initialize are dropped
        super().handle_message(message)

    @lsp_method(types.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: types.DidChangeTextDocumentParams):
        """pygls's, with each change applied on the protocol's lines (`convert.apply_change`)."""
        document = self.workspace.text_documents.get(unquote(params.text_document.uri))
        if document is None:
            logger.warning("didChange for a document that is not open: %s", params.text_document.uri)
            return
        for change in params.content_changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                document._source = apply_change(document.source, change.range, change.text, self.workspace.position_codec)
            else:
                document._source = change.text
        document.version = params.text_document.version
        if (user_handler := self.fm.features.get(types.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield user_handler, (params,), None

    @lsp_method(types.SHUTDOWN)
    def lsp_shutdown(self, *args):
        """pygls's, over a copy of the table of handlers in flight: cancelling one removes it (`forget`)."""
        if (user_handler := self.fm.features.get(types.SHUTDOWN)) is not None:
            yield user_handler, args, None
        current_id = self.msg_id
        for msg_id, future in list(self._request_futures.items()):
            if msg_id != current_id and not future.done():
                future.cancel()
        self._shutdown = True

    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None) -> None:
        super()._execute_handler(msg_id, handler, callback, args, kwargs)
        future = self._request_futures.get(msg_id)
        if future is not None:

            def forget(done, msg_id=msg_id) -> None:
                if self._request_futures.get(msg_id) is done:
                    del self._request_futures[msg_id]

            future.add_done_callback(forget)


# ------------------------------------------------------------------------------------------------ serving


def _valid_id(value: Any) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def dispatch(protocol: Protocol, event: Event, log: Callable[[str], None]) -> None:
    """Hand one event to the protocol; framing errors are answered here."""
    if event.note:
        log(event.note)
    if event.error is not None:
        protocol.send_error(None, PARSE_ERROR, f"Parse error: {event.error}")
        return
    message = event.message
    if message is NOTHING:
        return
    if not isinstance(message, dict) or message.get("jsonrpc") != "2.0" or not isinstance(message.get("method", ""), str):
        msg_id = message.get("id") if isinstance(message, dict) else None
        if not (isinstance(message, dict) and "method" not in message and ("result" in message or "error" in message)):
            protocol.send_error(msg_id if _valid_id(msg_id) else None, INVALID_REQUEST, "Invalid Request: not a JSON-RPC 2.0 message")
        return
    if "id" in message and not _valid_id(message["id"]) and not (message["id"] is None and "method" not in message):
        protocol.send_error(None, INVALID_REQUEST, "Invalid Request: the id is neither a number nor a string")
        return
    try:
        structured = protocol.structure_message(message)
    except Exception as error:  # a request has been answered with InvalidParams
        logger.info("unreadable message: %s", error)
        return
    try:
        protocol.handle_message(structured)
    except Exception as error:
        logger.exception("handling a message failed")
        log(f"handling {message.get('method', 'a response')} failed: {error!r}")


async def serve(protocol: Protocol, read: Callable[[], Awaitable[bytes]], log: Callable[[str], None]) -> None:
    """Read frames until the stream ends; returns at end of stream, raises SystemExit on `exit`."""
    framer = Framer()
    reading: asyncio.Future | None = None
    stalled = False
    while True:
        for event in framer.events(stalled):
            dispatch(protocol, event, log)
            await asyncio.sleep(0)  # let the handlers it started run, as between two reads
        stalled = False
        if reading is None:
            reading = asyncio.ensure_future(read())
        done, _ = await asyncio.wait({reading}, timeout=STALL_SECONDS if framer.incomplete else None)
        if not done:
            stalled = True
            continue
        data = reading.result()
        reading = None
        if not data:
            return
        framer.feed(data)


def _stdin_reader(fd: int) -> Callable[[], Awaitable[bytes]]:
    """Chunks of `fd` from a daemon thread (so a blocked read never keeps the process from exiting), at most
    `QUEUED_CHUNKS` ahead of the server: a client that writes faster than the server reads waits in its pipe,
    not in the server's memory."""
    loop = asyncio.get_running_loop()
    chunks: asyncio.Queue[bytes] = asyncio.Queue()
    slots = threading.Semaphore(QUEUED_CHUNKS)

    def pump() -> None:
        while True:
            slots.acquire()
            try:
                data = os.read(fd, CHUNK)
            except OSError:
                data = b""
            loop.call_soon_threadsafe(chunks.put_nowait, data)
            if not data:
                return

    async def read() -> bytes:
        data = await chunks.get()
        slots.release()
        return data

    threading.Thread(target=pump, name="stdin", daemon=True).start()
    return read


def serve_stdio(server) -> int:
    """Serve over stdin/stdout until `exit` (its exit code) or the end of stdin (0 after `shutdown`, else 1)."""
    protocol: Protocol = server.protocol
    protocol.set_writer(StdoutWriter(sys.stdout.buffer))

    async def main() -> None:
        await serve(protocol, _stdin_reader(sys.stdin.fileno()), server.log)

    try:
        asyncio.run(main())
    except SystemExit as exiting:
        return exiting.code if isinstance(exiting.code, int) else 1
    except BrokenPipeError:
        logger.error("the client closed the connection")
    except KeyboardInterrupt:
        pass
    return 0 if protocol._shutdown else 1


def serve_tcp(server, host: str, port: int) -> int:
    """Serve one client over TCP, with the same framing as stdio, until it disconnects or sends `exit`."""
    protocol: Protocol = server.protocol

    async def main() -> None:
        finished = asyncio.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            protocol.set_writer(writer)  # type: ignore[arg-type]
            try:
                await serve(protocol, lambda: reader.read(CHUNK), server.log)
            finally:
                finished.set()  # one client: the server ends with its connection, as pygls's does

        listening = await asyncio.start_server(connection, host, port)
        async with listening:
            await finished.wait()

    try:
        asyncio.run(main())
    except SystemExit as exiting:
        return exiting.code if isinstance(exiting.code, int) else 1
    except KeyboardInterrupt:
        pass
    return 0
