"""The v1 simplified syntax read into the one model: detection by shape, the reading of each construct the
rules rely on, templates and chains recorded for the workspace resolver, and messages in v1's words."""

from __future__ import annotations

import pytest

from barrier_lint.analysis import Facts
from barrier_lint.model import V1, DocumentKind
from barrier_lint.parse import parse
from barrier_lint.readers import read_document
from barrier_lint.syntax import Spans, compose_documents

from .conftest import findings


def one(text: str, path: str | None = None):
    [document] = parse(text, path).documents
    return document


KINDS = {
    # Harness's own v1 cases carry no `version:` key: the shape decides.
    "pipeline:\n  stages:\n    - id: s\n      steps: []\n": (DocumentKind.V1_PIPELINE, "v1 pipeline"),
    "pipeline:\n  id: p\n": (DocumentKind.V1_PIPELINE, "v1 pipeline"),
    "pipeline:\n  barriers: [a]\n": (DocumentKind.V1_PIPELINE, "v1 pipeline"),
    "pipeline:\n  stages:\n    - parallel: {stages: []}\n": (DocumentKind.V1_PIPELINE, "v1 pipeline"),
    "pipeline:\n  identifier: p\n  stages:\n    - parallel: []\n": (DocumentKind.PIPELINE, "v0 pipeline"),
    "pipeline:\n  name: p\n": (DocumentKind.PIPELINE, "v0 pipeline"),  # nothing of either: v0, as always
    "template:\n  stage:\n    steps: []\n": (DocumentKind.STAGE_TEMPLATE, "v1 template of type stage"),
    "template:\n  step:\n    barrier: {name: x}\n": (DocumentKind.STEP_TEMPLATE, "v1 template of type step"),
    "template:\n  step:\n    group: {steps: []}\n": (DocumentKind.STEP_GROUP_TEMPLATE, "v1 template of type step group"),
    "template:\n  pipeline:\n    stages: []\n": (DocumentKind.PIPELINE_TEMPLATE, "v1 template of type pipeline"),
    "template:\n  type: Stage\n  spec: {type: Custom}\n": (DocumentKind.STAGE_TEMPLATE, "v0 template of type Stage"),
    "template:\n  type: SecretManager\n  spec: {x: 1}\n": (DocumentKind.OTHER_TEMPLATE, "v0 template of type SecretManager"),
    "inputSet:\n  identifier: i\n": (DocumentKind.INPUT_SET, "input set"),
    "pipeline:\n  identifier: p\n  barriers: [a]\n": (DocumentKind.UNRECOGNISED, "Harness YAML in neither syntax"),
    "pipeline: [a]\n": (DocumentKind.UNRECOGNISED, "Harness YAML in neither syntax"),
    "template:\n  inputs: {}\n": (DocumentKind.UNRECOGNISED, "Harness YAML in neither syntax"),
    "services:\n  web: {image: nginx}\n": (DocumentKind.OTHER, "not Harness YAML (skipped)"),
}


@pytest.mark.parametrize("text, expected", KINDS.items(), ids=[f"{k.value}-{i}" for i, (k, _) in enumerate(KINDS.values())])
def test_kinds_by_shape(text, expected):
    document = one(text)
    assert (document.kind, document.describe()) == expected


def test_neither_syntax_is_an_info_finding_that_names_the_marks():
    text = "pipeline:\n  identifier: p\n  barriers: [a]\n"
    assert findings(text) == [("BL001", 1, 1)]
    assert one(text).note == "it has v0's `pipeline.identifier` (line 2) and v1's `pipeline.barriers` (line 3)"


def test_a_v1_template_takes_its_identity_from_its_path():
    text = "template:\n  inputs: {gate: {type: string}}\n  stage:\n    steps:\n      - barrier: {name: x}\n"
    document = one(text, "repo/.harness/templates/deploy_gate/v2.yaml")
    assert (document.pipeline.identifier.value, document.pipeline.version_label.value) == ("deploy_gate", "v2")
    nested = one(text, "repo/.harness/orgs/default/projects/pay/templates/deploy_gate/1.0.yaml")
    assert (nested.pipeline.identifier.value, nested.pipeline.version_label.value) == ("deploy_gate", "1.0")
    assert one(text, "stages/deploy_gate.yaml").pipeline.identifier is None
    assert one(text).pipeline.identifier is None


def test_template_uses_and_chains_are_recorded_for_the_resolver():
    text = """\
pipeline:
  barriers: [ready]
  stages:
    - id: deploy
      template:
        uses: account.deploy_stage@v2
        with: {gate: ready}
    - id: checks
      steps:
        - template: {uses: smoke}
    - id: child
      chain: {uses: default/payments/deploy_payments}
"""
    pipeline = one(text).pipeline
    deploy, checks, child = pipeline.stages
    stage_use, step_use = pipeline.template_uses
    assert deploy.template_ref is stage_use.ref and stage_use.ref.value == "account.deploy_stage@v2"
    assert (stage_use.identifier, stage_use.version.value, stage_use.kind, stage_use.stage) == (
        "account.deploy_stage", "v2", "Stage", None
    )
    assert stage_use.inputs is not None and not stage_use.resolved  # `with`: opaque to the model
    assert (step_use.identifier, step_use.version, step_use.kind, step_use.stage) == ("smoke", None, "Step", checks)
    assert pipeline.uses_templates
    assert pipeline.chained_stages == [child] and child.chain_ref.value == "default/payments/deploy_payments"


def test_inputs_hook_substitutes_template_inputs_keeping_the_span():
    text = "template:\n  step:\n    barrier: {name: '${{ inputs.gate }}'}\n"
    spans = Spans(text)
    [(_, root, index, _)], _ = compose_documents(text, spans)
    plain, _ = read_document(0, root, index, spans)
    filled, _ = read_document(0, root, index, spans, inputs={"gate": "deployed"})
    [before], [after] = plain.pipeline.positions, filled.pipeline.positions
    assert (before.ref.value, before.literal) == ("${{ inputs.gate }}", None)
    assert (after.ref.value, after.literal, after.ref.span) == ("deployed", "deployed", before.ref.span)


def test_each_construct_reads_into_the_model():
    text = """\
pipeline:
  id: release
  barriers: [x, "y"]
  stages:
    - id: a
      needs: [b]
      if: ${{ false }}
      strategy: {for: {iterations: 3}, max-parallel: 1}
      steps:
        - id: g
          group:
            steps:
              - {id: s1, barrier: {name: x}, timeout: 10m, strategy: {repeat: {times: 2}}}
      rollback:
        - {id: r1, barrier: {name: y}}
"""
    document = one(text)
    pipeline = document.pipeline
    assert pipeline.syntax is V1 and document.syntax is V1
    assert [(d.identifier.value, d.name.value, d.span.start_col) for d in pipeline.declarations] == [("x", "x", 13), ("y", "y", 16)]
    [stage] = pipeline.stages
    assert stage.depends_on == ("b",) and [(t.value, t.span.start_line) for t in stage.depends_on_entries] == [("b", 5)]
    assert (stage.when.condition.value, stage.when.can_skip) == ("${{ false }}", True)
    assert (stage.strategy.kind, stage.strategy.max_concurrency.value) == ("for", "1")
    [group] = pipeline.step_groups
    s1, r1 = pipeline.positions
    assert s1.groups == (group,) and s1.scope is group and not s1.rollback
    assert (s1.type.value, s1.type.span.start_line, s1.timeout.value) == ("barrier", 12, "10m")
    assert s1.strategy_key is not None
    assert r1.rollback and r1.scope is stage


def test_needs_makes_independent_branches_concurrent():
    # Written in sequence, but b and c both need only a: they run beside each other (Harness would say
    # sequential, as it ignores `needs`), while d needs b and so runs after it.
    text = """\
pipeline:
  barriers: [x]
  stages:
    - {id: a, needs: [], steps: [{run: {script: make}}]}
    - {id: b, needs: [a], steps: [{id: pb, barrier: {name: x}}]}
    - {id: c, needs: a, steps: [{id: pc, barrier: {name: x}}]}
    - {id: d, needs: [b], steps: [{id: pd, barrier: {name: x}}]}
"""
    document = one(text)
    facts = Facts(document)
    p = {q.identifier.value: q for q in document.pipeline.positions}
    assert facts.ordering.order(p["pb"], p["pc"]) == 0
    assert facts.ordering.order(p["pb"], p["pd"]) == -1
    assert facts.ordering.order(p["pc"], p["pd"]) == 0
    assert findings(text) == [("BL203", 7, 60)]


def test_parallel_children_are_concurrent_and_group_children_sequential():
    text = """\
pipeline:
  barriers: [x]
  stages:
    - parallel:
        stages:
          - {id: a, steps: [{id: pa, barrier: {name: x}}]}
          - group:
              stages:
                - {id: b, steps: [{id: pb, barrier: {name: x}}]}
                - {id: c, steps: [{id: pc, barrier: {name: x}}]}
"""
    document = one(text)
    o = Facts(document).ordering.order
    p = {q.identifier.value: q for q in document.pipeline.positions}
    assert (o(p["pa"], p["pb"]), o(p["pa"], p["pc"]), o(p["pb"], p["pc"])) == (0, 0, -1)


def test_a_chain_does_not_silence_single_participant_since_v1_chains_carry_no_barriers():
    text = """\
pipeline:
  barriers: [x]
  stages:
    - {id: a, steps: [{barrier: {name: x}}]}
    - {id: child, chain: {uses: o/p/child}}
"""
    assert findings(text) == [("BL202", 4, 40)]


def test_rules_that_do_not_apply_to_v1_stay_silent():
    # `<+input>` is BL102 in v1, never BL103; v1 stages carry no type (BL302) and no multi-service
    # deployment (BL208).
    text = """\
pipeline:
  barriers: [x]
  stages:
    - parallel:
        stages:
          - {id: a, type: CI, steps: [{barrier: {name: "<+input>.default(x)"}}, {barrier: {name: x}}]}
          - {id: b, steps: [{barrier: {name: x}}]}
"""
    assert findings(text) == [("BL102", 6, 56)]


def test_a_v1_template_read_alone_takes_its_inputs_as_parameters():
    # `${{ inputs.gate }}` is what each use fills in: not a mistake in the template file. Any other
    # expression still is, and so is a literal reused in one scope.
    text = """\
template:
  inputs: {gate: {type: string}}
  stage:
    steps:
      - barrier: {name: "${{ inputs.gate }}"}
      - barrier: {name: <+pipeline.variables.gate>}
      - barrier: {name: fixed}
      - barrier: {name: fixed}
"""
    assert findings(text) == [("BL102", 6, 25), ("BL201", 8, 25)]  # one mistake, one finding (rules.md)
    # The same reference in a v1 pipeline is an expression: BL102.
    assert findings("pipeline:\n  barriers: [a]\n  stages:\n    - {id: s, steps: [{barrier: {name: '${{ inputs.gate }}'}}]}\n") == [
        ("BL102", 4, 40),
    ]


def test_an_if_on_a_stage_group_can_skip_the_stages_inside():
    text = """\
pipeline:
  barriers: [x]
  stages:
    - parallel:
        stages:
          - {id: a, steps: [{barrier: {name: x}}]}
          - if: ${{ inputs.full }}
            group:
              stages:
                - {id: b, steps: [{barrier: {name: x}}]}
"""
    assert findings(text) == [("BL206", 10, 52)]


@pytest.mark.parametrize(
    "text",
    [
        "pipeline:\n  barriers: 5\n  stages: [5, {parallel: {stages: 3}}, {group: {stages: [7]}}]\n",
        "pipeline:\n  id: p\n  stages: [{id: x, steps: 5, rollback: [5, {barrier: 5}, {barrier: {name: [a]}}], needs: {a: 1}}]\n",
        "pipeline:\n  id: p\n  stages: [{id: x, strategy: 5, if: [1], steps: [{group: 5}, {parallel: [1]}, {template: 5}]}]\n",
        "pipeline:\n  id: p\n  stages: [{id: x, strategy: {matrix: {}, max-parallel: [2]}, steps: [{barrier: {name: ''}, timeout: [1]}]}]\n",
        "pipeline:\n  id: p\n  stages: [{template: {uses: [x]}}, {chain: 5}, {chain: {uses: {a: b}}}]\n",
        "template:\n  stage: {steps: 5}\n", "template:\n  step: {group: {steps: [{barrier: {}}]}}\n",
        "template:\n  pipeline: {stages: [{parallel: {stages: [{id: a}]}}]}\n",
        "pipeline:\n  barriers: &b [a, *b]\n",
    ],
)
def test_unexpected_v1_shapes_do_not_crash(text):
    findings(text, assume_harness=True)
