"""The "must finish before" relation: Harness's own semantics, and the one-sweep computation that the
rules use agreeing with the pairwise definition on generated and real pipelines."""

from __future__ import annotations

import random
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from barrier_lint import analysis, crossings
from barrier_lint.analysis import Facts, order, pairwise_cycle
from barrier_lint.parse import parse

from .conftest import CORPUS, FIXTURES
from .fuzz_strategies import harness_pipelines


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


def test_stages_of_a_dependency_cycle_are_unordered_and_never_sequential_with_themselves():
    stages = [
        stage("loop", [step("l1", "x"), step("l2", "y")], "dependsOn: [loop], "),  # depends on itself
        stage("a", [step("a1", "x")], "dependsOn: [b, root], "),
        stage("b", [step("b1", "x")], "dependsOn: [a], "),
        stage("root", [step("r", "x")], "dependsOn: [], "),
        stage("after", [step("af", "x")], "dependsOn: [a], "),
    ]
    text = "pipeline:\n  stages:\n" + "".join(f"    - {s}\n" for s in stages)
    facts, p = positions_by_id(text)
    o = facts.ordering.order
    assert (o(p["a1"], p["b1"]), o(p["b1"], p["a1"])) == (0, 0)  # the cycle: unordered
    assert (o(p["r"], p["a1"]), o(p["r"], p["b1"]), o(p["a1"], p["af"]), o(p["b1"], p["af"])) == (-1, -1, -1, -1)
    assert o(p["l1"], p["l2"]) == -1  # inside one stage, steps still run one after the other
    # Before: each of loop's steps was its own earlier participant, and BL203 related a step to itself.
    assert all(q not in earlier for q, earlier in facts.ordering.earlier_same_ref.items())
    # af's ancestors a, b and root all use x: the first of them in document order (a1) is its earlier one.
    assert sorted((q.identifier.value, sorted(e.identifier.value for e in earlier))
                  for q, earlier in facts.sequential_pairs.items()) == [("a1", ["r"]), ("af", ["a1"]), ("b1", ["r"])]
    assert_sweep_matches_pairs(text)


def test_v1_needs_cycles_are_bl209_too():
    from barrier_lint import lint

    text = (
        "pipeline:\n  id: p\n  barriers: [x]\n  stages:\n"
        "    - id: a\n      needs: [b]\n      steps: [{barrier: {name: x}}]\n"
        "    - id: b\n      needs: a\n      steps: [{barrier: {name: x}}]\n"
    )
    assert [(d.code, d.span.start_line + 1, d.span.start_col + 1, d.message) for d in lint(text) if d.code != "BL202"] == [
        ("BL209", 9, 14, "the needs of stages b -> a -> b form a cycle: each waits for another of them to finish, "
                         "so none of them ever starts"),
    ]


# ----------------------------------------------------------------------------------------- equivalence


def brute_force(facts):
    ancestors = analysis._dag_ancestors(facts.pipeline)
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


def reachable(edges):
    """Transitive closure of a set of (x, y) edges."""
    graph = {}
    for x, y in edges:
        graph.setdefault(x, set()).add(y)
    closure = set()
    for start in graph:
        stack, seen = list(graph[start]), set()
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(graph.get(node, ()))
        closure |= {(start, node) for node in seen}
    return closure


def assert_sweep_matches_pairs(text):
    for document in parse(text).documents:
        if document.pipeline is None:
            continue
        facts = Facts(document)
        later, edges = brute_force(facts)
        sweep = facts.ordering
        ancestors = analysis._dag_ancestors(document.pipeline)
        assert {name: sweep.ancestors.get(name) for name in ancestors} == ancestors
        assert set(sweep.earlier_same_ref) == set(later)
        for q, earlier in sweep.earlier_same_ref.items():
            assert set(earlier) <= later[q]
        assert sweep.earlier_same_ref == reference_earlier_same_ref(analysis.Ordering(document.pipeline))
        # The sweep's links go through nodes that are not references (a sequence node per boundary, the
        # gates, the dependsOn graph), linear in number, and reach exactly what the full relation reaches.
        assert refs_reached(sweep) == {(x, y) for x, y in reachable(edges) if x != y}


def refs_reached(ordering):
    """Which reference reaches which other one through the ordering's edges and its links through the
    dependsOn graph (a reference in two stages, one after the other, reaches itself there: that is BL203's,
    and no cycle of BL205)."""
    closure = reachable(set(ordering.links))
    return {(x, y) for x, y in closure if isinstance(x, str) and isinstance(y, str) and x != y}


def reference_earlier_same_ref(ordering):
    """`earlier_same_ref` by definition: the sweep's positions (along the paths), then for a position q in
    a DAG stage the first position in document order, with q's reference, in a stage that q's stage depends
    on (`_dag_ancestors`), found by comparing every position."""
    ancestors = analysis._dag_ancestors(ordering.pipeline)
    out = {q: list(earlier) for q, earlier in ordering._earlier.items()}
    for q in ordering.positions:
        b = ordering.stage_name.get(q)
        if b is None:
            continue
        first = next((p for p in ordering.positions if p.literal == q.literal and ordering.stage_name.get(p) not in (None, b)
                      and ordering.stage_name[p] in ancestors.get(b, ())), None)
        if first is not None:
            out.setdefault(q, []).append(first)
    return out


def random_steps(rng, depth, counter, refs="xyzw", most=3, nested=0.2, rollback=False):
    """1 to `most` steps of `refs`, with `parallel` blocks and step groups (with rollback steps when
    `rollback`) nested `depth` deep."""
    items = []
    for _ in range(rng.randint(1, most)):
        kind = rng.random()
        counter[0] += 1
        n = counter[0]

        def inner():
            return ", ".join(random_steps(rng, depth - 1, counter, refs, most, nested, rollback))

        if depth > 0 and kind < nested:
            items.append(f"{{parallel: [{inner()}]}}")
        elif depth > 0 and kind < 2 * nested:
            steps = inner()
            extra = f", rollbackSteps: [{inner()}]" if rollback and rng.random() < 0.3 else ""
            items.append(f"{{stepGroup: {{identifier: g{n}, steps: [{steps}]{extra}}}}}")
        else:
            items.append(step(f"s{n}", rng.choice(refs)))
    return items


def random_pipeline(rng):
    counter = [0]
    dag = rng.random() < 0.3
    entries, names = [], []
    for i in range(rng.randint(1, 4)):
        def one_stage(name):
            deps = ""
            if dag and rng.random() < 0.8:  # a DAG pipeline may hold stages without dependsOn too
                # Earlier stages, sometimes itself or a later one: cycles (BL209) included.
                pool = names + [name] + [f"st{i + 1}", f"p{i + 1}a"] * (rng.random() < 0.2)
                deps = f"dependsOn: [{', '.join(rng.sample(pool, k=min(len(pool), rng.randint(0, 2))))}], "
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


@pytest.mark.parametrize("seed", range(300))
def test_sweep_matches_pairwise_relation_on_generated_pipelines(seed):
    assert_sweep_matches_pairs(random_pipeline(random.Random(seed)))


REAL = sorted(CORPUS.glob("*.y*ml")) if CORPUS.is_dir() else []
FIXTURE_FILES = sorted(FIXTURES.glob("*/*.yaml"))


@pytest.mark.parametrize("path", FIXTURE_FILES + REAL, ids=lambda p: p.name)
def test_sweep_matches_pairwise_relation_on_real_files(path):
    assert_sweep_matches_pairs(path.read_text(encoding="utf-8-sig"))


def test_reachability_survives_unrelated_dag_stages_between_plain_ones():
    # x (DAG stage a) and y (DAG stage b, unrelated to a) both come before z (a stage without dependsOn,
    # compared by position): x -> z must be known although no chain of consecutive branches carries it.
    stages = [
        stage("a", [step("pa", "x")], "dependsOn: [], "),
        stage("b", [step("pb", "y")], "dependsOn: [], "),
        stage("c", [step("pc", "z")]),
    ]
    text = "pipeline:\n  stages:\n" + "".join(f"    - {s}\n" for s in stages)
    facts, _ = positions_by_id(text)
    assert ("x", "z") in refs_reached(facts.ordering)
    assert_sweep_matches_pairs(text)


def test_crossed_orders_across_sequential_stages_of_parallel_branches():
    # Two stages run together and take x and y in opposite orders: each waits for the other.
    text = (
        "pipeline:\n  flowControl: {barriers: [{name: x, identifier: x}, {name: y, identifier: y}]}\n  stages:\n"
        "    - {parallel: [" + stage("two", [step("b1", "y"), step("b2", "x")]) + ", "
        + stage("one", [step("a1", "x"), step("a2", "y")]) + "]}\n"
    )
    facts, p = positions_by_id(text)
    [cycle] = facts.crossed_cycles
    assert {(a.identifier.value, b.identifier.value) for a, b in cycle} == {("b1", "b2"), ("a1", "a2")}


# BL205's witness search: the interval search (`_CycleSearch`) against the pairwise definition.


def pairwise_cycles(ordering):
    """`Ordering.cycles()` with every group searched by comparing each pair of its positions."""
    ancestors = analysis._dag_ancestors(ordering.pipeline)
    with mock.patch.object(
        crossings._CycleSearch, "cycle", lambda self, positions, members: pairwise_cycle(positions, members, ancestors)
    ):
        return ordering.cycles()


def assert_cycles_match_pairwise(text) -> int:
    """The same cycles and witnesses both ways, for the document's ordering and for each reference left
    out; returns how many cycles were compared (so a generator that finds none is noticed)."""
    compared = 0
    for document in parse(text).documents:
        if document.pipeline is None:
            continue
        facts = Facts(document)
        literals = sorted({p.literal for p in document.pipeline.positions if p.literal is not None})
        for exclude in [frozenset(), *(frozenset({x}) for x in literals[:2])]:
            ordering = analysis.Ordering(document.pipeline, exclude) if exclude else facts.ordering
            fast = ordering.cycles()
            assert fast == pairwise_cycles(ordering)
            compared += len(fast)
    return compared


def crossing_steps(rng, depth, counter, refs):
    return random_steps(rng, depth, counter, refs, most=4, nested=0.15, rollback=True)


def crossing_pipeline(rng):
    """Parallel branches taking a few references in random orders (so most pipelines cross), with step
    groups, nested `parallel`, rollback steps written before or after the steps, provisioner steps, and
    sometimes one DAG stage (whose positions are still compared by path)."""
    counter, refs = [0], "xyzwv"[: rng.randint(2, 5)]
    entries = []
    for i in range(rng.randint(1, 3)):
        def one_stage(name, deps=""):
            keys = [f"steps: [{', '.join(crossing_steps(rng, 2, counter, refs))}]"]
            if rng.random() < 0.3:
                keys.append(f"rollbackSteps: [{', '.join(crossing_steps(rng, 1, counter, refs))}]")
            rng.shuffle(keys)
            spec = f"execution: {{{', '.join(keys)}}}"
            if rng.random() < 0.2:
                spec = f"environment: {{provisioner: {{steps: [{', '.join(crossing_steps(rng, 1, counter, refs))}]}}}}, " + spec
            return f"{{stage: {{identifier: {name}, type: Deployment, {deps}spec: {{{spec}}}}}}}"

        branches = [one_stage(f"p{i}{b}", "dependsOn: [], " * (i == 0 and b == 0 and rng.random() < 0.2)) for b in range(rng.randint(1, 3))]
        entries.append(f"{{parallel: [{', '.join(branches)}]}}" if len(branches) > 1 else branches[0])
    return "pipeline:\n  identifier: p\n  stages:\n" + "".join(f"    - {e}\n" for e in entries)


def test_cycle_search_matches_pairwise_on_crossing_pipelines():
    compared = sum(assert_cycles_match_pairwise(crossing_pipeline(random.Random(seed))) for seed in range(400))
    assert compared > 300  # most of them cross


def test_cycle_search_matches_pairwise_on_generated_and_real_pipelines():
    for seed in range(300):
        assert_cycles_match_pairwise(random_pipeline(random.Random(seed)))
    for path in FIXTURE_FILES + REAL:
        assert_cycles_match_pairwise(path.read_text(encoding="utf-8-sig"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(harness_pipelines())
def test_cycle_search_matches_pairwise_on_every_construct(text):
    # Templates, `insert`, step groups, anchors and merge keys, chained pipelines, v1, several documents.
    assert_cycles_match_pairwise(text)


def test_cycle_search_is_the_same_whatever_the_branch_order_in_the_file():
    # Rollback steps written first run last: the crossed cycle is x -> y in the normal flow, y -> x through
    # the other branch; the witness in each branch is the later step (`r` in the rollback flow).
    text = (
        "pipeline:\n  stages:\n    - {parallel: ["
        "{stage: {identifier: a, type: Custom, spec: {execution: {"
        f"rollbackSteps: [{step('r', 'y')}], steps: [{step('n', 'x')}]}}}}}}}}, "
        + stage("b", [step("b1", "y"), step("b2", "x")]) + "]}\n"
    )
    facts, _ = positions_by_id(text)
    [cycle] = facts.ordering.cycles()
    assert [(a.identifier.value, b.identifier.value) for a, b in cycle] == [("n", "r"), ("b1", "b2")]
    assert cycle == pairwise_cycles(facts.ordering)[0]


def assert_same_scope_first_matches_pairwise(text) -> int:
    found = 0
    for document in parse(text).documents:
        if document.pipeline is None:
            continue
        facts = Facts(document)
        expected = {}
        for positions in facts.by_ref.values():  # the definition: every earlier position compared
            for i, q in enumerate(positions):
                same = [p for p in positions[:i] if p.scope is q.scope and not analysis.rollback_pair(p, q)]
                if same:
                    expected[q] = same[0]
        assert facts.same_scope_first == expected
        found += len(expected)
    return found


def test_same_scope_first_matches_pairwise_definition():
    found = sum(assert_same_scope_first_matches_pairwise(crossing_pipeline(random.Random(seed))) for seed in range(300))
    for seed in range(300):
        found += assert_same_scope_first_matches_pairwise(random_pipeline(random.Random(seed)))
    assert found > 300


def test_same_scope_first_skips_the_rollback_pair_but_not_a_later_same_flow_use():
    # n in the normal flow, r1 and r2 in the rollback flow of one stage (one scope): r2's BL201 partner
    # is r1, not the first use n (n with r1 or r2 is BL204's); r1 has none.
    text = (
        "pipeline:\n  stages:\n    - {stage: {identifier: s, type: Custom, spec: {execution: {"
        f"steps: [{step('n', 'x')}], rollbackSteps: [{step('r1', 'x')}, {step('r2', 'x')}]}}}}}}}}\n"
    )
    facts, p = positions_by_id(text)
    assert facts.same_scope_first == {p["r2"]: p["r1"]}


# ------------------------------------------------------------------------------- DAG pipelines at scale
# The DAG part of the ordering (`_StageDag`: BL203's earlier positions across stages, the links that give
# BL205 its groups, the cycle search across stages) against the definitions: `_dag_ancestors`, every pair
# of positions compared, `pairwise_cycle`; exact findings of `lint`.


def defined_cycles(ordering):
    """`Ordering.cycles()` by definition: the groups from every pair of positions compared, and each
    group's cycle and witnesses by `pairwise_cycle`."""
    ancestors = analysis._dag_ancestors(ordering.pipeline)
    literals = [(p, p.literal) for p in ordering.positions]
    graph = {}
    for q, y in literals:
        for p, x in literals:
            if x != y and order(p, q, ancestors) == -1:
                graph.setdefault(x, set()).add(y)
    components = analysis._strongly_connected({x: sorted(ys) for x, ys in graph.items()})
    return [pairwise_cycle([(p, x) for p, x in literals if x in members], members, ancestors) for members in components]


def by_definition():
    """The rules' ordering facts from the definitions alone (the sweep's positions along the paths kept)."""
    from contextlib import ExitStack

    stack = ExitStack()
    stack.enter_context(mock.patch.object(analysis.Ordering, "earlier_same_ref", property(reference_earlier_same_ref)))
    stack.enter_context(mock.patch.object(analysis.Ordering, "cycles", defined_cycles))
    return stack


def lint_exactly(text):
    from barrier_lint import lint

    return [(d.code, d.span, d.message, [(r.span, r.message) for r in d.related]) for d in lint(text)]


def assert_lint_matches_definition(text) -> list:
    fast = lint_exactly(text)
    with by_definition():
        assert lint_exactly(text) == fast
    return fast


def dag_step(rng, counter, refs):
    counter[0] += 1
    n = counter[0]
    kind = rng.random()
    if kind < 0.15:
        return f"{{parallel: [{step(f'p{n}a', rng.choice(refs))}, {step(f'p{n}b', rng.choice(refs))}]}}"
    if kind < 0.25:
        return f"{{stepGroup: {{identifier: g{n}, steps: [{step(f'g{n}a', rng.choice(refs))}, {step(f'g{n}b', rng.choice(refs))}]}}}}"
    return step(f"s{n}", rng.choice(refs))


def dag_pipeline(rng):
    """2 to 12 stages, most with `dependsOn` (earlier stages, sometimes itself, a later one or a name no
    stage has: cycles of BL209 included), some without; 0 to 3 Barrier steps each of 2 to 5 references
    (in `parallel`, in step groups, in rollback steps), some stages side by side in `parallel`."""
    counter, refs = [0], "xyzwv"[: rng.randint(2, 5)]
    names = [f"st{i}" for i in range(rng.randint(2, 12))]
    wide = rng.random() < 0.5  # most stages depend on the first two only, so they run side by side and cross
    stages = []
    for i, name in enumerate(names):
        pool = names[: 2 if wide else i][:i] + [name] * (rng.random() < 0.1) + names[i + 1 : i + 2] * (rng.random() < 0.15 - 0.1 * wide)
        pool += ["ghost"] * (rng.random() < 0.05)
        deps = f"dependsOn: [{', '.join(rng.sample(pool, k=min(len(pool), rng.randint(0, 3))))}], " if rng.random() < 0.85 else ""
        count = 0 if wide and i < 2 and rng.random() < 0.9 else rng.randint(0, 3)
        body = f"steps: [{', '.join(dag_step(rng, counter, refs) for _ in range(count))}]"
        if rng.random() < 0.15:
            body += f", rollbackSteps: [{dag_step(rng, counter, refs)}]"
        stages.append(f"{{stage: {{identifier: {name}, type: Custom, {deps}spec: {{execution: {{{body}}}}}}}}}")
    entries, i = [], 0
    while i < len(stages):
        if i + 1 < len(stages) and rng.random() < 0.2:
            entries.append(f"{{parallel: [{stages[i]}, {stages[i + 1]}]}}")
            i += 2
        else:
            entries.append(stages[i])
            i += 1
    declared = ", ".join(f"{{name: {r}, identifier: {r}}}" for r in refs)
    return f"pipeline:\n  identifier: p\n  flowControl: {{barriers: [{declared}]}}\n  stages:\n" + "".join(f"    - {e}\n" for e in entries)


def test_dag_part_matches_the_definitions_on_generated_dag_pipelines():
    codes, cycles = [], 0
    for seed in range(400):
        text = dag_pipeline(random.Random(seed))
        assert_sweep_matches_pairs(text)
        cycles += assert_cycles_match_pairwise(text)
        codes += [code for code, *_ in assert_lint_matches_definition(text)]
    # The generator reaches what it is for: BL203 across stages, crossed orders, dependency cycles.
    assert min(codes.count("BL203"), codes.count("BL209"), cycles) > 100 and codes.count("BL205") > 40


@st.composite
def dag_pipelines(draw):
    refs = draw(st.sampled_from(["xy", "xyz", "xyzw"]))
    count = draw(st.integers(1, 8))
    names = [f"st{i}" for i in range(count)]
    counter = [0]

    def steps():
        out = []
        for _ in range(draw(st.integers(0, 3))):
            counter[0] += 1
            ref = draw(st.sampled_from(refs))
            if draw(st.integers(0, 5)) == 0:
                out.append(f"{{parallel: [{step(f'a{counter[0]}', ref)}, {step(f'b{counter[0]}', draw(st.sampled_from(refs)))}]}}")
            else:
                out.append(step(f"s{counter[0]}", ref))
        return ", ".join(out)

    stages = []
    for name in names:
        deps = ""
        if draw(st.integers(0, 5)):
            chosen = draw(st.lists(st.sampled_from(names + ["ghost"]), max_size=3, unique=True))
            deps = f"dependsOn: [{', '.join(chosen)}], "
        stages.append(f"{{stage: {{identifier: {name}, type: Custom, {deps}spec: {{execution: {{steps: [{steps()}]}}}}}}}}")
    if count > 1 and draw(st.booleans()):
        stages = [f"{{parallel: [{stages[0]}, {stages[1]}]}}", *stages[2:]]
    return "pipeline:\n  identifier: p\n  stages:\n" + "".join(f"    - {s}\n" for s in stages)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dag_pipelines())
def test_dag_part_matches_the_definitions_on_every_dependency_shape(text):
    assert_sweep_matches_pairs(text)
    assert_cycles_match_pairwise(text)
    assert_lint_matches_definition(text)


@pytest.mark.parametrize("shape, n", [("dag_stages", 40), ("dag_wide", 40), ("dag_lattice", 48)])
def test_dag_part_matches_the_definitions_on_the_benchmark_shapes(shape, n):
    import sys

    sys.path.insert(0, str(FIXTURES.parent.parent / "bench"))
    try:
        import bench_scale
    finally:
        sys.path.pop(0)
    found = assert_lint_matches_definition(getattr(bench_scale, shape)(n))
    assert {code for code, *_ in found} >= ({"BL203"} if shape == "dag_stages" else {"BL203", "BL205"})


def test_bl203_across_dag_stages_relates_the_first_earlier_participant_in_document_order():
    # rules.md: "with the earlier one as related information". c depends on b, b on a, and all three use x:
    # listing every earlier participant of every stage is quadratic output on a long chain, so across DAG
    # stages BL203 names the first one in the file among the stages c depends on (b, written first), not
    # all of them (b and a, as it did).
    from barrier_lint import lint

    stages = [
        stage("b", [step("sb", "x")], "dependsOn: [a], "),
        stage("a", [step("sa", "x")], "dependsOn: [], "),
        stage("c", [step("sc", "x")], "dependsOn: [b], "),
    ]
    text = "pipeline:\n  flowControl: {barriers: [{name: x, identifier: x}]}\n  stages:\n" + "".join(f"    - {s}\n" for s in stages)
    found = [(d.code, d.span.start_line + 1, d.message, [(r.span.start_line + 1, r.message) for r in d.related]) for d in lint(text)]
    assert found == [
        ("BL203", 4, ("barrier 'x' is also used at line 5 (stage a), which must finish before this step (stage b) can "
                      "start, so the earlier step waits for this one until its timeout"), [(5, "earlier participant of 'x' (stage a)")]),
        ("BL203", 6, ("barrier 'x' is also used at line 4 (stage b), which must finish before this step (stage c) can "
                      "start, so the earlier step waits for this one until its timeout"), [(4, "earlier participant of 'x' (stage b)")]),
    ]


def test_two_sequential_stages_of_many_barriers_are_ordered_through_one_node_not_every_pair():
    # Every barrier of the first stage is passed before every barrier of the second: n * n facts, held as
    # links through one sequence node per boundary (the steps of a stage are n - 1 boundaries too), so the
    # graph BL205 searches stays linear in size, with the same reachability as every pair.
    def stage(sid, refs):
        steps = "".join(
            f"              - step: {{type: Barrier, name: g{i}, identifier: g{i}, spec: {{barrierRef: {ref}}}}}\n"
            for i, ref in enumerate(refs)
        )
        return (f"    - stage:\n        identifier: {sid}\n        type: Custom\n        spec:\n"
                f"          execution:\n            steps:\n{steps}")

    n = 60
    first, second = [f"a{i}" for i in range(n)], [f"b{i}" for i in range(n)]
    text = "pipeline:\n  identifier: p\n  stages:\n" + stage("one", first) + stage("two", second)
    (document,) = parse(text).documents
    ordering = Facts(document).ordering
    assert len(ordering.links) <= 4 * 2 * n
    reached = refs_reached(ordering)
    assert {(x, y) for x in first for y in second} <= reached
    assert not {(y, x) for x in first for y in second} & reached
    assert ordering.cycles() == []


def one_shared_pipeline(rng):
    """Stages, parallel blocks, step groups and rollback steps (sometimes a DAG stage) where one reference,
    x, may appear several times and the others mostly once: the boundary of `Facts.unordered`."""
    counter, refs = [0], ["x"] * 30 + [f"u{k}" for k in range(45)]
    entries = []
    for i in range(rng.randint(1, 3)):
        def one_stage(name):
            deps = "dependsOn: [], " if rng.random() < 0.1 else ""
            keys = [f"steps: [{', '.join(random_steps(rng, 2, counter, refs, rollback=True))}]"]
            if rng.random() < 0.3:
                keys.append(f"rollbackSteps: [{', '.join(random_steps(rng, 1, counter, refs))}]")
            rng.shuffle(keys)  # rollback steps written first still run last
            return f"{{stage: {{identifier: {name}, type: Custom, {deps}spec: {{execution: {{{', '.join(keys)}}}}}}}}}"

        members = [one_stage(f"p{i}{b}") for b in range(rng.randint(1, 3))]
        entries.append(f"{{parallel: [{', '.join(members)}]}}" if len(members) > 1 else members[0])
    return "pipeline:\n  identifier: p\n  stages:\n" + "".join(f"    - {e}\n" for e in entries)


def assert_unordered_is_what_the_sweep_finds(text) -> tuple[int, int]:
    """When `Facts.unordered` says so, the sweep finds no earlier position with a position's reference and
    no crossed cycle; (how many documents it said so for, how many it left to the sweep)."""
    said = left = 0
    for document in parse(text).documents:
        if document.pipeline is None:
            continue
        facts = Facts(document)
        if facts.unordered:
            said += 1
            assert facts.ordering.earlier_same_ref == {}
            assert facts.ordering.cycles() == []
        else:
            left += 1
    return said, left


def test_unordered_is_what_the_sweep_finds_on_generated_and_real_pipelines():
    said = left = 0
    texts = [one_shared_pipeline(random.Random(seed)) for seed in range(600)]
    texts += [random_pipeline(random.Random(seed)) for seed in range(200)]
    texts += [path.read_text(encoding="utf-8-sig") for path in FIXTURE_FILES + REAL]
    for text in texts:
        s, n = assert_unordered_is_what_the_sweep_finds(text)
        said, left = said + s, left + n
    assert said > 100 and left > 100, (said, left)  # both sides of the boundary are met


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(harness_pipelines())
def test_unordered_is_what_the_sweep_finds_on_every_construct(text):
    assert_unordered_is_what_the_sweep_finds(text)
