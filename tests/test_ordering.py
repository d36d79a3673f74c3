"""The "must finish before" relation: Harness's own semantics, and the one-sweep computation that the
rules use agreeing with the pairwise definition on generated and real pipelines."""

from __future__ import annotations

import random

import pytest

from barrier_lint.analysis import Facts, order
from barrier_lint.parse import parse

from .conftest import CORPUS, FIXTURES


def positions_by_id(text):
    [document] = parse(text).documents
    facts = Facts(document)
    return facts, {p.identifier.value: p for p in document.pipeline.positions}


def step(ident, ref):
    return f"{{step: {{type: Barrier, identifier: {ident}, spec: {{barrierRef: {ref}}}}}}}"


def stage(ident, steps, extra=""):
    return f"{{stage: {{identifier: {ident}, type: Custom, {extra}spec: {{execution: {{steps: [{', '.join(steps)}]}}}}}}}}"


def test_steps_in_sequence_and_in_parallel():
    text = "pipeline:\n  stages:\n    - " + stage(
        "s", [step("a", "x"), f"{{parallel: [{step('b', 'x')}, {step('c', 'x')}]}}", step("d", "x")]
    )
    facts, p = positions_by_id(text)
    o = facts.ordering.order
    assert (o(p["a"], p["b"]), o(p["b"], p["c"]), o(p["c"], p["d"]), o(p["d"], p["a"])) == (-1, 0, -1, 1)


def test_rollback_runs_after_the_normal_flow_whatever_the_order_in_the_file():
    text = (
        "pipeline:\n  stages:\n    - {stage: {identifier: s, type: Custom, spec: {execution: {"
        f"rollbackSteps: [{step('r', 'x')}], steps: [{step('n', 'x')}]}}}}}}}}\n"
    )
    facts, p = positions_by_id(text)
    assert facts.ordering.order(p["n"], p["r"]) == -1
    assert list(facts.rollback_pairs) == [p["r"]]
    assert facts.sequential_pairs == {}


def test_provisioner_steps_run_before_execution_steps():
    # Harness compares list segments only and sees two `steps[0]`; the keys tell them apart.
    text = (
        "pipeline:\n  stages:\n    - {stage: {identifier: s, type: Deployment, spec: {"
        f"environment: {{provisioner: {{steps: [{step('prov', 'x')}]}}}}, execution: {{steps: [{step('exec', 'x')}]}}}}}}}}\n"
    )
    facts, p = positions_by_id(text)
    assert facts.ordering.order(p["prov"], p["exec"]) == -1


def test_dag_stages_are_ordered_by_depends_on_only():
    stages = [
        stage("root", [step("r", "x")], "dependsOn: [], "),
        stage("left", [step("l", "x")], "dependsOn: [root], "),
        stage("right", [step("rt", "x")], "dependsOn: [], "),
        stage("leaf", [step("lf", "x")], "dependsOn: [left, right], "),
    ]
    text = "pipeline:\n  stages:\n" + "".join(f"    - {s}\n" for s in stages)
    facts, p = positions_by_id(text)
    o = facts.ordering.order
    assert o(p["r"], p["l"]) == -1  # direct dependency
    assert o(p["r"], p["lf"]) == -1  # transitive
    assert o(p["l"], p["rt"]) == 0  # no path between them: concurrent, though `right` comes later in the file
    assert o(p["lf"], p["rt"]) == 1


# ----------------------------------------------------------------------------------------- equivalence


def brute_force(facts):
    ancestors = facts.ordering.ancestors
    positions = [p for p in facts.pipeline.positions if p.literal is not None]
    later, edges = {}, set()
    for p in positions:
        for q in positions:
            if p is q or order(p, q, ancestors) != -1:
                continue
            if p.literal == q.literal:
                later.setdefault(q, set()).add(p)
            else:
                edges.add((p.literal, q.literal))
    return later, edges


def assert_sweep_matches_pairs(text):
    for document in parse(text).documents:
        if document.pipeline is None:
            continue
        facts = Facts(document)
        later, edges = brute_force(facts)
        sweep = facts.ordering
        assert set(sweep.earlier_same_ref) == set(later)
        for q, earlier in sweep.earlier_same_ref.items():
            assert set(earlier) <= later[q]
        assert set(sweep.edges) == edges
        for (x, y), (p, q) in sweep.edges.items():
            assert (p.literal, q.literal) == (x, y) and order(p, q, sweep.ancestors) == -1


def random_steps(rng, depth, counter):
    items = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.random()
        counter[0] += 1
        n = counter[0]
        if depth > 0 and kind < 0.2:
            items.append(f"{{parallel: [{', '.join(random_steps(rng, depth - 1, counter))}]}}")
        elif depth > 0 and kind < 0.4:
            items.append(f"{{stepGroup: {{identifier: g{n}, steps: [{', '.join(random_steps(rng, depth - 1, counter))}]}}}}")
        else:
            items.append(step(f"s{n}", rng.choice("xyzw")))
    return items


def random_pipeline(rng):
    counter = [0]
    dag = rng.random() < 0.3
    entries, names = [], []
    for i in range(rng.randint(1, 4)):
        def one_stage(name):
            deps = ""
            if dag:
                deps = f"dependsOn: [{', '.join(rng.sample(names, k=min(len(names), rng.randint(0, 2))))}], "
            names.append(name)
            body = f"steps: [{', '.join(random_steps(rng, 2, counter))}]"
            if rng.random() < 0.3:
                body += f", rollbackSteps: [{', '.join(random_steps(rng, 1, counter))}]"
            return f"{{stage: {{identifier: {name}, type: Custom, {deps}spec: {{execution: {{{body}}}}}}}}}"

        if rng.random() < 0.4:
            entries.append(f"{{parallel: [{one_stage(f'p{i}a')}, {one_stage(f'p{i}b')}]}}")
        else:
            entries.append(one_stage(f"st{i}"))
    return "pipeline:\n  identifier: p\n  stages:\n" + "".join(f"    - {e}\n" for e in entries)


@pytest.mark.parametrize("seed", range(150))
def test_sweep_matches_pairwise_relation_on_generated_pipelines(seed):
    assert_sweep_matches_pairs(random_pipeline(random.Random(seed)))


REAL = sorted(CORPUS.glob("*.y*ml")) if CORPUS.is_dir() else []
FIXTURE_FILES = sorted(FIXTURES.glob("*/*.yaml"))


@pytest.mark.parametrize("path", FIXTURE_FILES + REAL, ids=lambda p: p.name)
def test_sweep_matches_pairwise_relation_on_real_files(path):
    assert_sweep_matches_pairs(path.read_text(encoding="utf-8-sig"))
