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


def _steps(ident, *steps, rollback=()):
    def entry(i, ref):
        return "{step: {type: Barrier, identifier: " + f"{ident}{i}" + ", spec: {barrierRef: " + ref + "}}}"

    body = "steps: [" + ", ".join(entry(i, r) for i, r in enumerate(steps)) + "]"
    if rollback:
        body += ", rollbackSteps: [" + ", ".join(entry(10 + i, r) for i, r in enumerate(rollback)) + "]"
    return "    - stage: {identifier: " + ident + ", type: Custom, spec: {execution: {" + body + "}}}\n"


def test_sequential_reuse_in_one_stage_is_one_scope_duplicate_only():
    # rules.md: BL203 leaves the pairs of one stage or step group to BL201 (one mistake, one finding).
    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + _steps("a", "x", "x")
    assert findings(text) == [("BL201", 5, 193)]


def test_rollback_reuse_is_one_rollback_cycle_only():
    # rules.md: BL201 leaves the normal-flow/rollback pair of one stage to BL204.
    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + _steps("a", "x", rollback=["x"]) + _steps("b", "x")
    assert findings(text) == [("BL204", 5, 211), ("BL203", 6, 129)]


def test_two_mistakes_on_one_step_are_two_findings():
    # Each finding is about a pair: the second step of stage b repeats the barrier of its own stage (BL201) and
    # also comes after stage a's use (BL203, a different pair). The second rollback step repeats the first
    # (BL201), comes after stage a (BL203) and pairs with the normal flow (BL204): three pairs, three findings.
    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + _steps("a", "x") + _steps("b", "x", "x", rollback=["x", "x"])
    assert findings(text) == [
        ("BL203", 6, 129), ("BL201", 6, 193), ("BL203", 6, 193), ("BL203", 6, 275), ("BL204", 6, 275),
        ("BL201", 6, 340), ("BL203", 6, 340), ("BL204", 6, 340),
    ]


def test_approval_stage_is_a_warning_and_ci_stage_an_error():
    from barrier_lint import lint

    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + "    - parallel:\n" + "  " + stage("a", stage_type="Approval") + "  " + stage("b", stage_type="CI")
    assert [(d.code, d.severity.value, d.span.start_line + 1) for d in lint(text)] == [
        ("BL302", "warning", 6), ("BL302", "error", 7)
    ]


def test_runtime_input_modifiers_from_the_schema_count_as_runtime_input():
    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + stage("a", ref="<+input>.executionInput()") + stage("b")
    assert findings(text) == [("BL103", 5, 128)]


def test_looping_max_concurrency_names_the_line_of_its_related_location():
    from barrier_lint import lint

    text = HEAD.replace(", {name: Unused, identifier: unused}", "") + """\
    - stage:
        identifier: a
        type: Custom
        strategy: {repeat: {times: 3, maxConcurrency: 1}}
        spec:
          execution:
            steps:
              - step:
                  type: Barrier
                  identifier: w
                  spec:
                    barrierRef: x
"""
    (finding,) = [d for d in lint(text) if d.code == "BL207"]
    (note,) = finding.related
    assert note.span.start_line + 1 == 16
    assert "contains a Barrier step (line 16)" in finding.message
