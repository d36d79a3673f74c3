"""Latency of barrier-lint-server, measured over stdio like an editor sees it (run by hand, not in CI).

    python bench/bench_server.py                 # 500, 2,000 and 10,000 lines, 40 edits each
    python bench/bench_server.py --lines 2000 --edits 100

For each generated pipeline it opens the document, then sends one-character incremental edits and times
- change -> publishDiagnostics: from sending `didChange` to receiving the diagnostics of that version, with
  the server started with `--debounce-ms 0` (the analysis cost alone): a character typed into a stage's
  barrierRef and deleted again (the incremental path re-reads that stage only), then a line added and
  removed after it (the stage is re-read alone, and the model's objects below it move);
- completion: a `barrierRef` completion request on the analysed document;
- completion right after a change: the request arrives before the debounced lint, so it parses first;
- completion during the lint of a change (no debounce): the lint runs in the server's worker thread, so the
  completion is answered from the previous analysis meanwhile (and how often before the diagnostics);
- the server's CPU time per change -> diagnostics (from /proc), the honest figure on a loaded machine;
and, separately, the same change -> publishDiagnostics with the default 200 ms debounce, which is what a user
waits for after the last keystroke.

Targets (issue 13, docs/server.md): p95 change -> diagnostics at most 10 ms at 2,000 lines and 50 ms at 10,000, no debounce.

    python bench/bench_server.py --only workspace  # the same pipelines inside a workspace folder

- workspace: the pipeline is a file of a workspace folder (`.harness/pipelines/`, with the templates and
  pipelines of `generate.template_repository` around it) that the client opens as VS Code does (its
  `workspaceFolders`, indexed before the document is opened), so every edit is analysed against the
  workspace; once as generated (no template use), once with every fourth stage a use of a stage template
  (nested three deep) while the edited stage is not. The same edits as above, no debounce.

Two more measurements, through the raw JSON-RPC client of the tests (`tests/lsp_fixtures/raw.py`):

    python bench/bench_server.py --only memory     # VmRSS over 5,000 and 10,000 didChange
    python bench/bench_server.py --only one-line   # the 156 KB one-line pipeline with 1,001 findings

- memory: the server's resident memory (VmRSS from /proc) after opening a document, then after 5,000 and
  10,000 more one-character didChange notifications (default debounce), sent as a client types fast (a
  request every 100 changes, so the server keeps up) and as one burst (the server reads a backlog);
- one-line: open -> publishDiagnostics, and a codeAction request over the whole line, with an ASCII line
  and with a non-ASCII character at its start (every column after it differs between encodings), in UTF-16
  and UTF-8.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import statistics
import sys
import time

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import one_line_pipeline, template_repository  # noqa: E402
from tests.lsp_fixtures.raw import RawServer  # noqa: E402


def generate(lines: int, barriers: int = 20, template_every: int = 0) -> tuple[str, int]:
    """A pipeline of about `lines` lines: parallel stages, each with a Barrier step and a script step (with
    `template_every`, every so many stages a use of one of the 20 stage templates of
    `template_repository(..., templates=50)` instead, from the second). Returns the text and the 0-based
    line of the first barrierRef (in the first stage, never a template use)."""
    out = ["pipeline:", "  identifier: big", "  name: Big", "  flowControl:", "    barriers:"]
    for i in range(barriers):
        out += [f"      - name: Barrier {i}", f"        identifier: b{i}"]
    out += ["  stages:", "    - parallel:"]
    first_ref = None
    i = 0
    while len(out) < lines:
        if template_every and i % template_every == template_every - 1:
            out += [
                "        - stage:",
                f"            identifier: s{i}",
                f"            name: Stage {i}",
                "            template:",
                f"              templateRef: stage_{i % 20}",
                '              versionLabel: "1"',
                "              templateInputs:",
                "                type: Deployment",
                "                spec:",
                "                  execution:",
                "                    steps:",
                "                      - stepGroup:",
                "                          identifier: gate",
                "                          template:",
                "                            templateInputs:",
                "                              steps:",
                "                                - step:",
                "                                    identifier: wait",
                "                                    template:",
                "                                      templateInputs:",
                "                                        spec:",
                f"                                          barrierRef: b{i % barriers}",
            ]
            i += 1
            continue
        out += [
            "        - stage:",
            f"            identifier: s{i}",
            f"            name: Stage {i}",
            "            type: Deployment",
            "            spec:",
            "              execution:",
            "                steps:",
            "                  - step:",
            "                      type: Barrier",
            f"                      name: Wait {i}",
            f"                      identifier: wait_{i}",
            "                      spec:",
        ]
        if first_ref is None:
            first_ref = len(out)
        out += [
            f"                        barrierRef: b{i % barriers}",
            "                      timeout: 10m",
            "                  - step:",
            "                      type: ShellScript",
            f"                      name: Script {i}",
            f"                      identifier: script_{i}",
            "                      spec:",
            "                        shell: Bash",
            "                      timeout: 10m",
        ]
        i += 1
    return "\n".join(out) + "\n", first_ref or 0


def follow_indexing(client: LanguageClient, indexed: asyncio.Event) -> None:
    """Answer the server's progress and registration requests, and set `indexed` when the workspace's
    indexing reports its end (`$/progress` kind "end")."""

    @client.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create(params: types.WorkDoneProgressCreateParams) -> None:
        return None

    @client.feature(types.PROGRESS)
    def progress(params: types.ProgressParams) -> None:
        value = params.value
        if isinstance(value, dict) and value.get("kind") == "end":
            indexed.set()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        return None


class Bench:
    def __init__(self, debounce_ms: int, folder: pathlib.Path | None = None) -> None:
        self.debounce_ms = debounce_ms
        self.folder = folder  # a workspace folder the client opens (None: no folder, a document alone)
        self.client = LanguageClient("barrier-lint-bench", "1")
        self.waiting: dict[tuple[str, int], asyncio.Future] = {}
        self.published: dict[str, types.PublishDiagnosticsParams] = {}
        self.indexed = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params
            future = self.waiting.pop((params.uri, params.version), None)
            if future is not None and not future.done():
                future.set_result(time.perf_counter())

        follow_indexing(self.client, self.indexed)

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "barrier_lint_server", "--debounce-ms", str(self.debounce_ms))
        folders = [types.WorkspaceFolder(uri=self.folder.as_uri(), name=self.folder.name)] if self.folder else None
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(
                    window=types.WindowClientCapabilities(work_done_progress=self.folder is not None),
                    general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
                ),
                root_uri=self.folder.as_uri() if self.folder else None,
                workspace_folders=folders,
            )
        )
        self.client.initialized(types.InitializedParams())
        if self.folder is not None:  # the document is opened once the folder is indexed
            await asyncio.wait_for(self.indexed.wait(), 600)

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def cpu(self) -> float:
        """The server process's CPU seconds so far (user + system, from /proc; 10 ms ticks): what the edits
        cost the server whatever else the machine is running."""
        try:
            fields = pathlib.Path(f"/proc/{self.client._server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, AttributeError):
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def expect(self, uri: str, version: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiting[(uri, version)] = future
        return future

    async def open(self, uri: str, text: str) -> None:
        done = self.expect(uri, 1)
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text))
        )
        await asyncio.wait_for(done, 60)

    def change(
        self, uri: str, version: int, line: int, col: int, insert: bool, text: str = "x", end: types.Position | None = None
    ) -> None:
        """Insert `text` at (line, col), or delete what it inserted (up to `end`: one character further)."""
        at = types.Position(line=line, character=col)
        end = at if insert else end or types.Position(line=line, character=col + 1)
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(range=types.Range(start=at, end=end), text=text if insert else "")],
            )
        )

    async def complete(self, uri: str, line: int, col: int) -> float:
        started = time.perf_counter()
        result = await self.client.text_document_completion_async(
            types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=line, character=col))
        )
        elapsed = time.perf_counter() - started
        items = result.items if isinstance(result, types.CompletionList) else result
        assert items, "no completion items"
        return elapsed


def report(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"  {name:<38} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


def paired(count: int) -> int:
    """An even number of edits: each insertion is undone by the next one, so every measurement starts from
    the document as generated (an odd count left a typed character behind, and the next edits missed)."""
    return count + count % 2


async def measure(lines: int, edits: int) -> list[str]:
    text, ref_line = generate(lines)
    ref_col = len("                        barrierRef: b")
    uri = f"file:///bench/pipeline_{lines}.yaml"
    edits = paired(edits)
    rows = [f"{len(text.splitlines())} lines, {len(text)} characters:"]

    bench = Bench(debounce_ms=0)
    await bench.start()
    try:
        await bench.open(uri, text)
        to_diagnostics, completion, completion_stale = [], [], []
        version, cpu = 1, 0.0
        for i in range(edits):
            version += 1
            done = bench.expect(uri, version)
            before = bench.cpu()
            started = time.perf_counter()
            bench.change(uri, version, ref_line, ref_col, insert=i % 2 == 0)
            to_diagnostics.append(await asyncio.wait_for(done, 60) - started)
            cpu += bench.cpu() - before
            completion.append(await bench.complete(uri, ref_line, ref_col))
        rows.append(report("change -> diagnostics (no debounce)", to_diagnostics))
        rows.append(f"  {'  the server CPU per change -> diagnostics':<38} mean   {cpu * 1000 / edits:7.1f} ms")
        rows.append(report("completion", completion))
        # A change that adds or removes a line (Enter, then Backspace at the end of the barrierRef line): the
        # stage is re-read alone too, and every object after it is copied with its lines moved.
        whole, cpu = [], 0.0
        line_end = len(text.split("\n")[ref_line])
        for i in range(paired(max(edits // 4, 5))):
            version += 1
            done = bench.expect(uri, version)
            before = bench.cpu()
            started = time.perf_counter()
            bench.change(uri, version, ref_line, line_end, insert=i % 2 == 0, text="\n", end=types.Position(line=ref_line + 1, character=0))
            whole.append(await asyncio.wait_for(done, 60) - started)
            cpu += bench.cpu() - before
        rows.append(report("a line added or removed", whole))
        rows.append(f"  {'  the server CPU per change -> diagnostics':<38} mean   {cpu * 1000 / len(whole):7.1f} ms")
    finally:
        await bench.stop()

    bench = Bench(debounce_ms=200)
    await bench.start()
    try:
        await bench.open(uri, text)
        with_debounce, racing = [], []
        version = 1
        for i in range(paired(max(edits // 4, 5))):
            version += 1
            done = bench.expect(uri, version)
            started = time.perf_counter()
            bench.change(uri, version, ref_line, ref_col, insert=i % 2 == 0)
            completion_stale.append(await bench.complete(uri, ref_line, ref_col))
            with_debounce.append(await asyncio.wait_for(done, 60) - started)
        rows.append(report("completion right after a change", completion_stale))
        rows.append(report("change -> diagnostics (200 ms debounce)", with_debounce))
    finally:
        await bench.stop()

    # A completion sent right after the change, with no debounce: the lint runs in the server's worker
    # thread meanwhile, so the completion is answered from the previous analysis and does not wait for it.
    bench = Bench(debounce_ms=0)
    await bench.start()
    try:
        await bench.open(uri, text)
        version, first = 1, 0
        for i in range(paired(max(edits // 4, 5))):
            version += 1
            done = bench.expect(uri, version)
            bench.change(uri, version, ref_line, ref_col, insert=i % 2 == 0)
            racing.append(await bench.complete(uri, ref_line, ref_col))
            first += not done.done()  # answered before the change's diagnostics were published
            await asyncio.wait_for(done, 60)
        rows.append(report("completion during the lint of a change", racing))
        rows.append(f"  {'  answered before its diagnostics':<38} {first} of {len(racing)}")
    finally:
        await bench.stop()
    return rows


async def typed(bench: Bench, uri: str, text: str, ref_line: int, edits: int) -> list[str]:
    """Open the document, then time change -> diagnostics for a character typed into the first stage's
    barrierRef and deleted again (and a completion there once the diagnostics are in), then for a line
    added and removed after it (no debounce)."""
    ref_col = len("                        barrierRef: b")
    await bench.open(uri, text)
    rows = []
    version = 1
    line_end = len(text.split("\n")[ref_line])
    for name, count, col, typed_text in (
        ("a character typed or deleted", paired(edits), ref_col, "x"),
        ("a line added or removed", paired(max(edits // 4, 5)), line_end, "\n"),
    ):
        seconds, cpu, completion = [], 0.0, []
        for i in range(count):
            version += 1
            done = bench.expect(uri, version)
            before = bench.cpu()
            started = time.perf_counter()
            end = types.Position(line=ref_line + 1, character=0) if typed_text == "\n" else None
            bench.change(uri, version, ref_line, col, insert=i % 2 == 0, text=typed_text, end=end)
            seconds.append(await asyncio.wait_for(done, 60) - started)
            cpu += bench.cpu() - before
            if typed_text == "x":
                completion.append(await bench.complete(uri, ref_line, ref_col))
        rows.append(report(name, seconds))
        rows.append(f"  {'  the server CPU per change -> diagnostics':<38} mean   {cpu * 1000 / count:7.1f} ms")
        if completion:
            rows.append(report("completion after the diagnostics", completion))
    codes = sorted({str(d.code) for d in bench.published[uri].diagnostics})
    rows.append(f"  {'  (its findings: ' + (', '.join(codes) or 'none') + ')':<38}")
    return rows


async def measure_workspace(lines: int, edits: int) -> list[str]:
    """change -> diagnostics for the pipeline as a file of an indexed workspace folder."""
    import tempfile

    rows = []
    for every, what in ((0, "no template use"), (4, "every fourth stage a template use, not the edited one")):
        text, ref_line = generate(lines, template_every=every)
        with tempfile.TemporaryDirectory(prefix="bench-server-") as tmp:
            folder = pathlib.Path(tmp, "repo")
            template_repository(folder, pipelines=20, templates=50)
            path = folder / ".harness" / "pipelines" / f"big_{lines}.yaml"
            path.write_text(text)
            rows.append(f"{len(text.splitlines())} lines in a workspace folder, {what}:")
            bench = Bench(debounce_ms=0, folder=folder)
            await bench.start()
            try:
                rows += await typed(bench, path.as_uri(), text, ref_line, edits)
            finally:
                await bench.stop()
    return rows


def memory_over_edits(counts: tuple[int, ...] = (5_000, 10_000)) -> list[str]:
    """VmRSS after opening a document and after `counts` one-character didChange notifications."""
    text = (ROOT / "tests" / "lsp_fixtures" / "release.yaml").read_text(encoding="utf-8")
    uri = "file:///bench/memory.yaml"
    rows = []
    for paced in (True, False):
        raw = RawServer()
        try:
            raw.initialize()
            raw.open(uri, text)
            version, sent = 1, 0
            readings = [(0, raw.rss_kb())]
            started = time.perf_counter()
            for count in counts:
                while sent < count:
                    version += 1
                    end = 0 if sent % 2 == 0 else 1
                    raw.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [
                        {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": end}}, "text": "#" if end == 0 else ""}]})
                    sent += 1
                    if paced and sent % 100 == 0:
                        raw.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}})
                raw.diagnostics(uri, version)  # the server has read and linted everything sent
                readings.append((count, raw.rss_kb()))
            elapsed = time.perf_counter() - started
        finally:
            raw.close()
        base = readings[0][1]
        steps = ", ".join(f"after {n:,}: {kb / 1024:.1f} MB ({(kb - base) / 1024:+.1f} MB)" for n, kb in readings[1:])
        how = "paced (a request every 100 changes)" if paced else "one burst"
        rows.append(f"  didChange, {how}: VmRSS after open {base / 1024:.1f} MB; {steps}; {elapsed:.1f} s")
    return rows


def one_line(encoding: str, wide: bool) -> str:
    text = one_line_pipeline()
    if wide:
        text = text.replace("name: One line", 'name: "Café 🚀 one line"')
    uri = "file:///bench/one-line.yaml"
    raw = RawServer("--debounce-ms", "0")
    try:
        raw.initialize(encoding)
        started = time.perf_counter()
        diagnostics = raw.open(uri, text, timeout=600)
        opened = time.perf_counter() - started
        started = time.perf_counter()
        whole = {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}
        actions = raw.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}, timeout=600)
        acted = time.perf_counter() - started
    finally:
        raw.close()
    kind = "non-ASCII" if wide else "ASCII"
    return (
        f"  {len(text) / 1024:.0f} KB {kind} line, {encoding}: open -> {len(diagnostics)} diagnostics {opened * 1000:.0f} ms; "
        f"codeAction over the line -> {len(actions['result'])} actions {acted * 1000:.0f} ms"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, action="append", help="pipeline size (repeatable); default 500, 2000, 10000")
    parser.add_argument("--edits", type=int, default=40, help="edits per size (default 40)")
    parser.add_argument("--only", choices=["latency", "workspace", "memory", "one-line"], action="append", help="run only these (repeatable)")
    args = parser.parse_args()
    only = set(args.only or ["latency", "workspace", "memory", "one-line"])
    if "latency" in only:
        for lines in args.lines or [500, 2000, 10000]:
            for row in await measure(lines, args.edits):
                print(row, flush=True)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    if "workspace" in only:
        for lines in args.lines or [2000, 10000]:
            for row in await measure_workspace(lines, args.edits):
                print(row, flush=True)
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores", flush=True)
    if "memory" in only:
        print("memory over edits:", flush=True)
        for row in memory_over_edits():
            print(row, flush=True)
    if "one-line" in only:
        print("one-line pipeline, 1,001 findings:", flush=True)
        for encoding in ("utf-16", "utf-8"):
            for wide in (False, True):
                print(one_line(encoding, wide), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
