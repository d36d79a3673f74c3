"""The node tree built in one pass over the parser's events (`syntax.compose_documents`): positions, the
key index, duplicate keys, aliases, merge keys, the depth limit, and the same answers from the pure-Python
parser. Positions are asserted exactly (zero-based here, as the model keeps them)."""

from __future__ import annotations

import subprocess
import sys

from barrier_lint.model import Span
from barrier_lint.parse import MAX_DEPTH, parse
from barrier_lint.syntax import MappingNode, ScalarNode, SequenceNode, Spans, Tree, compose_documents


def compose(text: str):
    spans = Spans(text, "f.yaml")
    documents, problem = compose_documents(text, spans)
    return spans, documents, problem


def problems(text: str) -> list[tuple[int, int, int, int, str]]:
    return [(p.span.start_line, p.span.start_col, p.span.end_line, p.span.end_col, p.message) for p in parse(text).problems]


def dup(key: str, first_line: int) -> str:
    return (f"duplicate key '{key}' (first at line {first_line}); YAML forbids duplicate keys and Harness keeps "
            "only the last one")


def test_a_duplicate_inside_a_merged_mapping_is_reported_once_where_it_is_written():
    text = "base: &b {x: 1, x: 2}\nm:\n  <<: *b\n  x: 3\n  <<: *b\nn: {<<: *b}\n"
    assert problems(text) == [(0, 16, 0, 17, dup("x", 1))]  # not for `<<` twice, nor the own `x` over a merged one
    spans, [(_, root, index, _)], _ = compose(text)
    tree = Tree(index, spans)
    m = tree.get(root, "m")
    assert tree.text(m, "x").value == "3"  # own keys win over merged ones
    assert tree.text(tree.get(root, "n"), "x").value == "2"  # the last of the duplicates, as Harness keeps it


def test_duplicate_keys_in_nested_mappings_are_reported_in_written_order():
    text = "a:\n  b: 1\n  c:\n    d: 1\n    d: 2\n  b: 3\na: 4\n"
    assert problems(text) == [(4, 4, 4, 5, dup("d", 4)), (5, 2, 5, 3, dup("b", 2)), (6, 0, 6, 1, dup("a", 1))]


def test_an_alias_to_an_anchor_of_an_earlier_document_is_undefined_and_the_earlier_document_is_kept():
    text = "---\na: &x 1\n---\nb: *x\n"
    assert problems(text) == [(3, 3, 3, 4, "YAML syntax error: found undefined alias")]
    spans, documents, problem = compose(text)
    assert [number for number, *_ in documents] == [0] and problem is not None and problem.document == 1


def test_the_same_anchor_name_in_two_documents_is_two_anchors():
    text = "a: &x one\nb: *x\n---\nc: &x two\nd: *x\n"
    spans, documents, problem = compose(text)
    assert problem is None
    values = [Tree(index, spans).text(root, key).value for (_, root, index, _), key in zip(documents, ("b", "d"))]
    assert values == ["one", "two"]


def test_a_second_anchor_of_the_same_name_in_one_document_is_a_syntax_error_at_the_second():
    assert problems("a: &x 1\nb:\n  - &x 2\n") == [
        (2, 4, 2, 5, "YAML syntax error: second occurrence (found duplicate anchor; first occurrence at line 1)")
    ]


def test_a_recursive_alias_is_reported_once_at_its_anchor():
    text = "x: 1\ny: &a\n  - *a\n  - k: *a\n"
    message = ("the node anchored here contains an alias to itself (a recursive alias): it never ends once "
               "expanded, and Harness cannot read it")
    assert problems(text) == [(1, 3, 1, 4, message)]


def test_depth_limit_at_the_exact_boundary():
    spans, [(_, root, _, _)], problem = compose("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert problem is None
    depth, node = 0, root
    while isinstance(node, SequenceNode):
        depth, node = depth + 1, node.value[0] if node.value else None
    assert depth == MAX_DEPTH
    text = "a: 1\n---\n" + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)
    spans, documents, problem = compose(text)
    assert documents == []  # the whole file is nothing but that problem, as before any document is read
    assert (problem.span, problem.document) == (Span(2, MAX_DEPTH, 2, MAX_DEPTH + 1), None)


def test_a_million_character_scalar_keeps_the_positions_after_it():
    long = "x" * 1_000_000
    text = f"a: {long}\nb: [c, 'd']\n"
    spans, [(_, root, index, _)], problem = compose(text)
    assert problem is None
    (ka, va), (kb, vb) = root.value
    assert va.value == long and spans(va) == Span(0, 3, 0, 1_000_003)
    assert (spans(kb), spans(vb), spans(vb.value[1])) == (Span(1, 0, 1, 1), Span(1, 3, 1, 11), Span(1, 7, 1, 10))
    assert vb.value[1].style == "'" and not ka.style  # plain


def test_crlf_and_lone_cr_line_breaks_give_editor_positions():
    for eol in ("\r\n", "\r"):
        text = eol.join(["a:", "  b: c", "  d: [e,", "    f]", "", "g: 1", ""])
        spans, [(_, root, index, _)], problem = compose(text)
        tree = Tree(index, spans)
        a = tree.get(root, "a")
        key_b, _ = tree.entry(a, "b")
        assert (spans(key_b), spans(tree.get(a, "d")), spans(a)) == (Span(1, 2, 1, 3), Span(2, 5, 3, 6), Span(1, 2, 3, 6))
        assert spans(tree.entry(root, "g")[0]) == Span(5, 0, 5, 1), repr(eol)


def test_node_marks_name_their_file_and_merged_copies_keep_their_place():
    spans, [(_, root, _, _)], _ = compose("a:\n  - b\n")
    seq = root.value[0][1]
    mark = seq.value[0].start_mark
    assert (mark.name, mark.line, mark.column, mark.index) == ("f.yaml", 1, 4, 7)
    copy = seq.copy([ScalarNode("z", 7, 8, spans)])
    assert isinstance(copy, SequenceNode) and (copy.start, copy.end, copy.source) == (seq.start, seq.end, seq.source)
    assert isinstance(root, MappingNode)



def test_a_block_collection_ends_where_its_last_value_is_written_whichever_span_is_asked_first():
    """The written end is found once and kept in the nodes on the way down: asking the outer span first, the
    inner first, or twice gives the same spans; the end is the last value's, not the parser's (past the
    blank line and the comment)."""
    text = "a:\n  b:\n    - c\n    - d: e\n\n# note\nf: g\n"
    want = {"a": Span(1, 2, 3, 10), "b": Span(2, 4, 3, 10), "item": Span(3, 6, 3, 10)}
    for order in (("a", "b", "item"), ("item", "b", "a"), ("b", "a", "item", "b")):
        spans, [(_, root, index, _)], _ = compose(text)
        tree = Tree(index, spans)
        a = tree.get(root, "a")
        nodes = {"a": a, "b": tree.get(a, "b"), "item": tree.get(a, "b").value[1]}
        got = {name: spans(nodes[name]) for name in order}
        assert got == {name: want[name] for name in order}, order


def test_a_merged_copy_spans_its_original_even_when_its_last_value_comes_from_another_file():
    for copy_first in (True, False):
        spans, [(_, root, _, _)], _ = compose("a:\n  - b\n  - c\n\nd: e\n")
        seq = root.value[0][1]
        elsewhere = Spans("zz\n", "other.yaml")
        if not copy_first:
            spans(seq)
        copy = seq.copy([seq.value[0], ScalarNode("z", 0, 2, elsewhere)])
        assert spans(copy) == spans(seq) == Span(1, 2, 2, 5), copy_first


def test_a_span_read_through_a_use_is_lazy_and_keeps_its_origin():
    """A template's node spliced into a pipeline: its span is computed when read, in the template's own
    lines, and carries the use it came through, as a plain `Span` made at once would."""
    import pickle

    from barrier_lint.model import Origin

    spans, [(_, root, index, _)], _ = compose("a:\n  b: c\n  d:\n    - e\n")
    tree = Tree(index, spans)
    origin = Origin("f.yaml", Span(9, 9, 9, 12), "tpl@v1")
    a = tree.get(root, "a")
    for node, place in ((tree.get(a, "b"), (1, 5, 1, 6)), (a, (1, 2, 3, 7)), (tree.get(a, "d"), (3, 4, 3, 7))):
        want = Span(*place, origin)
        late = spans.with_origin(node, origin)
        assert late == want and hash(late) == hash(want) and pickle.loads(pickle.dumps(late)) == want
        assert (late.start_line, late.end_col, late.origin) == (place[0], place[3], origin) and type(late) is Span
        assert spans(node) == Span(*place) and spans(node).origin is None


def test_a_span_given_another_origin_is_still_lazy_and_is_the_span_made_at_once():
    """The language server moves the use a template's nodes are reached through (`server.incremental`):
    their origin is read and replaced without computing their lines."""
    from barrier_lint.model import Origin
    from barrier_lint.syntax import origin_of, with_other_origin

    spans, [(_, root, index, _)], _ = compose("a: b\n")
    node = Tree(index, spans).get(root, "a")
    first, second = Origin("t.yaml", Span(1, 1, 1, 4), "tpl"), Origin("t.yaml", Span(5, 1, 5, 4), "tpl")
    late = spans.with_origin(node, first)
    moved = with_other_origin(late, second)
    assert origin_of(late) is first and origin_of(moved) is second
    assert type(late) is not Span and type(moved) is not Span  # neither read yet
    assert moved == Span(0, 3, 0, 4, second) and late == Span(0, 3, 0, 4, first)
    assert with_other_origin(Span(0, 3, 0, 4, first), second) == moved
    assert origin_of(spans(node)) is None and origin_of(Span(0, 0, 0, 1, first)) is first


def test_a_scalar_keeps_its_offsets_in_one_integer():
    spans = Spans("x" * 10, "f.yaml")
    node = ScalarNode("v", 2**31 + 5, 2**32 - 1, spans, "'")
    assert (node.value, node.start, node.end, node.source, node.style) == ("v", 2**31 + 5, 2**32 - 1, spans, "'")


def test_a_span_read_late_is_the_span_read_at_once():
    """Spans are computed when first read: equal, hashed, pickled, copied and replaced as the plain `Span`
    they become, with their file's lines (a \r\n, \r and a line-spanning scalar)."""
    import copy
    import pickle

    from barrier_lint.records import replace

    text = "a: b\r\nc: 'd\r  e'\rf: [g]\n"
    spans, [(_, root, index, _)], _ = compose(text)
    tree = Tree(index, spans)
    d, f = tree.get(root, "c"), tree.get(root, "f")
    expected = {id(d): Span(1, 3, 2, 4), id(f): Span(3, 3, 3, 6)}
    for node in (d, f):
        want = expected[id(node)]
        assert spans(node) == want and want == spans(node) and spans(node) != Span(0, 0, 0, 0)
        assert hash(spans(node)) == hash(want) and {spans(node): 1}[want] == 1
        assert pickle.loads(pickle.dumps(spans(node))) == want and copy.copy(spans(node)) == want
        assert replace(spans(node), origin=None) == want and repr(spans(node)) == repr(want)
        late = spans(node)
        assert (late.start_line, late.start_col, late.end_line, late.end_col, late.origin) == (
            want.start_line, want.start_col, want.end_line, want.end_col, None)
        assert type(late) is Span


PURE_PYTHON = r"""
import sys
sys.modules["_ruamel_yaml"] = None  # as when ruamel.yaml.clib is not installed
from barrier_lint.parse import C_PARSER, parse
assert not C_PARSER
for text in {texts!r}:
    p = parse(text)
    print([(x.span, x.message) for x in p.problems], p.documents)
"""


def test_the_pure_python_parser_builds_the_same_model():
    texts = [
        "base: &b {x: 1, x: 2}\nm:\n  <<: *b\n  x: 3\n",
        "pipeline:\r\n  identifier: p\r\n  flowControl:\r\n    barriers:\r\n      - {name: g, identifier: g}\r\n",
        "x: &a\n  - *a\n",
        "[" * (MAX_DEPTH + 1),
    ]  # (a syntax error is worded by each parser its own way)
    code = PURE_PYTHON.format(texts=texts)
    pure = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    c = subprocess.run([sys.executable, "-c", code.replace('sys.modules["_ruamel_yaml"] = None', "").replace("assert not C_PARSER", "assert C_PARSER")],
                       capture_output=True, text=True, check=True).stdout
    assert pure == c and pure.count("\n") == len(texts)


def test_the_parser_loads_without_ruamel_yaml_main_and_the_whole_package_is_there_when_asked_for():
    code = (
        "import sys\nimport barrier_lint.parse\nassert 'ruamel.yaml.main' not in sys.modules, sorted(sys.modules)\n"
        "import ruamel.yaml\nprint(ruamel.yaml.__version__ == ruamel.yaml.version_info and False or 'ok')\n"
        "from ruamel.yaml import YAML\nprint(YAML(typ='safe', pure=True).load('a: [1]'))\n"
        "import ruamel.yaml.nodes\nprint(ruamel.yaml.nodes.ScalarNode.__name__)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split("\n")[:3] == ["ok", "{'a': [1]}", "ScalarNode"]


def test_the_line_table_built_a_piece_at_a_time_is_that_of_the_whole_text(monkeypatch):
    import barrier_lint.syntax as syntax

    texts = ["", "\n", "a", "a\n", "\n\n\n", "ab\ncd\n\nefg", "ab\ncd\n\nefg\n", "x" * 9 + "\n" + "y" * 3, "a\r\nb\rc\n"]
    for chunk in (1, 2, 3, 5, 1 << 16):
        monkeypatch.setattr(syntax, "_LINE_CHUNK", chunk)
        for text in texts:
            expected = [0] + [i + 1 for i, c in enumerate(text) if c == "\n"]
            if "\r" in text:
                expected = [0, 3, 5, 7]
            assert list(Spans(text).line_starts) == expected, (chunk, text)


def test_a_one_pair_mapping_and_a_closed_collection_answer_as_any_other():
    text = "a: {b: 1}\nm:\n  <<: {c: 2}\nn: [x]\nq: {? [k] : v}\nr: {}\n"
    spans, [(_, root, index, _)], _ = compose(text)
    tree = Tree(index, spans)
    a, m, n, q, r = (tree.get(root, k) for k in "amnqr")
    assert a not in index and n not in index and tree.get(a, "b").value == "1" and tree.get(a, "c") is None
    assert dict(tree.keys(a)) == {"b": a.value[0]} and tree.text(a, "b").value == "1"
    assert tree.get(m, "c").value == "2" and tree.text(m, "c").span == Span(2, 10, 2, 11)
    assert [k.value for k, _ in tree.items(m)] == ["c"]
    assert dict(tree.keys(q)) == {} and tree.get(q, "k") is None and tree.items(r) == []
    assert (a.start, a.end, n.start, n.end, root.start, root.end) == (3, 9, 29, 32, 0, len(text))
    assert (tree.span(a), tree.span(n)) == (Span(0, 3, 0, 9), Span(3, 3, 3, 6))


def test_each_kind_of_index_entry_gives_the_keys_a_dict_of_every_pair_gives():
    # One pair, distinct scalar keys (the tuple of their values), duplicates and a collection key (a dict),
    # merge keys in each: every lookup answers as the dict of the pairs, the last of duplicates winning.
    text = (
        "base: &b {p: 0, q: 9}\none: {a: 1}\nmany: {a: 1, b: 2, c: 3}\ndups: {a: 1, b: 2, a: 3}\n"
        "odd: {? [k] : v, a: 1}\nmerged: {<<: *b, a: 1}\nonly: {<<: *b}\nempty: {}\n"
    )
    spans, [(_, root, index, _)], _ = compose(text)
    tree = Tree(index, spans)
    entries = {name: index.get(tree.get(root, name)) for name in ("one", "many", "dups", "odd", "merged", "only", "empty")}
    assert entries["many"] == ("a", "b", "c") and entries["one"] is entries["only"] is entries["empty"] is None
    assert type(entries["dups"]) is dict and type(entries["odd"]) is dict and type(entries["merged"]) is dict
    assert index.collections == 10 and len(index) == 6  # (every mapping and sequence; those of two pairs or more)
    for name in entries:
        node = tree.get(root, name)
        own = {pair[0].value: pair for pair in node.value if type(pair[0]) is ScalarNode}
        assert dict(tree.keys(node)) == own, name
        for key in ("a", "b", "c", "p", "q", "<<", "k", "z"):
            pair = own.get(key)
            if pair is None and "<<" in own:
                pair = {"p": tree.get(tree.get(root, "base"), "p") , "q": tree.get(tree.get(root, "base"), "q")}.get(key)
                assert (tree.get(node, key) is pair) and (tree.text(node, key).value == pair.value if pair else True), (name, key)
                continue
            assert tree.entry(node, key) is pair and tree.get(node, key) is (pair[1] if pair else None), (name, key)
    assert tree.get(tree.get(root, "dups"), "a").value == "3" and tree.text(tree.get(root, "many"), "c").value == "3"
    assert [k.value for k, _ in tree.items(tree.get(root, "merged"))] == ["a", "p", "q"]


def _lint_everything(texts):
    from barrier_lint import lint

    return [([(p.span, p.message) for p in parse(t).problems], lint(t)) for t in texts]


def _sample_texts():
    from .conftest import FIXTURES

    texts = [p.read_text(encoding="utf-8") for p in sorted(FIXTURES.rglob("*.yaml"))]
    texts += ["a: &x {b: 1}\nc: *x\nd: *y\n", "k: 1\nk: 2\n", "[" * (MAX_DEPTH + 1), "- &a [*a]\n", "a: 'unclosed\n"]
    return texts


def test_the_c_parser_gets_its_own_event_classes_back_after_composing():
    # While barrier-lint composes, the C extension makes light events (`syntax._LightEvents`); other code
    # that reads the C parser's events afterwards gets ruamel.yaml's.
    import _ruamel_yaml
    import ruamel.yaml.events as events
    from ruamel.yaml import YAML

    from barrier_lint import syntax

    assert syntax._light_events.works
    parse("pipeline:\n  identifier: p\n")
    for name in syntax._LIGHT:
        assert getattr(_ruamel_yaml, name) is getattr(events, name)
    parsed = list(YAML(typ="safe", pure=False).parse("a: [b]\n"))
    assert [type(e).__name__ for e in parsed][2:6] == ["MappingStartEvent", "ScalarEvent", "SequenceStartEvent", "ScalarEvent"]
    assert parsed[3].value == "a" and parsed[3].start_mark.index == 0


def test_the_model_is_the_same_when_the_event_classes_cannot_be_swapped(monkeypatch):
    # An unexpected C extension: its events are made light one by one (`syntax._light`), as the pure-Python
    # parser's are, with the same nodes, problems and findings.
    from barrier_lint import syntax

    texts = _sample_texts()
    fast = _lint_everything(texts)
    monkeypatch.setattr(syntax._light_events, "works", False)
    assert _lint_everything(texts) == fast


def test_threads_composing_at_once_each_get_their_own_model_and_the_classes_come_back():
    import threading

    import _ruamel_yaml
    import ruamel.yaml.events as events

    from barrier_lint import syntax

    texts = _sample_texts()
    want = _lint_everything(texts)
    got: dict[int, list] = {}

    def work(k: int) -> None:
        got[k] = [_lint_everything(texts) for _ in range(3)]

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(runs == [want] * 3 for runs in got.values()) and len(got) == 4
    assert all(getattr(_ruamel_yaml, name) is getattr(events, name) for name in syntax._LIGHT)
