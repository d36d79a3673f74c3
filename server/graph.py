"""`barrierLint/syncGraph`: the synchronization graph of an open document, for the editor to draw.

Request params: `{"textDocument": {"uri": ...}, "position"?: {"line", "character"}}` (the position picks
the document of a multi-document file; default the first pipeline). Result, or null when the file holds
nothing to draw:

    {"uri", "version", "graph": <the JSON form, docs/graph.md>, "mermaid": str, "dot": str,
     "svg": str, "ranges": {<node or cluster id>: <LSP Range in the client's position encoding>}}

`svg` is the drawing the VS Code view shows: laid out from the graph's structure (barrier_lint.graph_layout),
in linear time, so the view only inserts it.

`ranges` is where each node or cluster is written in this document (a Barrier step: its `barrierRef`
value; a barrier: its declaration; a stage or step group: its key), so a click on a drawing can reveal the
line without the client converting the graph's 1-based positions. Items written in another file have no
range here.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from barrier_lint.graph import graph_of
from barrier_lint.graph_layout import to_svg
from barrier_lint.graph_render import to_dot, to_mermaid
from barrier_lint.model import Span, format_path

from .convert import Positions
from .documents import Analysis
from .navigation import Refused

METHOD = "barrierLint/syncGraph"


def _param(params: Any, name: str) -> Any:
    """A field of the request's params, whether pygls hands them over as an object or a mapping."""
    if isinstance(params, dict):
        return params.get(name)
    return getattr(params, name, None)


def requested(params: Any) -> tuple[str, tuple[int, int] | None]:
    """The document URI and the (line, character) asked about; refused when the URI is missing."""
    document = _param(params, "textDocument") or _param(params, "text_document")
    uri = _param(document, "uri") if document is not None else None
    if not isinstance(uri, str):
        raise Refused("barrierLint/syncGraph needs params.textDocument.uri")
    position = _param(params, "position")
    if position is None:
        return uri, None
    return uri, (int(_param(position, "line")), int(_param(position, "character")))


def sync_graph(uri: str, analysis: Analysis, positions: Positions, at: tuple[int, int] | None) -> dict | None:
    document = analysis.document_at(positions.to_server(types.Position(*at))[0]) if at is not None else None
    graph = graph_of(analysis.parsed, analysis.diagnostics, document.index if document is not None else None)
    if graph is None:
        return None
    graph["file"] = uri
    return {
        "uri": uri,
        "version": analysis.version,
        "graph": graph,
        "mermaid": to_mermaid(graph),
        "dot": to_dot(graph),
        "svg": to_svg(graph),
        "ranges": _ranges(analysis, graph, positions),
    }


def _ranges(analysis: Analysis, graph: dict, positions: Positions) -> dict[str, dict]:
    document = next(d for d in analysis.parsed.documents if d.index == graph["document"])
    pipeline = document.pipeline
    assert pipeline is not None
    where: dict[str, Span] = {}
    for stage in pipeline.stages:
        where.setdefault(format_path(stage.path), stage.key)
    for group in pipeline.step_groups:
        where.setdefault(format_path(group.path), group.key)
    for position in pipeline.positions:
        where.setdefault(format_path(position.path), (position.ref or position.type).span)
    for declaration in pipeline.declarations:
        if declaration.identifier is not None:
            where.setdefault(f"flowControl.barriers.{declaration.identifier.value}", declaration.identifier.span)
    out = {}
    for item in [*graph["clusters"], *graph["nodes"]]:
        span = where.get(item["path"])
        if span is not None and span.origin is None:
            r = positions.range(span)
            out[item["id"]] = {"start": {"line": r.start.line, "character": r.start.character},
                               "end": {"line": r.end.line, "character": r.end.character}}
    return out
