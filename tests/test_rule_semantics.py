"""Where the rule catalogue is silent or needed a reading, the reading barrier-lint implements, pinned."""

from __future__ import annotations

from .conftest import findings

HEAD = "pipeline:\n  identifier: p\n  flowControl: {barriers: [{name: X, identifier: x}, {name: Unused, identifier: unused}]}\n  stages:\n"


def stage(ident, ref="x", extra="", stage_type="Custom"):
    step = "{step: {type: Barrier, identifier: w, spec: {barrierRef: " + ref + "}, timeout: 10m}}"
    return (
        "    - stage: {identifier: " + ident + ", type: " + stage_type + ", " + extra
        + "spec: {execution: {steps: [" + step + "]}}}\n"
    )


def test_unused_and_single_participant_fire_on_a_plain_pipeline():
    assert findings(HEAD + stage("a")) == [("BL105", 3, 81), ("BL202", 5, 128)]


def test_a_runtime_input_reference_silences_unused_and_single_participant():
    text = HEAD + stage("a") + stage("b", ref="<+input>")
    assert findings(text) == [("BL103", 6, 128)]


def test_a_stage_template_silences_unused_and_single_participant():
    text = HEAD + stage("a") + "    - stage: {identifier: t, template: {templateRef: shared_stage, versionLabel: v1}}\n"
    assert findings(text) == []


def test_a_child_pipeline_stage_silences_unused_and_single_participant():
    # The child may use `parent.<identifier>`; its steps inside the Pipeline stage's inputs are the child's.
    child = "    - stage: {identifier: c, type: Pipeline, spec: {org: o, project: p, pipeline: child, inputs: {}}}\n"
    assert findings(HEAD + stage("a") + child) == []


def test_parent_references_are_not_checked_against_local_declarations():
    assert findings(HEAD.replace(", {name: Unused, identifier: unused}", "") + stage("a", ref="parent.gate") + stage("b")) == [
        ("BL202", 6, 128)
    ]


def test_status_all_does_not_skip_but_failure_and_conditions_do():
    block = "    - parallel:\n" + "".join("  " + line + "\n" for line in (
        stage("a", extra="when: {pipelineStatus: All}, ").rstrip("\n"),
        stage("b", extra="when: {pipelineStatus: Failure}, ").rstrip("\n"),
        stage("c", extra="when: {pipelineStatus: Success, condition: <+pipeline.variables.go>}, ").rstrip("\n"),
        stage("d", extra="when: {pipelineStatus: Success, condition: 'true'}, ").rstrip("\n"),
    ))
    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + block
    assert [f for f in findings(text)] == [("BL206", 7, 163), ("BL206", 8, 200)]


def test_sequential_reuse_in_one_stage_is_both_a_scope_duplicate_and_a_deadlock():
    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + (
        "    - stage: {identifier: a, type: Custom, spec: {execution: {steps: ["
        "{step: {type: Barrier, identifier: w1, spec: {barrierRef: x}}}, {step: {type: Barrier, identifier: w2, spec: {barrierRef: x}}}]}}}\n"
    )
    assert findings(text) == [("BL201", 5, 193), ("BL203", 5, 193)]


def test_approval_stage_is_a_warning_and_ci_stage_an_error():
    from barrier_lint import lint

    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + "    - parallel:\n" + "  " + stage("a", stage_type="Approval") + "  " + stage("b", stage_type="CI")
    assert [(d.code, d.severity.value, d.span.start_line + 1) for d in lint(text)] == [
        ("BL302", "warning", 6), ("BL302", "error", 7)
    ]


def test_runtime_input_modifiers_from_the_schema_count_as_runtime_input():
    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + stage("a", ref="<+input>.executionInput()") + stage("b")
    assert findings(text) == [("BL103", 5, 128)]
