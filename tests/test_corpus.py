"""The real-world corpus in ../shared (read in place; skipped where it is absent): no crash, no BL000, and
Harness's own verdict on every v0 BarrierCycleValidatorTest conformance case."""

from __future__ import annotations

import pytest

from barrier_lint import lint
from barrier_lint.analysis import Facts
from barrier_lint.model import DocumentKind
from barrier_lint.parse import parse

from .conftest import CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus/real is not here")

FILES = sorted(CORPUS.glob("*.y*ml")) if CORPUS.is_dir() else []
CONFORMANCE = [p for p in FILES if "__BarrierCycleValidatorTest__" in p.name]


def codes_at(path):
    return [(d.code, d.span.start_line + 1, d.span.start_col + 1) for d in lint(path.read_text(encoding="utf-8-sig"), assume_harness=True)]


def test_the_corpus_is_there():
    assert len(FILES) >= 90 and len(CONFORMANCE) >= 25


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_real_file_reads_without_bl000(path):
    assert [f for f in codes_at(path) if f[0] == "BL000"] == []


@pytest.mark.parametrize("path", [p for p in CONFORMANCE if "_V1_" not in p.name], ids=lambda p: p.name.split("__")[-1])
def test_harness_cycle_verdicts_match(path):
    codes = {code for code, _, _ in codes_at(path)}
    if path.stem.endswith("ShouldDetectCycle"):
        # A sequential reuse inside one stage or step group is Harness's cycle too, reported once as BL201.
        assert codes & {"BL201", "BL203", "BL204"}
    else:
        assert path.stem.endswith(("ShouldNotDetectCycle", "ShouldNoDetectCycle"))
        assert not codes & {"BL203", "BL204"}


# The v1 cases (17-25), each pinned: Harness's verdict, read from Harness's own relation (a pair of positions
# with one reference where one must finish before the other), and the exact findings. v1 has no `<+input>`
# barrier, so case 19's `<+input>` is BL102; cases 17-19 declare nothing, so their references are BL101.
# Cases 23 and 24 reuse `bar1` inside one `parallel` of one stage: Harness passes that, BL201 (the docs'
# "unique in a stage") does not. A sequential pair in one scope is BL201 alone, and a normal-flow/rollback
# pair BL204 alone (rules.md: one mistake, one finding).
V1_CASES = {
    "17_V1_testSequentialBarriersSameRef_ShouldDetectCycle": [
        ("BL101", 8, 19), ("BL101", 12, 19), ("BL201", 12, 19),
    ],
    "18_V1_testBarriersSameRefInRollback_ShouldDetectCycle": [
        ("BL101", 8, 19), ("BL101", 18, 19), ("BL204", 18, 19),
    ],
    "19_V1_testSequentialStagesWithExpression_ShouldNoDetectCycle": [("BL101", 12, 25), ("BL102", 19, 25)],
    "20_V1_testParallelStageGroup_ShouldNoDetectCycle": [],
    "21_V1_testParallelStageGroupWithSequential_ShouldDetectCycle": [("BL203", 38, 25), ("BL203", 46, 25)],
    "22_V1_testParallelStageGroupWithSequentialStep_ShouldDetectCycle": [
        ("BL201", 29, 31), ("BL201", 34, 31),
    ],
    "23_V1_testParallelStageGroupWithParallelStep_ShouldNoDetectCycle": [("BL201", 29, 31)],
    "24_V1_testParallelStageGroupWithParallelStepGroupAndGroup_ShouldNoDetectCycle": [("BL201", 29, 31)],
    "25_V1_testParallelStageGroupWithParallelStepGroupAndSequentialGroup_ShouldDetectCycle": [
        ("BL201", 29, 31), ("BL201", 42, 38),
    ],
}


def test_every_v1_case_is_pinned():
    assert sorted(p.stem.split("__")[-1] for p in CONFORMANCE if "_V1_" in p.name) == sorted(V1_CASES)


@pytest.mark.parametrize("case, expected", V1_CASES.items(), ids=list(V1_CASES))
def test_v1_cases_get_harness_verdict(case, expected):
    [path] = [p for p in CONFORMANCE if p.stem.endswith("__" + case)]
    [document] = parse(path.read_text(encoding="utf-8")).documents
    assert document.kind is DocumentKind.V1_PIPELINE
    deadlock = any(Facts(document).ordering.earlier_same_ref.values())
    assert deadlock == case.endswith("ShouldDetectCycle")
    assert codes_at(path) == expected


# A few real files pinned exactly: what the corpus manifest says is wrong with them.
PINNED = {
    "harness-core__barriers_incorrect.yaml": [
        ("BL105", 10, 21), ("BL202", 53, 39), ("BL202", 66, 35), ("BL101", 109, 35),
    ],
    "harness-core__barriers.yaml": [("BL105", 10, 21), ("BL202", 68, 35), ("BL203", 112, 35)],
    "harness-core-ui__PipelineWithFlowControl.yaml": [("BL203", 154, 49)],
    "devhub__barriers__rollback_cycle_antipattern_snippet.yaml": [("BL204", 18, 37), ("BL107", 30, 21)],
    "rssnyder__multi_service_inline_parallel_barrier.yaml": [],
    "devhub__synchronize-deployments-using-barriers__matrix_example.yaml": [],
    "harness-services__BarrierCycleValidatorTest__30_testDagPipelineWithBarrierRefUsedAsAncestor_ShouldDetectCycle.yaml": [
        ("BL203", 141, 33)
    ],
}


@pytest.mark.parametrize("name, expected", PINNED.items(), ids=list(PINNED))
def test_pinned_real_findings(name, expected):
    assert codes_at(CORPUS / name) == expected


# -- the corpus as one workspace ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_workspace():
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus/real is not here")
    from barrier_lint.workspace import Workspace

    workspace = Workspace(str(CORPUS))
    for path in sorted(CORPUS.glob("*.y*ml")):
        workspace.put(path.name, path.read_text(encoding="utf-8"))
    return workspace


def test_the_corpus_resolved_as_one_workspace_adds_only_unresolved_template_notes(corpus_workspace):
    """Resolving against the workspace reads every real file without a crash or a BL000, and changes no
    finding of the single-file run: what it adds is BL108 on the uses whose template is not in the corpus."""
    from barrier_lint import lint

    for name in sorted(corpus_workspace.index.files):
        alone = [(d.code, d.span) for d in lint((CORPUS / name).read_text(encoding="utf-8"))]
        resolved = [(d.code, d.span) for d in corpus_workspace.lint(name)]
        assert "BL000" not in {code for code, _ in resolved}, name
        assert [f for f in resolved if f[0] != "BL108"] == alone, name


def test_corpus_template_with_a_matching_id_in_another_project_is_not_resolved(corpus_workspace):
    # devhub's Barrier_Demo template is in project "default"; the pipelines that use it are in "PM_Signoff",
    # so Harness would not resolve it either, and the message says where it looked.
    [bl108] = [d for d in corpus_workspace.lint("devhub__sync-pipelines-with-barriers__pipeline_A.yaml") if d.code == "BL108"]
    assert (bl108.span.start_line + 1, bl108.span.start_col + 1) == (12, 24)
    assert "at project scope in org 'default', project 'PM_Signoff'" in bl108.message


def test_corpus_chained_pipeline_and_input_sets_read_without_false_alarms(corpus_workspace):
    name = "harness-core__barriers_with_pipeline_stage.yaml"
    # its child is not in the corpus: the chain stays unresolved and nothing is reported beyond the
    # single-file run (the parent declares somebarrier1, which only the child could use)
    assert [d.code for d in corpus_workspace.lint(name)] == []
    assert "child pipeline child_pipeline not found" in corpus_workspace.describe(name)
    for input_set in ("harness-core__inputSet3.yml", "harness-core__inputSetTest.yaml", "harness-core__overlayInputSet.yml",
                      "rssnyder__multi_service_inputset.yaml"):
        assert corpus_workspace.lint(input_set) == [], input_set
