"""The compact `Index` entries (`syntax.Index`): what the workspace reads off them is what a dict of every
mapping's keys gave, mappings of one pair (which the index does not hold) included."""

from __future__ import annotations

from barrier_lint.workspace.index import WorkspaceIndex


def test_the_names_a_file_uses_are_found_in_mappings_of_one_pair_and_of_several():
    text = (
        "pipeline:\n  identifier: p\n  stages:\n"
        "    - stage:\n        identifier: a\n        template: {templateRef: one_key}\n"
        "    - stage:\n        identifier: b\n        template:\n          templateRef: org.two_keys\n          versionLabel: v1\n"
        "    - stage:\n        identifier: c\n        type: Pipeline\n        spec: {pipeline: child}\n"
        "    - stage:\n        identifier: d\n        type: Pipeline\n        spec: {pipeline: other, org: o, org: o2}\n"
    )
    indexed = WorkspaceIndex().put("p.yaml", text)
    assert sorted(indexed.names_templates) == ["one_key", "two_keys"]
    assert sorted(indexed.names_pipelines) == ["child", "other"]
