"""Reading YAML: hostile input gets a BL000 with a position, never a traceback or a hang; document kinds
decide which rules run."""

from __future__ import annotations

import time

import pytest

from barrier_lint import lint
from barrier_lint.cli import lint_bytes
from barrier_lint.config import Config
from barrier_lint.model import DocumentKind, Span
from barrier_lint.parse import MAX_DEPTH, decode, find_comments, parse

from .conftest import findings


def messages(text: str, **kwargs) -> list[tuple[str, int, int, str]]:
    return [(d.code, d.span.start_line + 1, d.span.start_col + 1, d.message) for d in lint(text, **kwargs)]


@pytest.mark.parametrize(
    "text, position",
    [
        ("[" * 100_000 + "]" * 100_000, (1, MAX_DEPTH + 1)),  # would overflow the C composer's stack
        ("".join(" " * i + "-\n" for i in range(MAX_DEPTH + 50)), (MAX_DEPTH + 1, MAX_DEPTH + 1)),
        ("- " * 3000 + "x\n", (1, 2 * MAX_DEPTH + 1)),
        ("".join(" " * i + f"k{i}:\n" for i in range(MAX_DEPTH + 50)), (MAX_DEPTH + 1, MAX_DEPTH + 1)),
    ],
    ids=["flow", "block-sequence", "compact-sequence", "block-mapping"],
)
def test_deep_nesting_is_refused_with_a_position(text, position):
    [(code, line, col, message)] = messages(text, assume_harness=True)
    assert (code, line, col) == ("BL000", *position)
    assert f"more than {MAX_DEPTH} levels deep" in message


def test_brackets_inside_strings_do_not_count_as_nesting():
    text = 'pipeline:\n  name: "' + "[" * 1000 + '"\n  identifier: x\n'
    assert lint(text) == []


def test_nesting_just_under_the_limit_is_read():
    depth = MAX_DEPTH - 5
    text = "pipeline:\n  x: " + "[" * depth + "]" * depth + "\n"
    assert lint(text) == []


def test_scalar_alias_bomb_is_linear():
    bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8)
    )
    start = time.perf_counter()
    assert lint(bomb, assume_harness=True) == []
    assert time.perf_counter() - start < 5  # generous: linear work is milliseconds, expansion is hours


def test_stage_alias_bomb_is_reported_not_expanded():
    text = (
        "pipeline:\n  identifier: p\n  x0: &s0\n"
        "    - stage: {identifier: a, type: Custom, spec: {execution: {steps: [{step: {type: Barrier, spec: {barrierRef: r}}}]}}}\n"
    )
    for i in range(1, 25):
        text += f"  x{i}: &s{i}\n    - parallel: *s{i - 1}\n    - parallel: *s{i - 1}\n"
    text += "  stages: *s24\n"
    [(code, line, col, message)] = messages(text)
    assert (code, line, col) == ("BL000", 1, 1)
    assert "alias" in message


RECURSIVE = (
    "the node anchored here contains an alias to itself (a recursive alias): it never ends once expanded, "
    "and Harness cannot read it"
)
_STAGE = "pipeline:\n  identifier: p\n  stages:\n    - stage:\n        identifier: s\n        type: Custom\n"


@pytest.mark.parametrize(
    "text, position, harness",
    [
        ("a: &x\n  b: *x\n", (1, 4), False),  # any YAML: a Helm values file
        ("a: &x\n  - *x\n", (1, 4), False),
        ("a: &x [1, *x]\n", (1, 4), False),
        ("pipeline: &p\n  identifier: x\n  stages:\n    - stage: *p\n", (1, 11), True),
        (_STAGE + "        spec: &c\n          execution: *c\n", (7, 15), True),  # RecursionError before
        (_STAGE + "        spec:\n          execution: &e\n            steps:\n              - stepGroup: *e\n", (8, 22), True),
        ("pipeline: &p\n  identifier: x\n  <<: *p\n", (1, 11), True),
        # v1: a stage group holding itself, steps holding themselves (RecursionError in the v1 reader before)
        ("pipeline:\n  id: p\n  barriers: [x]\n  stages:\n    - &g\n      group: {stages: [*g]}\n", (5, 7), True),
        ("pipeline:\n  id: p\n  stages:\n    - id: a\n      steps: &s\n        - parallel: {steps: *s}\n", (5, 14), True),
    ],
    ids=["mapping", "sequence", "flow", "harness-stage", "stage-spec", "step-group", "merge-key", "v1-group", "v1-steps"],
)
def test_recursive_aliases_end_with_one_finding(text, position, harness):
    # A file the user named gets a BL000; Harness YAML gets it whether named or found in a directory.
    [(code, line, col, message)] = messages(text, assume_harness=True)
    assert (code, (line, col), message) == ("BL000", position, RECURSIVE)
    assert messages(text) == ([(code, line, col, message)] if harness else [])


def test_aliases_nested_deeper_than_any_written_document_are_refused():
    # Each anchor aliases the one before it: 1,500 levels once expanded (RecursionError before).
    lines = ["          c0: &c0 {steps: [{step: {type: Barrier, spec: {barrierRef: b}}}]}"]
    lines += [f"          c{i}: &c{i} {{x: *c{i - 1}}}" for i in range(1, 1500)]
    text = _STAGE + "        spec:\n" + "\n".join(lines) + "\n"
    [(code, line, col, message)] = messages(text)
    assert (code, line, col) == ("BL000", 1, 1)
    assert message.startswith("aliases in this document expand far deeper, or to far more nodes, than it is written")


def test_alias_fan_out_under_a_spec_is_read():
    # 8 anchors, each aliased 150 times: the model builder raised RecursionError on such files.
    lines = ["          a0: &a0 {steps: [{step: {type: ShellScript, identifier: w, spec: {}}}]}"]
    lines += [f"          a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 150) + "]" for i in range(1, 8)]
    text = _STAGE + "        spec:\n" + "\n".join(lines) + "\n"
    text += "    - stage: {identifier: t, type: Custom, spec: {execution: {steps: [{step: {type: Barrier}}]}}}\n"
    assert findings(text) == [("BL106", 16, 85)]


def test_lone_surrogate_from_an_editor_is_a_finding_not_a_crash():
    # The server can receive one (JSON "\\ud800"); a file cannot hold one in valid UTF-8.
    assert messages('pipeline: {name: "\ud800"}') == [
        ("BL000", 1, 19, "the text contains a lone surrogate (U+D800), which is not a character; save it as UTF-8")
    ]
    assert messages('# barrier-lint: disable=BL202\npipeline: {name: "\udfff"}')[0][:3] == ("BL000", 2, 19)


def test_merge_keys_bring_in_step_fields():
    text = """\
pipeline:
  identifier: p
  flowControl: {barriers: [{name: A, identifier: a}]}
  x: &base {type: Barrier, spec: {barrierRef: a}, timeout: 1s}
  stages:
    - parallel:
      - stage: {identifier: s1, type: Custom, spec: {execution: {steps: [{step: {<<: *base, identifier: w}}]}}}
      - stage: {identifier: s2, type: Custom, spec: {execution: {steps: [{step: {<<: *base, identifier: w}}]}}}
"""
    # Both steps share the timeout node through the merge key: one finding for each step, both at the anchor.
    assert [(d.code, d.span.start_line + 1, d.span.start_col + 1, d.message.split(" is ")[0]) for d in lint(text)] == [
        ("BL304", 4, 60, "timeout '1s' of Barrier step w (stage s1)"),
        ("BL304", 4, 60, "timeout '1s' of Barrier step w (stage s2)"),
    ]
    [document] = parse(text).documents
    assert [p.literal for p in document.pipeline.positions] == ["a", "a"]


def test_nul_byte():
    assert messages("pipeline:\n  name: a\x00b\n") == [
        ("BL000", 2, 10, "the file contains a NUL byte; is it a binary file?")
    ]


def test_invalid_utf8_points_at_the_byte():
    text, problem = decode(b"pipeline:\n  name: caf\xc3\xa9 \xff\n")
    assert text == ""
    assert (problem.span.start_line, problem.span.start_col) == (1, 13)
    assert problem.message == "the file is not valid UTF-8 (byte 0xff at offset 24); save it as UTF-8"
    [d] = lint_bytes(b"pipeline:\n  name: caf\xc3\xa9 \xff\n", Config(), explicit=True)
    assert (d.code, d.span.start_line + 1, d.span.start_col + 1) == ("BL000", 2, 14)


def test_binary_file_named_explicitly():
    [d] = lint_bytes(bytes(range(256)), Config(), explicit=True)
    assert d.code == "BL000"


def test_tab_indentation_explains_itself():
    [(code, line, col, message)] = messages("pipeline:\n\tidentifier: release\n")
    assert (code, line, col) == ("BL000", 2, 1)
    assert message.endswith("indent with spaces, YAML does not allow tabs for indentation")


def test_syntax_error_in_a_later_document_keeps_earlier_ones():
    text = "pipeline: {identifier: a, flowControl: {barriers: [{name: x, identifier: x}]}}\n---\npipeline: [\n"
    assert findings(text) == [("BL105", 1, 74), ("BL000", 4, 1)]


def test_broken_yaml_that_is_not_harness_is_not_ours():
    assert lint("services:\n  web: [\n") == []
    assert findings("services:\n  web: [\n", assume_harness=True) == [("BL000", 3, 1)]


@pytest.mark.parametrize(
    "text",
    [
        "", "# only a comment\n", "42\n", "- a\n- b\n", "pipeline:\n  identifier: p\n  stages: 5\n",
        "pipeline:\n  ? [a, b]\n  : c\n  identifier: p\n", "pipeline: !!map\n  identifier: !custom p\n",
        "pipeline:\n  identifier: p\n  stages: [5, {stage: 7}, {parallel: 3}, {stage: {spec: {execution: {steps: [5, {step: 3}, {step: {type: Barrier, spec: 5, timeout: [1]}}]}}}}]\n",
        "pipeline:\n  identifier: p\n  flowControl: {barriers: [5, [1], {identifier: [a], name: {x: 1}}]}\n",
        "template: {type: Stage, spec: 5}\n", "template: {type: [x]}\n", "inputSet: 5\n",
    ],
)
def test_unexpected_shapes_do_not_crash(text):
    lint(text, assume_harness=True)


def test_declaration_with_a_non_scalar_identifier_is_reported():
    text = "pipeline:\n  identifier: p\n  flowControl: {barriers: [{identifier: [a], name: A}]}\n"
    assert findings(text) == [("BL107", 3, 28)]


KINDS = {
    "pipeline:\n  identifier: p\n": DocumentKind.PIPELINE,
    "template:\n  type: Pipeline\n  spec:\n    stages: []\n": DocumentKind.PIPELINE_TEMPLATE,
    "template:\n  type: Stage\n  spec:\n    type: Custom\n": DocumentKind.STAGE_TEMPLATE,
    "template:\n  type: StepGroup\n  spec:\n    steps: []\n": DocumentKind.STEP_GROUP_TEMPLATE,
    "template:\n  type: Step\n  spec:\n    type: Barrier\n": DocumentKind.STEP_TEMPLATE,
    "template:\n  type: SecretManager\n  spec:\n    x: 1\n": DocumentKind.OTHER_TEMPLATE,
    "inputSet:\n  identifier: i\n": DocumentKind.INPUT_SET,
    "overlayInputSet:\n  identifier: o\n": DocumentKind.INPUT_SET,
    "version: 1\npipeline:\n  stages: []\n": DocumentKind.V1_PIPELINE,
    "pipeline:\n  barriers: [a]\n  stages: []\n": DocumentKind.V1_PIPELINE,
    "pipeline:\n  stages:\n    - name: s\n      steps: []\n": DocumentKind.V1_PIPELINE,
    "pipeline:\n  stages:\n    - parallel:\n        stages: []\n": DocumentKind.V1_PIPELINE,
    "services:\n  web: {image: nginx}\n": DocumentKind.OTHER,
}


@pytest.mark.parametrize("text, kind", KINDS.items(), ids=[k.value for k in KINDS.values()])
def test_document_kinds(text, kind):
    [document] = parse(text).documents
    assert document.kind is kind


def test_templates_get_only_the_rules_that_need_no_pipeline():
    stage_template = """\
template:
  identifier: t
  type: Stage
  spec:
    type: Custom
    spec:
      execution:
        steps:
          - step: {type: Barrier, identifier: a, spec: {barrierRef: undeclared}, timeout: 5s}
          - step: {type: Barrier, identifier: b, spec: {barrierRef: undeclared}, timeout: 10m}
"""
    # BL201/BL304 apply (the sequential pair in one stage is BL201 alone: one mistake, one finding); BL101
    # (no declarations in a template) and BL202 stay silent.
    assert findings(stage_template) == [("BL304", 9, 91), ("BL201", 10, 69)]


def test_each_document_is_analysed_on_its_own():
    one = "pipeline:\n  identifier: p\n  flowControl: {barriers: [{name: A, identifier: a}]}\n  stages: []\n"
    assert findings(one + "---\n" + one) == [("BL105", 3, 50), ("BL105", 8, 50)]


def test_comments_are_found_between_tokens_only():
    text = 'a: "not # a comment" # real one\nb: |\n  # inside a block scalar\nc: d#not\n# last\n'
    assert [(c.line, c.col, c.text) for c in find_comments(text)] == [(0, 21, "# real one"), (4, 0, "# last")]


def test_block_collection_spans_end_at_their_last_value_not_at_the_next_token():
    text = (
        "pipeline:\n  identifier: p\n  flowControl:\n    barriers:\n      - name: A\n        identifier: a\n"
        "\n      # a comment before the next key\n  stages: []\n"
    )
    [document] = parse(text).documents
    [declaration] = document.pipeline.declarations
    assert declaration.span == Span(4, 8, 5, 21)
    flow = "pipeline: {identifier: p, flowControl: {barriers: [{name: A, identifier: a}]}}  # trailing\n"
    assert parse(flow).documents[0].pipeline.declarations[0].span == Span(0, 51, 0, 75)


def test_control_characters_are_named_in_words():
    assert messages("pipeline:\n  name: a\x01b\n") == [
        ("BL000", 2, 10, "the file contains the character U+0001, which YAML does not allow (control characters are not allowed)")
    ]


def test_depth_error_position_counts_lines_as_editors_do():
    text = 'pipeline:\n  name: "\u2028"\n  x: ' + "[" * 500 + "]" * 500 + "\n"
    assert findings(text) == [("BL000", 3, 4 + MAX_DEPTH)]
