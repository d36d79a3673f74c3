"""The only module that knows YAML: text in, composed nodes, positions and YAML problems out.

It builds compact nodes in one pass over the events of ruamel.yaml's C parser (`CParser` from
ruamel.yaml.clib), indexing every mapping by key and finding duplicate keys and recursive aliases as it
goes (`compose_documents`; the index is compact, see `Index`). The pure-Python parser gives the same events when the C extension is missing. The readers in `barrier_lint.readers` turn the nodes into the typed model through
`Tree`, the node accessors defined here, so no other module handles ruamel.yaml objects directly.

Hostile input is handled here, once:
- invalid UTF-8 and NUL bytes become problems with a position (`decode`);
- nesting deeper than `MAX_DEPTH` is refused as the parser's events arrive (the model's readers walk
  nested collections recursively);
- aliases are shared nodes, and every walk tracks what it has visited or spends from a budget, so an
  alias bomb costs linear time.
"""

from __future__ import annotations

import bisect
import itertools
import re
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from operator import itemgetter
from types import MappingProxyType, ModuleType

from .model import Origin, Span, Text
from .patterns import pattern
from .records import record


def _hollow_ruamel_package() -> None:
    """Make `ruamel.yaml` importable as a package without running its `__init__.py` until something asks it
    for a name it has not got.

    The parser and its errors live in submodules (`ruamel.yaml.error`, `.events`, `.scanner`, ...), and the
    C extension imports a few of them; the package's `__init__.py` also imports `ruamel.yaml.main` (the
    `YAML` class, the constructors, representers and emitters), which costs about twice the parser. The
    package module here is the one `importlib` would make (`module_from_spec`), with its `__path__`, so
    its submodules load exactly as they otherwise would; the first lookup of any other name on it
    (`from ruamel.yaml import YAML`, `ruamel.yaml.__version__`) runs `__init__.py` in it, so other code in
    the process sees the whole package. Nothing is done when the package is already imported or is not an
    ordinary package.
    """
    if "ruamel.yaml" in sys.modules:
        return
    try:
        import ruamel

        spec = _find_spec(sys.meta_path, "ruamel.yaml", ruamel.__path__)
    except (ImportError, AttributeError, ValueError):
        return
    loader = getattr(spec, "loader", None)
    if spec is None or not spec.submodule_search_locations or not hasattr(loader, "exec_module"):
        return
    # `importlib.util` re-exports it from `importlib._bootstrap`, which the interpreter has loaded already as
    # `_frozen_importlib`: `importlib.util` itself (and `contextlib` with it) costs a cold start about 4%.
    module_from_spec = getattr(sys.modules.get("_frozen_importlib"), "module_from_spec", None)
    if module_from_spec is None:
        from importlib.util import module_from_spec
    package = module_from_spec(spec)

    def complete(name: str) -> object:
        del package.__dict__["__getattr__"]
        loader.exec_module(package)  # type: ignore[union-attr]
        return getattr(package, name)

    package.__getattr__ = complete  # type: ignore[attr-defined]
    sys.modules["ruamel.yaml"] = package
    sys.modules["ruamel"].yaml = package  # type: ignore[attr-defined]


def _find_spec(finders, name: str, path, target=None):
    """The spec the first of `finders` that finds module `name` (in `path`, its package's) gives, as
    `importlib.util.find_spec` would find it with `sys.meta_path`; None if none does."""
    for finder in finders:
        find = getattr(finder, "find_spec", None)
        spec = find(name, path, target) if find is not None else None
        if spec is not None:
            return spec
    return None


_hollow_ruamel_package()

from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

# The modules the C extension imports at its own import for one error class each, with its base class in
# ruamel.yaml.error. Together with what they import (the Python reader, scanner, parser, constructor,
# representer and emitter, `datetime`, `copy`, `base64`...) they cost about as much as the rest of a cold
# start, and the parser raises only the first three classes (`ComposerError` and the last four belong to
# the extension's composer and emitter, which barrier-lint does not use).
_ERROR_ONLY_MODULES = {
    "ruamel.yaml.reader": ("ReaderError", YAMLError),
    "ruamel.yaml.scanner": ("ScannerError", MarkedYAMLError),
    "ruamel.yaml.parser": ("ParserError", MarkedYAMLError),
    "ruamel.yaml.composer": ("ComposerError", MarkedYAMLError),
    "ruamel.yaml.constructor": ("ConstructorError", MarkedYAMLError),
    "ruamel.yaml.emitter": ("EmitterError", YAMLError),
    "ruamel.yaml.serializer": ("SerializerError", YAMLError),
    "ruamel.yaml.representer": ("RepresenterError", YAMLError),
}


def _reader_error_init(self, name, position, character, encoding, reason) -> None:
    # ruamel.yaml.reader.ReaderError's: `_reader_problem` reads the position and the character.
    self.name, self.position, self.character, self.encoding, self.reason = name, position, character, encoding, reason


def _import_c_parser_lightly():
    """The C extension, imported with a stand-in module for each of `_ERROR_ONLY_MODULES` that is not
    imported yet: a module holding nothing but a subclass of the same base under the same name. They are
    in `sys.modules` only while the extension loads, so any later `import ruamel.yaml.parser` anywhere in the
    process gets the real module; when one is, `_RealErrorClasses` points the extension at its real class,
    so what the extension raises from then on is what that module's users catch. Anything unexpected (an
    extension that asks a stand-in for another name) undoes it all, and the caller imports it plainly.
    """
    if "_ruamel_yaml" in sys.modules:
        return None
    stand_ins = {}
    for module_name, (class_name, base) in _ERROR_ONLY_MODULES.items():
        if module_name in sys.modules:
            continue
        module = ModuleType(module_name)
        namespace = {"__module__": module_name, "__qualname__": class_name}
        if class_name == "ReaderError":
            namespace["__init__"] = _reader_error_init
        setattr(module, class_name, type(class_name, (base,), namespace))
        stand_ins[module_name] = module
    sys.modules.update(stand_ins)
    try:
        import _ruamel_yaml  # type: ignore[import-not-found]
    except Exception:  # noqa: BLE001 - whatever went wrong, the plain import says it again or works
        return None
    finally:
        for module_name, module in stand_ins.items():
            if sys.modules.get(module_name) is module:
                del sys.modules[module_name]
    standing_in = {}
    for module_name, module in stand_ins.items():
        class_name = _ERROR_ONLY_MODULES[module_name][0]
        if getattr(_ruamel_yaml, class_name, None) is getattr(module, class_name):
            standing_in[module_name] = class_name
    if standing_in:
        sys.meta_path.insert(0, _RealErrorClasses(_ruamel_yaml, standing_in))
    return _ruamel_yaml.CParser


class _RealErrorClasses:
    """A finder that finds nothing itself: when a module a stand-in stood for is imported, it finds that
    module's spec as the finders after it do and has the loader, once the module has run, give the
    extension the module's real error class. It leaves `sys.meta_path` once every class is real."""

    def __init__(self, extension, standing_in: dict[str, str]) -> None:
        self.extension = extension
        self.standing_in = standing_in

    def find_spec(self, name, path=None, target=None):
        class_name = self.standing_in.get(name)
        if class_name is None:
            return None
        finders = sys.meta_path[sys.meta_path.index(self) + 1 :] if self in sys.meta_path else ()
        spec = _find_spec(finders, name, path, target)
        if spec is None:
            return None
        if spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run, extension = spec.loader.exec_module, self.extension

        def exec_module(module) -> None:
            run(module)
            real = getattr(module, class_name, None) if module.__name__ == name else None
            if real is not None:
                setattr(extension, class_name, real)

        spec.loader.exec_module = exec_module  # this loader object only (a zip importer's serves others too)
        del self.standing_in[name]
        if not self.standing_in and self in sys.meta_path:
            sys.meta_path.remove(self)
        return spec


try:  # the C parser; ruamel.yaml >= 0.19 no longer pulls it in by itself
    _Parser = _import_c_parser_lightly()
    if _Parser is None:
        from _ruamel_yaml import CParser as _Parser  # type: ignore[import-not-found]

    C_PARSER = True
except ImportError:  # pragma: no cover - exercised only without ruamel.yaml.clib
    from ruamel.yaml.parser import Parser
    from ruamel.yaml.reader import Reader
    from ruamel.yaml.resolver import VersionedResolver
    from ruamel.yaml.scanner import Scanner

    C_PARSER = False

    class _Parser(Reader, Scanner, Parser, VersionedResolver):  # type: ignore[no-redef]
        """The pure-Python reader, scanner and parser; the resolver answers their questions about the YAML
        version (nothing is resolved: there is no composer)."""

        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream, loader=self)
            Scanner.__init__(self, loader=self)
            Parser.__init__(self, loader=self)
            VersionedResolver.__init__(self, loadumper=self)


class _Event(BaseException):
    """An event as `compose_documents` receives it: the parser's arguments, in the order the C extension
    passes them, in `args`. ruamel.yaml's event classes (`ScalarEvent`, ...) run three or four Python
    `__init__`s for each event, about 40% of the cost of the parser's events; `BaseException`'s
    constructor, in C, only keeps its arguments. These classes are never raised."""

    __slots__ = ()


class _Scalar(_Event):
    __slots__ = ()


class _MappingStart(_Event):
    __slots__ = ()


class _SequenceStart(_Event):
    __slots__ = ()


class _MappingEnd(_Event):
    __slots__ = ()


class _SequenceEnd(_Event):
    __slots__ = ()


class _Alias(_Event):
    __slots__ = ()


# The C extension makes its events by calling these names of its own module; while barrier-lint composes,
# they are the light classes above (`_LightEvents`). Other events (stream and document) keep their classes.
# name -> (ruamel.yaml's class, the light one, the first's fields in the order the extension passes them)
_EVENTS = {
    "ScalarEvent": (ScalarEvent, _Scalar, ("anchor", "ctag", "implicit", "value", "start_mark", "end_mark", "style")),
    "MappingStartEvent": (MappingStartEvent, _MappingStart, ("anchor", "ctag", "implicit", "start_mark", "end_mark", "flow_style")),
    "SequenceStartEvent": (SequenceStartEvent, _SequenceStart, ("anchor", "ctag", "implicit", "start_mark", "end_mark", "flow_style")),
    "MappingEndEvent": (MappingEndEvent, _MappingEnd, ("start_mark", "end_mark")),
    "SequenceEndEvent": (SequenceEndEvent, _SequenceEnd, ("start_mark", "end_mark")),
    "AliasEvent": (AliasEvent, _Alias, ("anchor", "start_mark", "end_mark")),
}
_LIGHT = {name: light for name, (_, light, _) in _EVENTS.items()}
_LIGHT_OF = {stock: (light, names) for stock, light, names in _EVENTS.values()}


def _light(event: object) -> object:
    """A ruamel.yaml event as a light one (the pure-Python parser's, or the C parser's where its classes
    cannot be swapped)."""
    found = _LIGHT_OF.get(type(event))
    if found is None:
        return event
    light, names = found
    return light(*[getattr(event, name) for name in names])


class _LightEvents:
    """While any thread composes, the C extension's event classes are the light ones; ruamel.yaml's are
    back when none does. (Only code that reads the C parser's events itself, in another thread at that
    very time, could see the difference: ruamel.yaml's loaders build nodes in C and are not affected.)"""

    def __init__(self) -> None:
        import _thread

        self._lock = _thread.allocate_lock()
        self._users = 0
        self._module = sys.modules.get("_ruamel_yaml") if C_PARSER else None
        self._stock = {name: getattr(self._module, name, None) for name in _EVENTS}
        # Swapped only where the extension is the one we know: every name there, each ruamel.yaml's class.
        self.works = self._module is not None and all(self._stock[name] is stock for name, (stock, _, _) in _EVENTS.items())

    def __enter__(self) -> None:
        if self.works:
            with self._lock:
                self._users += 1
                if self._users == 1:
                    self._module.__dict__.update(_LIGHT)  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        if self.works:
            with self._lock:
                self._users -= 1
                if self._users == 0:
                    self._module.__dict__.update(self._stock)  # type: ignore[union-attr]


_light_events = _LightEvents()


MAX_DEPTH = 400  # collections nested deeper than this are refused (real pipelines nest about 30 deep)
MIN_VISIT_BUDGET = 100_000  # model-building steps any document may take
VISITS_PER_NODE = 8  # beyond that, a document may take this many steps per distinct mapping or sequence
# How deep a reader's walk may go once aliases are expanded (a written document stays below MAX_DEPTH);
# each level is at most one Python frame, so the walk stays well inside the interpreter's recursion limit.
MAX_READ_DEPTH = MAX_DEPTH + 50

_LINE_BREAK = pattern(r"\r\n|\r|\n")  # the line model of editors, the LSP and people (not libyaml's)
_SURROGATE = pattern("[\ud800-\udfff]")
_HARNESS_SOURCE = r"^(?:pipeline|template|inputSet|overlayInputSet)\s*:|^\s*barrierRef\s*:"
_HARNESS_MARKER = pattern(_HARNESS_SOURCE, re.MULTILINE)
_HARNESS_MARKER_BYTES = pattern(_HARNESS_SOURCE.encode(), re.MULTILINE)  # (for ASCII bytes, read as they are)


@record(frozen=True, slots=True)
class YamlProblem:
    """Why (part of) the text could not be read as YAML; reported as BL000."""

    span: Span
    message: str
    document: int | None = None
    recursive_alias: bool = False  # a node that contains itself: the reader's own problem is then redundant


@record(frozen=True, slots=True)
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


def looks_like_harness(text: str | bytes) -> bool:
    """A cheap guess for text that does not parse: does it look like Harness YAML at all? (Also of the
    bytes of an ASCII file, which are its text.)"""
    return (_HARNESS_MARKER_BYTES if type(text) is bytes else _HARNESS_MARKER).search(text) is not None


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
    surrogate = None if text.isascii() else _SURROGATE.search(text)  # (`isascii` is a flag: no scan)
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


class Node:
    """A composed node, compact: its start and end as code-point offsets into its file's text, and the file's
    `Spans` (its name and line table), so lines and columns are computed only for the nodes a reader asks
    the position of. The shapes are ruamel.yaml's: a scalar's `value` is its string, a sequence's the list
    of its items, a mapping's the list of its (key, value) pairs in written order."""

    __slots__ = ()
    ctag = None  # every scalar is read as a string: tags are not kept
    value: object
    start: int
    end: int | None
    source: Spans

    @property
    def start_mark(self) -> Mark:
        return Mark(self.source, self.start)

    @property
    def end_mark(self) -> Mark | None:
        return Mark(self.source, self.end) if self.end is not None else None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(value={self.value!r})"


_LOW = (1 << 32) - 1  # the end offset's bits in a scalar's position


class ScalarNode(tuple, Node):
    """A scalar: (value, position, source, style), a tuple so that the builder makes one without a Python
    call (`tuple.__new__`), the most frequent node by far; its fields are read by name. The position is the
    start and end offsets in one integer (`start << 32 | end`: one object instead of two, 40 bytes less
    per scalar; offsets stay below 2**32, a text of 4 G code points)."""

    __slots__ = ()
    value = property(itemgetter(0))  # type: ignore[assignment]
    source = property(itemgetter(2))  # type: ignore[assignment]
    style = property(itemgetter(3))  # None or "" when plain, else the quote or block indicator

    @property
    def start(self) -> int:  # type: ignore[override]
        return self[1] >> 32

    @property
    def end(self) -> int:  # type: ignore[override]
        return self[1] & _LOW

    def __new__(cls, value: str, start: int, end: int, source: Spans, style: str | None = None) -> ScalarNode:
        return tuple.__new__(cls, (value, start << 32 | end, source, style))

    __repr__ = Node.__repr__
    # Two scalars are the same node only when they are one object (aliases share it), never by content.
    __eq__ = object.__eq__  # type: ignore[assignment]
    __ne__ = object.__ne__  # type: ignore[assignment]
    __hash__ = object.__hash__  # type: ignore[assignment]


class CollectionNode(Node):
    """A sequence or mapping. Its start and end offsets are one integer, as a scalar's are (`start << 32 |
    end`: 24 bytes less per collection); until its end is known (while it is being composed) the integer
    is `~start`, negative, and `end` is None: an alias to it then is recursive.

    A block collection's end is first the parser's (the next token, past blank lines and comments); the
    first time its span is asked (`Spans.__call__`) it becomes where its last value is written, and
    `flow_style` becomes `WRITTEN_END`, so that no later span walks down to it again. Both ends lie past
    everything the collection holds and before whatever follows it, all that the alias checks rely on.
    `flow_style` is thus true when the end is final: a flow collection, or one whose written end is known.
    """

    __slots__ = ("flow_style", "position", "source", "value")

    def __init__(self, value: list, start: int, end: int | None, source: Spans, flow_style: bool | None = None) -> None:
        self.value, self.source, self.flow_style = value, source, flow_style
        self.position = ~start if end is None else start << 32 | end

    @property
    def start(self) -> int:  # type: ignore[override]
        position = self.position
        return position >> 32 if position >= 0 else ~position

    @property
    def end(self) -> int | None:  # type: ignore[override]
        position = self.position
        return position & _LOW if position >= 0 else None

    def copy(self, value: list) -> CollectionNode:
        """The same kind of collection, written at the same place, holding `value` (a merge's result): its
        span is the original's, whatever `value` ends with (an input, perhaps from another file)."""
        position = _node_position(self)  # (the original's written end, found once)
        copy = type(self)(value, 0, 0, self.source, self.flow_style)
        copy.position = position
        return copy


class Mark:
    """Where a node starts or ends, as the parser's marks say it: the file's name, the code-point offset, and
    the line and column of the model (zero-based)."""

    __slots__ = ("name", "index", "line", "column")

    def __init__(self, source: Spans, index: int) -> None:
        self.name, self.index = source.name, index
        self.line, self.column = source.at(index)


class SequenceNode(CollectionNode):
    __slots__ = ()


class MappingNode(CollectionNode):
    __slots__ = ()


_COLLECTIONS = (MappingNode, SequenceNode)


Pair = tuple  # (key node, value node)
Keys = "dict[str, Pair] | Pair | tuple[str, ...]"


class Index(dict):
    """A document's mappings of two pairs or more (hashed by identity) -> their keys: key -> (key node, value
    node), the last of duplicates winning, and `collections`, how many mappings and sequences the document
    has (a reader's walk budget grows with it).

    A dict of keys costs about 190 bytes, more than the rest of a small mapping, and most mappings need none:
    - a mapping whose keys are all scalars and all different, none of them a merge key (`<<`), has the tuple
      of its keys' values, in the order of its pairs (a key's pair is the pair at its place);
    - any other (duplicate keys, a key that is a collection, a merge key) has the dict;
    - a mapping of one pair or none (half the mappings of a pipeline are `- step:` wrappers) and a sequence
      are not in it: their keys are read off their pairs (`Tree`), and the index is half as large; the
      mappings of one pair are listed in `single`, for `keyed`.
    `keys_of` gives the mapping of keys of any of them. (At a million lines: 80 MB less than a dict each.)
    """

    __slots__ = ("collections", "single")

    def __init__(self) -> None:
        super().__init__()
        self.collections = 0
        self.single: list[MappingNode] = []

    def keyed(self) -> Iterator[tuple[MappingNode, Keys]]:
        """Every mapping with a key and its entry (for one of one pair, the pair)."""
        yield from self.items()
        for node in self.single:
            yield node, node.value[0]


def key_names(keys: Keys) -> Iterable[str]:
    """The keys' values of an entry of `Index.keyed`."""
    if type(keys) is tuple and type(keys[0]) is not str:
        return (keys[0][0],) if type(keys[0]) is ScalarNode else ()
    return keys


ComposedDocument = tuple[int, Node, Index, list[YamlProblem]]  # (number, root, index, its problems)


class _TooDeep(Exception):
    pass


def compose_documents(text: str, spans: Spans) -> tuple[list[ComposedDocument], YamlProblem | None]:
    """Every document of the text, built in one pass over the parser's events: its root node, the index of
    its mappings by key (the last of duplicate keys wins, as in Harness) and its problems (each duplicate key
    and each recursive alias), and the problem that ended composing, if any.

    The loop is iterative: nesting deeper than MAX_DEPTH is refused as the events arrive, and the whole file
    is then read as nothing but that problem. Anchors are per document, as in the C composer (an undefined
    alias and a second anchor of the same name are syntax errors). Every node refers to `spans`, which names
    its file: the workspace composes each file under its own name, so a node spliced from one file into
    another still says where it is written.
    """
    documents: list[ComposedDocument] = []
    parser = _Parser(text)
    get_event = parser.get_event if _light_events.works else (lambda: _light(parser.get_event()))
    try:
        with _light_events:
            _build(get_event, spans, documents)
    except _TooDeep as exc:
        return [], exc.args[0]
    except MarkedYAMLError as exc:
        return documents, _marked_problem(text, exc, len(documents), spans)
    except YAMLError as exc:
        return documents, _reader_problem(text, exc, len(documents))
    finally:
        parser.dispose()
    return documents, None


def _build(get_event: Callable[[], object], spans: Spans, documents: list[ComposedDocument]) -> None:
    # The hot loop: one iteration per event and no Python call per node beyond the node's construction. The
    # collection being built is held in locals (`current`, the bound `append` of its list, `seen`: its keys
    # so far as its `Index` entry holds them, None for a sequence, and `key`: the key waiting for its
    # value); `stack` keeps those of the
    # collections around it. Their end marks are None until they end: an alias to one of them is recursive.
    scalar_event, alias_event, mapping_start, sequence_start = _Scalar, _Alias, _MappingStart, _SequenceStart
    mapping_end, sequence_end, document_start, document_end = _MappingEnd, _SequenceEnd, DocumentStartEvent, DocumentEndEvent
    scalar, mapping, sequence, new_tuple = ScalarNode, MappingNode, SequenceNode, tuple.__new__
    no_keys = _NO_KEYS
    index = Index()
    collections, single = 0, index.single.append
    problems: list[YamlProblem] = []
    anchors: dict[str, Node] = {}
    recursive: set[int] = set()
    stack: list[tuple] = []
    roots: list[Node] = []
    current: CollectionNode | None = None
    append, seen, key = roots.append, None, None
    # One string object per distinct scalar value: keys and values repeat through a pipeline (`identifier`,
    # `type: Barrier`), and each copy would otherwise be kept.
    same = {}.setdefault
    while True:
        event = get_event()
        kind = type(event)
        if kind is scalar_event:
            anchor, _, _, value, start, end, style = event.args
            node = new_tuple(scalar, (same(value, value), start.index << 32 | end.index, spans, style))
            if anchor is not None:
                _anchor(anchors, anchor, start, node)
        elif kind is mapping_end or kind is sequence_end:
            current.position = ~current.position << 32 | event.args[1].index  # type: ignore[union-attr]
            if seen is not None and seen is not no_keys:  # a mapping's keys (see `Index`)
                # and its list of pairs made exactly as long as it is (grown by appending, half of them had
                # room for three more: 6 MB at a million lines)
                if type(seen) is not dict:
                    current.value = [seen]
                    single(current)
                elif len(seen) == len(current.value) and "<<" not in seen:
                    index[current] = tuple(seen)
                    current.value = current.value[:]
            current, append, seen, key = stack.pop()
            continue
        elif kind is mapping_start:
            anchor, _, _, start, _, flow_style = event.args
            node = mapping([], start.index, None, spans, flow_style)
            keys = no_keys  # (its keys so far: none, then its first pair, then a dict)
            collections += 1
            if anchor is not None:
                _anchor(anchors, anchor, start, node)
        elif kind is sequence_start:
            anchor, _, _, start, _, flow_style = event.args
            node = sequence([], start.index, None, spans, flow_style)
            keys = None
            collections += 1
            if anchor is not None:
                _anchor(anchors, anchor, start, node)
        elif kind is alias_event:
            anchor, start, _ = event.args
            node = anchors.get(anchor)  # type: ignore[assignment]
            if node is None:
                raise MarkedYAMLError(None, None, "found undefined alias", start)
            if node.end is None and id(node) not in recursive:
                recursive.add(id(node))
                problems.append(_recursive_alias_problem(node, len(documents), spans))
        elif kind is document_start:
            index, problems, anchors, recursive, roots = Index(), [], {}, set(), []
            append, seen, key, collections, single = roots.append, None, None, 0, index.single.append
            continue
        elif kind is document_end:
            index.collections = collections
            problems.sort(key=_position)
            documents.append((len(documents), roots[0] if roots else None, index, problems))  # type: ignore[arg-type]
            continue
        elif event is None or kind is StreamEndEvent:
            return
        else:  # the start of the stream
            continue
        if seen is None:
            append(node)
        elif key is None:
            key = node
        else:
            pair = (key, node)
            append(pair)
            if type(seen) is dict:
                if type(key) is scalar:
                    name = key[0]
                    if name in seen and name != "<<":
                        problems.append(_duplicate_key_problem(key, seen[name][0], len(documents), spans))
                    seen[name] = pair
            elif seen is no_keys:  # the mapping's first pair stands for its keys until a second one comes
                seen = pair
            else:  # the second pair: the keys become a dict
                first = seen
                seen = {first[0][0]: first} if type(first[0]) is scalar else {}
                index[current] = seen
                if type(key) is scalar:
                    name = key[0]
                    if name in seen and name != "<<":
                        problems.append(_duplicate_key_problem(key, seen[name][0], len(documents), spans))
                    seen[name] = pair
            key = None
        if kind is scalar_event or kind is alias_event:
            continue
        if len(stack) >= MAX_DEPTH:
            line, col = spans.point(start)
            raise _TooDeep(YamlProblem(
                Span(line, col, line, col + 1),
                f"the document nests collections more than {MAX_DEPTH} levels deep; "
                "barrier-lint does not read documents this deep",
            ))
        stack.append((current, append, seen, key))
        current, append, seen, key = node, node.value.append, keys, None


# The keys of a mapping with none (read-only, so that sharing one is safe).
_NO_KEYS = MappingProxyType({})


def keys_of(node: MappingNode, keys: Keys) -> Mapping[str, Pair]:
    """The `Index` entry of a mapping as the mapping of keys it stands for."""
    if type(keys) is not tuple:
        return keys
    first = keys[0]
    if type(first) is str:
        return dict(zip(keys, node.value))
    return {first[0]: keys} if type(first) is ScalarNode else _NO_KEYS


def collections_in(index: Mapping) -> int:
    """How many mappings and sequences a document has, by its `Index` (any other mapping: its size)."""
    return index.collections if type(index) is Index else len(index)


def _anchor(anchors: dict[str, Node], anchor: str, start, node: Node) -> None:
    if anchor in anchors:
        raise MarkedYAMLError(
            "found duplicate anchor; first occurrence", _ErrorMark(anchors[anchor].start),
            "second occurrence", start,
        )
    anchors[anchor] = node


class _ErrorMark:
    """A position for a syntax error that the builder finds itself (as the parser's marks give it)."""

    def __init__(self, index: int) -> None:
        self.index = index


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


def _position(problem: YamlProblem) -> tuple[int, int]:
    return problem.span.start_line, problem.span.start_col


def _duplicate_key_problem(key: ScalarNode, earlier: Node, document: int, spans: Spans) -> YamlProblem:
    return YamlProblem(
        spans(key),
        f"duplicate key '{key.value}' (first at line {spans.at(earlier.start)[0] + 1}); "
        "YAML forbids duplicate keys and Harness keeps only the last one",
        document,
    )


def _recursive_alias_problem(node: Node, document: int, spans: Spans) -> YamlProblem:
    line, col = spans.at(node.start)
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
    if "#" not in text or (not text.isascii() and _SURROGATE.search(text) is not None):
        return []  # (the C scanner cannot take a lone surrogate; such text is a BL000 anyway)
    lines = split_lines(text)
    spans = Spans(text)
    comments: list[Comment] = []
    scanner = _Parser(text)
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


_LINE_CHUNK = 1 << 16  # code points of text split into lines at a time for a line table


class Spans:
    """One file's positions: its name, and its line table, which turns the code-point offsets of nodes and
    marks into model spans.

    Lines are those of editors, the LSP and people (\\n, \\r\\n and \\r end a line; libyaml also breaks lines at
    U+0085, U+2028 and U+2029, which they do not), so lines and columns come from the offset, never from
    libyaml's own line count. The table is built on first use.
    A block collection's end lies at the next token, past blank lines and comments, so its span ends where
    its last value ends.
    """

    __slots__ = ("name", "_text", "_starts")

    def __init__(self, text: str, name: str = "<unicode string>") -> None:
        self.name = name
        self._text: str | None = text
        self._starts: Sequence[int] | None = None

    @property
    def line_starts(self) -> Sequence[int]:
        """The offset each line starts at: an array of machine integers (8 bytes a line, not the 40 of a list
        of Python integers: 32 MB at a million lines), which `bisect` searches as it would a list."""
        starts = self._starts
        if starts is None:
            text = self._text or ""
            starts = array("q", [0])
            if "\r" in text:
                starts.extend(m.end() for m in _LINE_BREAK.finditer(text))
            else:  # the common case, at C speed: each line starts one past the end of the one before
                # A piece of the text at a time: the lines of all of it at once would be a string each (70 MB
                # at a million lines, more than the table itself, at the peak of the run).
                position, size = 0, len(text)
                while position < size:
                    cut = text.find("\n", position + _LINE_CHUNK)
                    stop = size if cut < 0 else cut + 1
                    lines = text[position:stop].split("\n")
                    lines.pop()  # (what follows the piece's last line break)
                    starts.extend(itertools.islice(itertools.accumulate(map((1).__add__, map(len, lines)), initial=position), 1, None))
                    position = stop
            self._starts, self._text = starts, None
        return starts

    def at(self, index: int) -> tuple[int, int]:
        """The (line, column) of a code-point offset."""
        starts = self.line_starts
        line = bisect.bisect_right(starts, index) - 1
        return line, index - starts[line]

    def point(self, mark) -> tuple[int, int]:
        """The (line, column) of a parser's mark."""
        return self.at(mark.index)

    def __call__(self, node: Node) -> Span:
        """Where a node is written; its lines and columns are computed when first read (`_NodeSpan`)."""
        if type(node) is ScalarNode:  # (the most frequent case, inline)
            return _lazy_span(node[2], node[1])
        return _lazy_span(node.source, _node_position(node))

    def with_origin(self, node: Node, origin: Origin) -> Span:
        """`self(node)` for a node read through a use in another file (a template's, spliced into every
        pipeline that uses it): lazy as well, and carrying its `Origin`."""
        return _origin_span(self, _node_position(node), origin)


class _NodeSpan(Span):
    """A `Span` of a node whose lines and columns are computed when first read: the model holds a span for
    every field it reads, and the rules and outputs read few of them.

    Until then its slots hold the file's `Spans` and the start and end offsets (`start << 32 | end`, for a
    scalar the very integer its node holds), and its origin (None in the analysed file, else the use that
    brought it: `Tree.span`); the first read of any field, comparison, hash or copy fills
    them and makes the object a plain `Span` (the two classes have one layout), so that every later read
    is a slot read. Nothing can tell it from the `Span` it becomes, but `type()` before that read."""

    __slots__ = ()

    def __new__(cls, *args: object, **kwargs: object) -> Span:  # type: ignore[misc]
        return Span(*args, **kwargs)  # (`dataclasses.replace` and the like make a plain one)

    def _resolve(self) -> None:
        source, position = _SLOT_GET[0](self), _SLOT_GET[1](self)
        start, end = position >> 32, position & _LOW
        starts = source._starts or source.line_starts
        line = bisect.bisect_right(starts, start) - 1
        if line + 1 < len(starts) and end >= starts[line + 1]:
            end_line, end_col = source.at(end)
        else:  # most spans: a scalar mostly ends on the line it starts on
            end_line, end_col = line, end - starts[line]
        for set_slot, value in zip(_SLOT_SET, (line, start - starts[line], end_line, end_col)):
            set_slot(self, value)
        if type(self) is not _OriginNodeSpan:
            _set_origin(self, None)
        object.__setattr__(self, "__class__", Span)

    def __eq__(self, other: object) -> bool:
        self._resolve()
        return self == other

    def __hash__(self) -> int:
        self._resolve()
        return hash(self)

    def __reduce__(self) -> tuple:
        self._resolve()
        return self.__reduce__()

    def __repr__(self) -> str:
        self._resolve()
        return repr(self)


class _OriginNodeSpan(_NodeSpan):
    """A `_NodeSpan` whose origin slot is set from the start (`Spans.with_origin`)."""

    __slots__ = ()


def origin_of(span: Span) -> Origin | None:
    """`span.origin`, without computing the lines and columns of a span not read yet."""
    kind = type(span)
    if kind is _OriginNodeSpan:
        return _SLOT_GET[4](span)
    return None if kind is _NodeSpan else span.origin


def with_other_origin(span: Span, origin: Origin) -> Span:
    """`span` with another origin (the language server moves the use a template's node is reached through),
    still lazy when it was."""
    if type(span) is not _OriginNodeSpan:
        return Span(span.start_line, span.start_col, span.end_line, span.end_col, origin)
    return _origin_span(_SLOT_GET[0](span), _SLOT_GET[1](span), origin)


def lazy_parts(span: Span) -> tuple[Spans, int, Origin | None] | None:
    """What a span not read yet is made of (its file's `Spans`, its packed offsets, its origin), None for a
    span whose lines and columns are known (a plain `Span`). `lazy_span` makes one of them again."""
    kind = type(span)
    if kind is _NodeSpan:
        return _SLOT_GET[0](span), _SLOT_GET[1](span), None
    if kind is _OriginNodeSpan:
        return _SLOT_GET[0](span), _SLOT_GET[1](span), _SLOT_GET[4](span)
    return None


def lazy_span(source: Spans, position: int, origin: Origin | None = None) -> Span:
    """The span at `position` (`start << 32 | end`) of the file `source`, lines and columns computed when first
    read, with `origin` (None: in the analysed file)."""
    return _lazy_span(source, position) if origin is None else _origin_span(source, position, origin)


def node_span(node: Node) -> Span:
    """Where a node is written, in its own file (`Spans.__call__` of its file)."""
    return node.source(node)


def scalar_span(node: ScalarNode) -> Span:
    """`node_span` of a scalar, in one call (`readers.replay` makes one for every scalar a use brings)."""
    return _lazy_span(node[2], node[1])


def node_position(node: Node) -> int:
    """A node's packed start and end offsets, as its span has them (`_node_position`)."""
    return _node_position(node)


def _resolved(name: str) -> property:
    def read(span: _NodeSpan) -> object:
        span._resolve()
        return getattr(span, name)

    return property(read)


_SPAN_FIELDS = ("start_line", "start_col", "end_line", "end_col", "origin")
_SLOT_GET = [Span.__dict__[name].__get__ for name in _SPAN_FIELDS]  # Span's own slots, under the properties
_SLOT_SET = [Span.__dict__[name].__set__ for name in _SPAN_FIELDS]
for _name in _SPAN_FIELDS:
    setattr(_NodeSpan, _name, _resolved(_name))
del _name
_new_span = object.__new__
_set_source, _set_position, _set_origin = _SLOT_SET[0], _SLOT_SET[1], _SLOT_SET[4]


def _lazy_span(source: Spans, position: int) -> Span:
    span = _new_span(_NodeSpan)
    _set_source(span, source)
    _set_position(span, position)
    return span


def _origin_span(source: Spans, position: int, origin: Origin) -> Span:
    span = _new_span(_OriginNodeSpan)
    _set_source(span, source)
    _set_position(span, position)
    _set_origin(span, origin)
    return span


origin_span = _origin_span  # `lazy_span` with an origin, in one call (`readers.replay` makes one per value)

# `Text`s made as the class makes them, without calling it: `readers.replay` makes one for most values a
# use brings, with its span.
_set_text_value, _set_text_span, _set_text_quoted = (Text.__dict__[n].__set__ for n in ("value", "span", "quoted"))


def origin_text(value: str, source: Spans, position: int, origin: Origin, quoted: bool) -> Text:
    """`Text(value, origin_span(source, position, origin), quoted)`, in one call."""
    span = _new_span(_OriginNodeSpan)
    _set_source(span, source)
    _set_position(span, position)
    _set_origin(span, origin)
    text = _new_span(Text)
    _set_text_value(text, value)
    _set_text_span(text, span)
    _set_text_quoted(text, quoted)
    return text


def scalar_text(value: str, node: ScalarNode, quoted: bool) -> Text:
    """`Text(value, scalar_span(node), quoted)`, in one call."""
    span = _new_span(_NodeSpan)
    _set_source(span, node[2])
    _set_position(span, node[1])
    text = _new_span(Text)
    _set_text_value(text, value)
    _set_text_span(text, span)
    _set_text_quoted(text, quoted)
    return text


def _node_position(node: Node) -> int:
    """A node's start and end offsets in one integer, a block collection's end where its last value is
    written (found once: `_find_written_end`)."""
    if type(node) is ScalarNode:
        return node[1]
    if not node.flow_style and node.value:
        _find_written_end(node)
    return node.position


WRITTEN_END = "written"  # a block collection's `flow_style` once its end is where its last value is written


def _find_written_end(node: CollectionNode) -> None:
    """Set the end of a block collection, and of each collection on the way down to its last written value,
    to where that value ends (see `CollectionNode`)."""
    chain = []
    end = node
    source = node.source
    while type(end) in _COLLECTIONS and end.value and not end.flow_style:
        last = _last_written(end)
        if last is None or last.source is not source:
            # Unknown (an alias: its text is not here), or a merged mapping whose last value was spliced
            # in from another file and ends in its own: the parser's end stands.
            break
        chain.append(end)
        end = last
    written = end.end
    for collection in chain:
        collection.position = collection.position >> 32 << 32 | written
        collection.flow_style = WRITTEN_END
    if type(end) is not ScalarNode and not end.flow_style:
        end.flow_style = WRITTEN_END  # (where the walk stopped: its own end is final)


def _last_written(collection: MappingNode | SequenceNode) -> Node | None:
    """The node written last inside a block collection (for its end position), None when unknown.

    An alias is the very node its anchor names, written earlier (possibly the collection itself: `a: &x`
    then `  - *x`): a last value that starts before its key ends, before the item in front of it ends, or
    not after the collection starts, is one, and its own text is unknown. Each step of the walk moves
    strictly forward in the text, so it ends even on recursive aliases.
    """
    start = collection.start
    if isinstance(collection, MappingNode):
        key, last = collection.value[-1]
        if last.start > start and last.start >= key.end:
            return last
        return key if isinstance(key, ScalarNode) and key.start >= start else None
    last = collection.value[-1]
    floor = collection.value[-2].end if len(collection.value) > 1 else start
    return last if last.start > start and last.start >= floor else None


UNNAMED = "<unicode string>"  # the mark name the C parser gives a text composed without a name
SpansOf = Callable[[str], "Spans"]  # a file's mark name -> its positions


def _merges(keys: Keys) -> bool:
    """Whether the `Index` entry of a mapping has a merge key (`<<`)."""
    if type(keys) is tuple:  # one pair, or the values of keys (never with `<<`)
        return type(keys[0]) is ScalarNode and keys[0][0] == "<<"
    return "<<" in keys


class TooLarge(Exception):
    """A document whose aliases expand far beyond its text: the walk's budget or depth ran out."""


class Tree:
    """Read access to one composed document: keys looked up through an index, merge keys (`<<`) honoured,
    and every step of a walk paid from a budget so that an alias bomb costs linear time."""

    def __init__(self, index: Index, spans: Spans, home: str = UNNAMED, spans_of: SpansOf | None = None) -> None:
        self.index = index
        self.spans = spans
        # Aliases can make the tree far larger than its text; a real pipeline visits each node about once.
        self.budget = max(MIN_VISIT_BUDGET, VISITS_PER_NODE * collections_in(index))
        self.depth = 0  # levels of the current walk, paid by `descend` and given back by `ascend`
        # Across files: `home` is the mark name of the analysed file's nodes; while a body spliced in from
        # another file is read, `via` is (the span in the analysed file of the use that brought it, its label)
        # and `spans_of` gives the other file's positions.
        self.home = home
        self.spans_of = spans_of
        self.via: tuple[Span, str] | None = None
        self._origin: Origin | None = None  # the origin `span` gave last, and the `via` it was made for
        self._origin_via: tuple[Span, str] | None = None
        self.extra: dict[Node, dict[str, tuple[Node, Node]]] = {}
        self.shared: Index | None = None  # the other files' indexes (the workspace's), for spliced nodes

    def use_shared(self, shared: Index | None) -> None:
        """Look spliced nodes' keys up in `shared`, the workspace's index of every file it composed. When
        that holds the document's own index too (a file of the workspace), it alone serves every node: one
        lookup instead of two for each node spliced in."""
        self.shared = shared
        if shared is not None and self.index:
            first = next(iter(self.index))
            if shared.get(first) is self.index[first]:  # a file's index goes into the shared one whole
                self.index, self.shared = shared, None

    def span(self, node: Node) -> Span:
        """Where a node is written: in the analysed file, or (with its `Origin`) in the file it came from."""
        if self.via is None:
            return self.spans(node)
        source = node.source
        name = source.name
        if name == self.home:
            return self.spans(node)
        origin = self._origin
        if origin is None or origin.file != name or self._origin_via is not self.via:
            origin = self._origin = Origin(name, *self.via)  # one for every node of a file read through a use
            self._origin_via = self.via
        return source.with_origin(node, origin)

    def keys(self, node: MappingNode) -> Mapping[str, tuple[Node, Node]]:
        """A mapping's keys (the last of duplicates wins); indexed on first use for nodes that the document's
        index does not hold (bodies spliced in from other files, merged mappings)."""
        keys = self.index.get(node)
        return keys_of(node, keys if keys is not None else self._unindexed(node))

    def _unindexed(self, node: MappingNode) -> Keys:
        """`keys` of a node the document's index does not hold."""
        pairs = node.value
        if len(pairs) < 2:  # (never in an index: see `Index`)
            return pairs[0] if pairs else _NO_KEYS
        if self.shared is not None:
            keys = self.shared.get(node)
            if keys is not None:
                return keys
        # Kept per reader (the document's own index is shared by every reading of it).
        keys = self.extra.get(node)
        if keys is None:
            keys = self.extra[node] = {pair[0].value: pair for pair in node.value if type(pair[0]) is ScalarNode}
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
        keys = self.index.get(node)
        if not _merges(keys if keys is not None else self._unindexed(node)):
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
        if type(node) is not MappingNode:
            return None
        keys = self.index.get(node)  # (the common cases first: a node of the document read)
        if keys is None:
            pairs = node.value
            if len(pairs) > 1:
                keys = self._unindexed(node)
            elif not pairs:
                return None
            else:  # one pair (never in an index)
                pair = pairs[0]
                name = pair[0][0] if type(pair[0]) is ScalarNode else None
                if name == key:
                    return pair
                if name != "<<":
                    return None
                keys = {name: pair}
        if type(keys) is tuple:  # the values of distinct scalar keys, none of them `<<`, in the order of the pairs
            return node.value[keys.index(key)] if key in keys else None
        found = keys.get(key)
        if found is None and "<<" in keys:
            for source in self._merge_sources(node):
                found = self.keys(source).get(key)
                if found is not None:
                    break
        return found

    def get(self, node: Node | None, key: str) -> Node | None:
        if type(node) is not MappingNode:
            return None
        keys = self.index.get(node)  # (the common cases inline: a node of the document read)
        if type(keys) is tuple:
            return node.value[keys.index(key)][1] if key in keys else None
        if keys is not None:
            pair = keys.get(key)
            if pair is not None:
                return pair[1]
            if "<<" not in keys:
                return None
        else:
            pairs = node.value
            if len(pairs) == 1 and type(pairs[0][0]) is ScalarNode:
                name = pairs[0][0][0]
                if name == key:
                    return pairs[0][1]
                if name != "<<":
                    return None
        pair = self.entry(node, key)
        return pair[1] if pair else None

    def text(self, node: Node | None, key: str) -> Text | None:
        value = self.get(node, key)
        if type(value) is ScalarNode:
            return Text(value[0], self.spans(value) if self.via is None else self.span(value), bool(value[3]))
        return None

    @staticmethod
    def seq(node: Node | None) -> list[Node]:
        return node.value if isinstance(node, SequenceNode) else []

