"""The compact `Index` entries (`syntax.Index`): what the workspace reads off them is what a dict of every
mapping's keys gave, mappings of one pair (which the index does not hold) included."""

from __future__ import annotations

import pathlib
import sys

import pytest

from barrier_lint.syntax import MappingNode, ScalarNode, SequenceNode, Spans, Tree, compose_documents
from barrier_lint.workspace.index import WorkspaceIndex

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "bench"))
from generate import pipeline  # noqa: E402


def test_the_names_a_file_uses_are_found_in_mappings_of_one_pair_and_of_several():
    text = (
        "pipeline:\n  identifier: p\n  stages:\n"
        "    - stage:\n        identifier: a\n        template: {templateRef: one_key}\n"
        "    - stage:\n        identifier: b\n        template:\n          templateRef: org.two_keys\n          versionLabel: v1\n"
        "    - stage:\n        identifier: c\n        type: Pipeline\n        spec: {pipeline: child}\n"
        "    - stage:\n        identifier: d\n        type: Pipeline\n        spec: {pipeline: other, org: o, org: o2}\n"
    )
    index = WorkspaceIndex()
    indexed = index.put("p.yaml", text)
    assert index.readers_of("p.yaml") == set()  # (the reverse dependency map is filled in when first asked)
    assert sorted(indexed.names_templates) == ["one_key", "two_keys"]
    assert sorted(indexed.names_pipelines) == ["child", "other"]


def _every_collection(root):
    seen, stack = set(), [root]
    while stack:
        node = stack.pop()
        if id(node) in seen or not isinstance(node, (MappingNode, SequenceNode)):
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, MappingNode):
            stack.extend(x for pair in node.value for x in pair)
        else:
            stack.extend(node.value)


def _texts():
    root = pathlib.Path(__file__).resolve().parent.parent
    for path in sorted([*root.glob("tests/fixtures/**/*.y*ml"), *root.glob("examples/**/*.y*ml"), *root.glob("tests/workspaces/**/*.y*ml")]):
        yield path.read_text(encoding="utf-8", errors="replace")
    yield pipeline(400)
    yield "a: {x: 1, x: 2, y: 3}\nb: {? [k] : v, z: 1}\nc: &c {p: 1}\nd: {<<: *c, q: 2}\ne: {<<: [*c], p: 0}\nf: {}\ng: [{}]\n"


@pytest.mark.parametrize("text", list(_texts()))
def test_every_lookup_through_the_compact_index_is_the_dict_of_the_pairs(text):
    spans = Spans(text, "f.yaml")
    documents, _ = compose_documents(text, spans)
    for _, root, index, _ in documents:
        tree = Tree(index, spans)
        collections = list(_every_collection(root))
        assert index.collections == len(collections)  # (the walk budget counts every collection, as before)
        for node in (c for c in collections if isinstance(c, MappingNode)):
            own = {pair[0].value: pair for pair in node.value if type(pair[0]) is ScalarNode}
            assert dict(tree.keys(node)) == own
            for key in [*own, "identifier", "<<", "no such key"]:
                if "<<" in own and key not in own:
                    continue  # (merged keys: tests/test_compose.py)
                pair = own.get(key)
                assert tree.entry(node, key) is pair and tree.get(node, key) is (pair[1] if pair else None)
                text_of = tree.text(node, key)
                assert (text_of.value if text_of else None) == (pair[1].value if pair and type(pair[1]) is ScalarNode else None)

