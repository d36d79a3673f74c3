"""The only module that knows YAML: text in, composed nodes, positions and YAML problems out.

It composes the text with ruamel.yaml's C parser (`CParser` from ruamel.yaml.clib, which keeps the start
and end marks of every node and both sides of a duplicate key). The pure-Python parser is used only when the
C extension is missing. The readers in `barrier_lint.readers` turn the nodes into the typed model through
`Tree`, the node accessors defined here, so no other module handles ruamel.yaml objects directly.

Hostile input is handled here, once:
- invalid UTF-8 and NUL bytes become problems with a position (`decode`);
- nesting deeper than `MAX_DEPTH` is refused before composing (the C composer recurses on the C stack and
  would crash the interpreter);
- aliases are shared nodes, and every walk tracks what it has visited or spends from a budget, so an
  alias bomb costs linear time.
"""

from __future__ import annotations

import bisect
import io
from collections.abc import Callable
import re
from dataclasses import dataclass

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import BaseResolver

from .model import Origin, Span, Text

try:  # the C parser; ruamel.yaml >= 0.19 no longer pulls it in by itself
    from _ruamel_yaml import CParser as _Parser  # type: ignore[import-not-found]

    C_PARSER = True
except ImportError:  # pragma: no cover - exercised only without ruamel.yaml.clib
    from ruamel.yaml.composer import Composer
    from ruamel.yaml.parser import Parser
    from ruamel.yaml.reader import Reader
    from ruamel.yaml.scanner import Scanner

    C_PARSER = False

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream, loader=self)
            Scanner.__init__(self, loader=self)
            Parser.__init__(self, loader=self)
            Composer.__init__(self, loader=self)


MAX_DEPTH = 400  # collections nested deeper than this are refused (real pipelines nest about 30 deep)
MIN_VISIT_BUDGET = 100_000  # model-building steps any document may take
VISITS_PER_NODE = 8  # beyond that, a document may take this many steps per distinct mapping or sequence
# How deep a reader's walk may go once aliases are expanded (a written document stays below MAX_DEPTH);
# each level is at most one Python frame, so the walk stays well inside the interpreter's recursion limit.
MAX_READ_DEPTH = MAX_DEPTH + 50

_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the line model of editors, the LSP and people (not libyaml's)
_SURROGATE = re.compile("[\ud800-\udfff]")
_HARNESS_MARKER = re.compile(r"^(?:pipeline|template|inputSet|overlayInputSet)\s*:|^\s*barrierRef\s*:", re.M)
_BLOCK_PREFIX = re.compile(r"^[ ?-]*", re.M)


class Composer(_Parser, BaseResolver):  # type: ignore[misc, valid-type]
    """The C parser with the base resolver: every scalar stays a string, no implicit typing work."""

    def __init__(self, text: str) -> None:
        _Parser.__init__(self, text)
        BaseResolver.__init__(self, loadumper=self)

    # The composer asks the resolver about every node. Every value stays a string here, so the answers
    # are constants: skipping ruamel's general resolver saves a Python call per node.
    def resolve(self, kind: type, value: object, implicit: object) -> str:
        return _DEFAULT_TAGS[kind]

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


_DEFAULT_TAGS = {ScalarNode: "tag:yaml.org,2002:str", SequenceNode: "tag:yaml.org,2002:seq", MappingNode: "tag:yaml.org,2002:map"}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """Why (part of) the text could not be read as YAML; reported as BL000."""

    span: Span
    message: str
    document: int | None = None
    recursive_alias: bool = False  # a node that contains itself: the reader's own problem is then redundant


@dataclass(frozen=True, slots=True)
class Comment:
    line: int
    col: int
    text: str  # from the `#` to the end of the line


# ---------------------------------------------------------------------------------------------- decoding


def decode(data: bytes) -> tuple[str, YamlProblem | None]:
    """Decode file bytes as UTF-8 (a BOM is dropped). On failure, the text is empty and a problem says where."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start)
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        col = len(data[line_start : exc.start].decode("utf-8", "replace"))
        bad = data[exc.start : exc.start + 1].hex()
        return "", YamlProblem(
            Span(line, col, line, col + 1),
            f"the file is not valid UTF-8 (byte 0x{bad} at offset {exc.start}); save it as UTF-8",
        )
    return strip_bom(text), None


def strip_bom(text: str) -> str:
    return text[1:] if text.startswith("\ufeff") else text


def looks_like_harness(text: str) -> bool:
    """A cheap guess for text that does not parse: does it look like Harness YAML at all?"""
    return _HARNESS_MARKER.search(text) is not None


def split_lines(text: str) -> list[str]:
    """The text's lines without their breaks, numbered as the model numbers them (\\n, \\r\\n and \\r end a
    line; U+2028, U+0085 and form feeds, which `str.splitlines` also splits at, do not)."""
    return _LINE_BREAK.split(text)


def offset_to_span(text: str, offset: int) -> Span:
    offset = max(0, min(offset, len(text)))
    breaks = list(_LINE_BREAK.finditer(text, 0, offset))
    line = len(breaks)
    col = offset - (breaks[-1].end() if breaks else 0)
    following = _LINE_BREAK.search(text, offset)
    return _character_span(line, col, (following.start() if following else len(text)) - (offset - col))


def _character_span(line: int, col: int, line_length: int) -> Span:
    """The one character at (line, col); empty at the end of a line or of the text, which has none."""
    return Span(line, col, line, col + 1 if col < line_length else col)


def control_character_problem(text: str) -> YamlProblem | None:
    nul = text.find("\x00")
    if nul >= 0:
        return YamlProblem(offset_to_span(text, nul), "the file contains a NUL byte; is it a binary file?")
    surrogate = _SURROGATE.search(text)
    if surrogate is not None:
        # Only text that did not come from UTF-8 can hold one (an editor's buffer sent over the protocol);
        # the same bytes in a file are invalid UTF-8, reported as such.
        return YamlProblem(
            offset_to_span(text, surrogate.start()),
            f"the text contains a lone surrogate (U+{ord(surrogate.group()):04X}), which is not a character; "
            "save it as UTF-8",
        )
    return None



# ---------------------------------------------------------------------------------------------- composing

def compose_all(text: str, spans: Spans, name: str | None = None) -> tuple[list[Node | None], YamlProblem | None]:
    """Every document's root node. With a `name`, every node's marks carry it (`mark.name`): the workspace
    composes each file under its own name, so a node spliced from one file into another still says where it
    is written."""
    nodes: list[Node | None] = []
    composer = Composer(_named(text, name) if name is not None else text)
    try:
        while composer.check_node():
            nodes.append(composer.get_node())
    except MarkedYAMLError as exc:
        return nodes, _marked_problem(text, exc, len(nodes), spans)
    except YAMLError as exc:
        return nodes, _reader_problem(text, exc, len(nodes))
    finally:
        composer.dispose()
    return nodes, None


def _named(text: str, name: str) -> io.StringIO:
    stream = io.StringIO(text)
    stream.name = name  # the C parser reads the stream's name into every mark
    return stream


def _marked_problem(text: str, exc: MarkedYAMLError, document: int, spans: Spans) -> YamlProblem:
    mark = exc.problem_mark or exc.context_mark
    line, col = spans.point(mark) if mark is not None else (0, 0)
    problem = (exc.problem or "invalid YAML").strip()
    message = f"YAML syntax error: {problem}"
    context_line = spans.point(exc.context_mark)[0] if exc.context_mark is not None else line
    if exc.context and context_line != line:
        message += f" ({exc.context.strip()} at line {context_line + 1})"
    lines = split_lines(text)
    line = min(line, len(lines) - 1)
    at_tab = lines[line][col : col + 1] == "\t"
    if "tab" in problem or at_tab:
        message += "; indent with spaces, YAML does not allow tabs for indentation"
    return YamlProblem(_character_span(line, min(col, len(lines[line])), len(lines[line])), message, document)


def _reader_problem(text: str, exc: YAMLError, document: int) -> YamlProblem:
    position = getattr(exc, "position", 0) or 0
    character = getattr(exc, "character", None)
    if isinstance(character, str) and character:
        what = f"the character U+{ord(character):04X}"
    elif isinstance(character, int):
        what = f"the character U+{character:04X}"
    else:
        what = "a character"
    reason = getattr(exc, "reason", None) or "it is not allowed in YAML"
    return YamlProblem(
        offset_to_span(text, position), f"the file contains {what}, which YAML does not allow ({reason})", document
    )


def depth_problem(text: str, spans: Spans) -> YamlProblem | None:
    """Refuse nesting deeper than MAX_DEPTH without composing (the C composer would overflow the stack).

    A cheap upper bound comes first: block nesting is bounded by the indentation-and-dash prefix of a line,
    flow nesting by the number of opening brackets. Only when that bound is too high is the exact depth
    measured on the event stream.
    """
    block_bound = max((len(prefix) for prefix in _BLOCK_PREFIX.findall(text)), default=0) + 1
    flow_bound = text.count("[") + text.count("{")
    if flow_bound > MAX_DEPTH:
        depth = flow_bound = 0
        for match in re.finditer(r"[\[\]{}]", text):
            depth = depth + 1 if match.group() in "[{" else max(0, depth - 1)
            flow_bound = max(flow_bound, depth)
    if 2 * block_bound + flow_bound <= MAX_DEPTH:
        return None
    return _measure_depth(text, spans)


def _measure_depth(text: str, spans: Spans) -> YamlProblem | None:
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent, StreamEndEvent

    parser = Composer(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None or isinstance(event, StreamEndEvent):
                return None
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    line, col = spans.point(event.start_mark)
                    return YamlProblem(
                        Span(line, col, line, col + 1),
                        f"the document nests collections more than {MAX_DEPTH} levels deep; "
                        "barrier-lint does not read documents this deep",
                    )
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return None  # the syntax error is reported when composing
    finally:
        parser.dispose()


Index = dict[int, dict[str, tuple[Node, Node]]]  # id(mapping node) -> key -> (key node, value node)


def index_mappings(root: Node, document: int, spans: Spans) -> tuple[Index, list[YamlProblem]]:
    """Index every mapping of a document by key (the last of duplicate keys wins, as in Harness) and
    report each duplicate key and each recursive alias. One depth-first pass over the distinct nodes: an
    alias is visited once, and an alias met again while still inside its own node closes a cycle."""
    index: Index = {}
    problems = []
    inside: set[int] = set()  # the collections on the path from the root to the node visited
    recursive: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            inside.discard(id(node))
            continue
        if not isinstance(node, (MappingNode, SequenceNode)):
            continue
        if id(node) in index:
            if id(node) in inside and id(node) not in recursive:
                recursive.add(id(node))
                problems.append(_recursive_alias_problem(node, document, spans))
            continue
        inside.add(id(node))
        stack.append((node, True))
        if isinstance(node, SequenceNode):
            index[id(node)] = {}  # marks the sequence as visited
            stack.extend((child, False) for child in reversed(node.value) if isinstance(child, (MappingNode, SequenceNode)))
            continue
        keys: dict[str, tuple[Node, Node]] = {}
        index[id(node)] = keys
        children = []
        for pair in node.value:
            key, value = pair
            if isinstance(key, ScalarNode):
                earlier = keys.get(key.value)
                if earlier is not None and key.value != "<<":
                    problems.append(
                        YamlProblem(
                            spans(key),
                            f"duplicate key '{key.value}' (first at line {spans.point(earlier[0].start_mark)[0] + 1}); "
                            "YAML forbids duplicate keys and Harness keeps only the last one",
                            document,
                        )
                    )
                keys[key.value] = pair
            else:
                children.append(key)
            if isinstance(value, (MappingNode, SequenceNode)):
                children.append(value)
        stack.extend((child, False) for child in reversed(children))
    problems.sort(key=lambda p: (p.span.start_line, p.span.start_col))
    return index, problems


def _recursive_alias_problem(node: Node, document: int, spans: Spans) -> YamlProblem:
    line, col = spans.point(node.start_mark)
    anchor = f" '&{node.anchor}'" if getattr(node, "anchor", None) else ""
    return YamlProblem(
        Span(line, col, line, col + 1),
        f"the node anchored here{anchor} contains an alias to itself (a recursive alias): it never ends once "
        "expanded, and Harness cannot read it",
        document,
        recursive_alias=True,
    )


# ---------------------------------------------------------------------------------------------- comments


def find_comments(text: str) -> list[Comment]:
    """Every YAML comment, found between scanner tokens so a `#` inside a scalar is never taken for one.

    Lines and columns are those of the model (`Spans`, `split_lines`): a U+2028 inside a quoted string
    breaks a line for libyaml but not for editors, and must not move the comments after it.
    Returns what could be scanned: on a syntax error, the comments before it.
    """
    text = strip_bom(text)
    if "#" not in text or _SURROGATE.search(text) is not None:
        return []  # (the C scanner cannot take a lone surrogate; such text is a BL000 anyway)
    lines = split_lines(text)
    spans = Spans(text)
    comments: list[Comment] = []
    scanner = Composer(text)
    prev_line, prev_col = 0, 0

    def scan_gap(end_line: int, end_col: int) -> None:
        # The gap between two tokens holds only white space, line breaks and comments.
        for line in range(prev_line, min(end_line, len(lines) - 1) + 1):
            start = prev_col if line == prev_line else 0
            stop = end_col if line == end_line else len(lines[line])
            hash_at = lines[line].find("#", start, stop)
            if hash_at >= 0:
                comments.append(Comment(line, hash_at, lines[line][hash_at:].rstrip()))

    try:
        while True:
            token = scanner.get_token()
            if token is None:
                break
            start_line, start_col = spans.point(token.start_mark)
            scan_gap(start_line, start_col)
            if getattr(token, "style", None) in ("|", ">"):
                # A block scalar's token starts at its `|` or `>` and ends after its content: a comment on
                # its header line (`key: |  # why`) is inside the token. Nothing but indicators, spaces and
                # a comment may follow the `|` on that line.
                header = lines[start_line] if start_line < len(lines) else ""
                hash_at = header.find("#", start_col)
                if hash_at >= 0:
                    comments.append(Comment(start_line, hash_at, header[hash_at:].rstrip()))
            prev_line, prev_col = spans.point(token.end_mark)
    except YAMLError:
        pass
    finally:
        scanner.dispose()
    return comments


# ---------------------------------------------------------------------------------------------- model


class Spans:
    """Turns node marks into model spans.

    libyaml also breaks lines at U+0085, U+2028 and U+2029, which editors, the LSP and people do not: when
    the text holds any of them, lines and columns come from the mark's code-point offset instead.
    A block collection's end mark lies at the next token, past blank lines and comments, so its span
    ends where its last value ends.
    """

    def __init__(self, text: str) -> None:
        self.line_starts: list[int] | None = None
        if "\x85" in text or "\u2028" in text or "\u2029" in text:
            self.line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def point(self, mark) -> tuple[int, int]:
        if self.line_starts is None:
            return mark.line, mark.column
        line = bisect.bisect_right(self.line_starts, mark.index) - 1
        return line, mark.index - self.line_starts[line]

    def __call__(self, node: Node) -> Span:
        end = node
        while isinstance(end, (MappingNode, SequenceNode)) and end.value and not end.flow_style:
            last = _last_written(end)
            if last is None or last.end_mark.name != node.start_mark.name:
                # Unknown (an alias: its text is not here), or a merged mapping whose last value was spliced
                # in from another file and ends in its own.
                break
            end = last
        start_line, start_col = self.point(node.start_mark)
        end_line, end_col = self.point(end.end_mark)
        return Span(start_line, start_col, end_line, end_col)


def _last_written(collection: MappingNode | SequenceNode) -> Node | None:
    """The node written last inside a block collection (for its end position), None when unknown.

    An alias is the very node its anchor names, written earlier (possibly the collection itself: `a: &x`
    then `  - *x`): a last value that starts before its key ends, before the item in front of it ends, or
    not after the collection starts, is one, and its own text is unknown. Each step of the walk moves
    strictly forward in the text, so it ends even on recursive aliases.
    """
    start = collection.start_mark.index
    if isinstance(collection, MappingNode):
        key, last = collection.value[-1]
        if last.start_mark.index > start and last.start_mark.index >= key.end_mark.index:
            return last
        return key if isinstance(key, ScalarNode) and key.start_mark.index >= start else None
    last = collection.value[-1]
    floor = collection.value[-2].end_mark.index if len(collection.value) > 1 else start
    return last if last.start_mark.index > start and last.start_mark.index >= floor else None


UNNAMED = "<unicode string>"  # the mark name the C parser gives a text composed without a name
SpansOf = Callable[[str], "Spans"]  # a file's mark name -> its positions


class TooLarge(Exception):
    """A document whose aliases expand far beyond its text: the walk's budget or depth ran out."""


class Tree:
    """Read access to one composed document: keys looked up through an index, merge keys (`<<`) honoured,
    and every step of a walk paid from a budget so that an alias bomb costs linear time."""

    def __init__(self, index: Index, spans: Spans, home: str = UNNAMED, spans_of: SpansOf | None = None) -> None:
        self.index = index
        self.spans = spans
        # Aliases can make the tree far larger than its text; a real pipeline visits each node about once.
        self.budget = max(MIN_VISIT_BUDGET, VISITS_PER_NODE * len(index))
        self.depth = 0  # levels of the current walk, paid by `descend` and given back by `ascend`
        # Across files: `home` is the mark name of the analysed file's nodes; while a body spliced in from
        # another file is read, `via` is (the span in the analysed file of the use that brought it, its label)
        # and `spans_of` gives the other file's positions.
        self.home = home
        self.spans_of = spans_of
        self.via: tuple[Span, str] | None = None
        self.extra: dict[int, tuple[Node, dict[str, tuple[Node, Node]]]] = {}
        self.shared: Index | None = None  # the other files' indexes (the workspace's), for spliced nodes

    def span(self, node: Node) -> Span:
        """Where a node is written: in the analysed file, or (with its `Origin`) in the file it came from."""
        if self.via is None:
            return self.spans(node)
        name = node.start_mark.name
        if name == self.home or self.spans_of is None:
            return self.spans(node)
        s = self.spans_of(name)(node)
        return Span(s.start_line, s.start_col, s.end_line, s.end_col, Origin(name, *self.via))

    def keys(self, node: MappingNode) -> dict[str, tuple[Node, Node]]:
        """A mapping's keys (the last of duplicates wins); indexed on first use for nodes that the document's
        index does not hold (bodies spliced in from other files, merged mappings)."""
        keys = self.index.get(id(node))
        if keys is None and self.shared is not None:
            keys = self.shared.get(id(node))
        if keys is None:
            # Kept per reader (the document's own index is shared by every reading of it), with the node
            # itself, so that its id cannot be reused by another node while this reader runs.
            known = self.extra.get(id(node))
            if known is None:
                keys = {pair[0].value: pair for pair in node.value if isinstance(pair[0], ScalarNode)}
                self.extra[id(node)] = (node, keys)
            else:
                keys = known[1]
        return keys

    # -- node access -----------------------------------------------------------------------------------

    def _spend(self) -> None:
        self.budget -= 1
        if self.budget < 0:
            raise TooLarge

    def descend(self, levels: int = 1) -> None:
        """Enter a level of a recursive walk (`levels`: how many Python frames it takes to come back here).
        Aliases can nest a document far deeper than it is written, or into itself."""
        self.depth += levels
        if self.depth > MAX_READ_DEPTH:
            raise TooLarge

    def ascend(self, levels: int = 1) -> None:
        self.depth -= levels

    def items(self, node: Node | None) -> list[tuple[Node, Node]]:
        """The key/value pairs of a mapping, own keys first, then what merge keys (`<<: *x`) bring in."""
        if not isinstance(node, MappingNode):
            return []
        keys = self.keys(node)
        if "<<" not in keys:
            return node.value
        own = [(k, v) for k, v in node.value if not (isinstance(k, ScalarNode) and k.value == "<<")]
        return own + [pair for source in self._merge_sources(node) for pair in source.value]

    @staticmethod
    def _merge_sources(node: MappingNode) -> list[MappingNode]:
        sources = []
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.value == "<<":
                for source in v.value if isinstance(v, SequenceNode) else [v]:
                    if isinstance(source, MappingNode) and source is not node:
                        sources.append(source)
        return sources

    def entry(self, node: Node | None, key: str) -> tuple[Node, Node] | None:
        """The (key node, value node) for `key`: the last own one, else the first merged one."""
        if not isinstance(node, MappingNode):
            return None
        keys = self.keys(node)
        found = keys.get(key)
        if found is None and "<<" in keys:
            for source in self._merge_sources(node):
                found = self.keys(source).get(key)
                if found is not None:
                    break
        return found

    def get(self, node: Node | None, key: str) -> Node | None:
        pair = self.entry(node, key)
        return pair[1] if pair else None

    def text(self, node: Node | None, key: str) -> Text | None:
        value = self.get(node, key)
        if isinstance(value, ScalarNode):
            return Text(value.value, self.span(value), bool(value.style))
        return None

    @staticmethod
    def seq(node: Node | None) -> list[Node]:
        return node.value if isinstance(node, SequenceNode) else []

