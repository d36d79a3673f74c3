"""The language server across files at repository scale (issue 10): a generated `.harness/` repository of
2,000 pipelines and 500 templates nested up to three deep (`generate.template_repository`), opened as a
workspace folder over stdio like an editor does (run by hand, not in CI).

    python bench/bench_workspace_server.py [--pipelines N] [--templates N] [--open N] [--edits N]

It times
- indexing: from `initialized` to the end of the index's `$/progress`;
- a template edit -> re-published diagnostics: 50 pipelines that use the template are open, and so is the
  template; a one-character `didChange` of the template (the server started with `--debounce-ms 0`, the
  analysis cost alone) until every one of those pipelines has its diagnostics published again. Once for the
  innermost template (a Barrier step template, three deep: `wait_0`) and once for the outermost (the stage
  template the pipelines use: `stage_0`).

Target (issue 10, part 7): p95 at most 200 ms for the edit -> re-published diagnostics.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import statistics
import sys
import tempfile
import time

from lsprotocol import types
from pygls.lsp.client import LanguageClient

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from bench_server import follow_indexing  # noqa: E402
from generate import template_repository  # noqa: E402


class Bench:
    def __init__(self) -> None:
        self.client = LanguageClient("barrier-lint-bench", "1")
        self.waiting: set[str] = set()
        self.done: asyncio.Future | None = None
        self.indexed = asyncio.Event()
        self.published: dict[str, types.PublishDiagnosticsParams] = {}

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def published(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = params
            self.waiting.discard(params.uri)
            if not self.waiting and self.done is not None and not self.done.done():
                self.done.set_result(time.perf_counter())

        follow_indexing(self.client, self.indexed)

    async def start(self, folder: pathlib.Path) -> float:
        await self.client.start_io(sys.executable, "-m", "barrier_lint_server", "--debounce-ms", "0")
        await self.client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(
                    window=types.WindowClientCapabilities(work_done_progress=True),
                    general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
                ),
                workspace_folders=[types.WorkspaceFolder(uri=folder.as_uri(), name=folder.name)],
            )
        )
        started = time.perf_counter()
        self.client.initialized(types.InitializedParams())
        await asyncio.wait_for(self.indexed.wait(), 600)
        return time.perf_counter() - started

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def expect(self, uris: list[str]) -> asyncio.Future:
        self.waiting = set(uris)
        self.done = asyncio.get_running_loop().create_future()
        return self.done

    async def open(self, uris: list[str], folder: pathlib.Path) -> None:
        done = self.expect(uris)
        for uri in uris:
            text = pathlib.Path(uri[len("file://"):]).read_text()
            self.client.text_document_did_open(
                types.DidOpenTextDocumentParams(
                    text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
                )
            )
        await asyncio.wait_for(done, 600)

    def cpu(self) -> float:
        """The server process's CPU seconds so far (user + system), from /proc: what an edit costs the
        server whatever else the machine is running."""
        try:
            fields = pathlib.Path(f"/proc/{self.client._server.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, AttributeError):
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def edit(self, template: str, line: int, col: int, version: int, dependents: list[str]) -> tuple[float, float]:
        """One character typed (even versions) or deleted (odd) at (line, col) of the template; the time
        until every dependent has been published again, and the server's CPU time meanwhile."""
        at = types.Position(line=line, character=col)
        insert = version % 2 == 0
        end = at if insert else types.Position(line=line, character=col + 1)
        done = self.expect(dependents)
        cpu = self.cpu()
        started = time.perf_counter()
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=template, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(range=types.Range(start=at, end=end), text="0" if insert else "")
                ],
            )
        )
        elapsed = await asyncio.wait_for(done, 600) - started
        return elapsed, self.cpu() - cpu


def report(name: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, int(round(0.95 * (len(ms) - 1))))]
    return f"  {name:<46} median {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   (n={len(ms)})"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pipelines", type=int, default=2000)
    parser.add_argument("--templates", type=int, default=500)
    parser.add_argument("--open", type=int, default=50, help="open pipelines that use the edited template")
    parser.add_argument("--edits", type=int, default=30, help="edits per template")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = pathlib.Path(tmp) / "repo"
        template_repository(folder, args.pipelines, args.templates, hot=args.open)
        harness = folder / ".harness"
        pipelines = [(harness / "pipelines" / f"release_{p}.yaml").as_uri() for p in range(args.open)]
        bench = Bench()
        try:
            indexing = await bench.start(folder)
            print(f"repository: {args.pipelines} pipelines, {args.templates} templates nested 3 deep; "
                  f"{args.open} pipelines open that use the edited template")
            print(f"  {'indexing (initialized -> $/progress end)':<46} {indexing:7.2f} s")
            await bench.open(pipelines, folder)
            codes = {tuple(d.code for d in bench.published[u].diagnostics) for u in pipelines}
            print(f"  findings in the open pipelines: {sorted(codes)}")
            for name, line in (("wait_0", 9), ("stage_0", 15)):
                template = (harness / "templates" / f"{name}.yaml").as_uri()
                await bench.open([template], folder)
                lines = pathlib.Path(template[len("file://"):]).read_text().split("\n")
                col = lines[line].rindex("m")  # the unit of `timeout: 30m` / `timeout: 10m`: the model changes
                times, cpu = [], []
                for i in range(args.edits):
                    elapsed, used = await bench.edit(template, line, col, i + 2, pipelines)
                    times.append(elapsed)
                    cpu.append(used)
                print(report(f"edit {name} -> {args.open} pipelines re-published", times))
                print(report("  of which the server's CPU time", cpu))
            print(f"  load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        finally:
            await bench.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
