"""Replayed readings of template uses (`barrier_lint.readers.replay`): a use alike another is copied from the
recording of the first, and the copy is exactly what reading it gives, spans, origins and paths included."""

from __future__ import annotations

import pathlib

import pytest

from barrier_lint.model import Span
from barrier_lint.readers import replay
from barrier_lint.records import fields, is_record
from barrier_lint.workspace import Workspace, display_name
from barrier_lint.workspace.files import read_harness_text, workspace_files

from .test_server_incremental import dump

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOLDERS = sorted(p for p in (ROOT / "tests" / "workspaces").iterdir() if p.is_dir()) + [ROOT / "examples"]


def models(root: str, texts: dict[str, str] | None = None, replaying: bool = True):
    """(every file's model dump, its findings, how many uses were replayed) of a workspace."""
    workspace = Workspace(root)
    if not replaying:
        workspace.resolver.readings = None
    if texts is None:
        texts = {display_name(p): read_harness_text(p) for p in workspace_files(root, None)}
    for name, text in texts.items():
        if text is not None:
            workspace.put(name, text)
    found = {}
    for name in sorted(texts):
        if texts[name] is None:
            continue
        findings = [(d.code, d.span.start_line, d.span.start_col, d.message, repr(d.related)) for d in workspace.lint(name)]
        found[name] = (dump(workspace.read(name).documents), findings)
    return found, (workspace.resolver.readings.replayed if replaying else 0)


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda p: p.name)
def test_every_golden_workspace_reads_the_same_replaying_or_not(folder, monkeypatch):
    monkeypatch.chdir(folder)
    assert models(".")[0] == models(".", replaying=False)[0]


def test_every_key_a_v0_reading_looks_up_is_one_a_signature_keeps_the_values_of(monkeypatch):
    """`READ_KEYS` is what leaves a value out of a use's signature: a key read and missing from it would
    have uses that differ in what the reader reads replayed alike. Every key the v0 reader, the merge and
    the resolver look up while the tests' workspaces, the examples and the corpus are read is in it."""
    import importlib

    from barrier_lint.readers.v0 import Builder

    from .conftest import CORPUS

    merge = importlib.import_module("barrier_lint.workspace.merge")  # (the module: the package exports its `merge`)

    looked_up: set[str] = set()
    get, entry, scalar = Builder.get, Builder.entry, merge._scalar

    def logged_get(self, node, key):
        looked_up.add(key)
        return get(self, node, key)

    def logged_entry(self, node, key):
        looked_up.add(key)
        return entry(self, node, key)

    def logged_scalar(node, key):
        looked_up.add(key)
        return scalar(node, key)

    monkeypatch.setattr(Builder, "get", logged_get)
    monkeypatch.setattr(Builder, "entry", logged_entry)
    monkeypatch.setattr(merge, "_scalar", logged_scalar)
    for folder in [*FOLDERS, *([CORPUS] if CORPUS.is_dir() else [])]:
        monkeypatch.chdir(folder)
        models(".", replaying=False)
    assert {"barrierRef", "templateInputs", "templateRef"} <= looked_up  # (it does log, corpus or not)
    assert looked_up - replay.READ_KEYS == set()


# Words the v0 reading's modules write that are not keys they look up: attribute names, a scope's level.
NOT_KEYS = {"account", "builder", "entry", "outermost", "readings", "via"}


def test_every_key_like_word_of_the_v0_reading_modules_is_a_read_key_or_known_not_to_be_one():
    """The static side of `READ_KEYS`: a key looked up on a path the tests do not reach is still written
    in the code; each such word is either in `READ_KEYS` or said here not to be a key."""
    import ast

    modules = ["readers/v0.py", "readers/__init__.py", "readers/hooks.py", "workspace/merge.py", "workspace/resolver.py"]
    words = set()
    for module in modules:
        for node in ast.walk(ast.parse((ROOT / "barrier_lint" / module).read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isalpha() and node.value[0].islower():
                words.add(node.value)
    assert {"barrierRef", "stageStatus", "templateInputs"} <= words
    assert words - replay.READ_KEYS - NOT_KEYS == set()
    assert NOT_KEYS & replay.READ_KEYS == set()


def test_uses_that_differ_in_values_no_reading_looks_at_are_replayed_alike():
    def lane(name: str, barrier: str, service: str) -> str:  # one use of `gate`, giving a service too
        use = pipeline("x", [(name, barrier)])
        use = use[use.index("    - stage:"):]
        return use.replace("type: Custom\n", f"type: Custom\n            serviceRef: {service}\n")

    head = pipeline("one", [])
    texts = {
        "t/gate.yaml": TEMPLATE,
        # each lane its own service and barrier: all alike but the last, which quotes its barrier
        "p/one.yaml": head + lane("api", "ready", "a") + lane("web", "other", "b") + lane("db", "third", "c")
        + lane("ui", "'fourth'", "d"),
    }
    replayed, count = models("/nowhere", texts)
    assert count == 1  # `db` (`api` is read, `web` read and recorded; `ui` is of another kind)
    assert replayed == models("/nowhere", texts, replaying=False)[0]
    positions = _pipeline(texts, "p/one.yaml").positions
    assert [(p.ref.value, p.ref.quoted, p.ref.span.start_line) for p in positions] == [
        ("ready", False, 25), ("other", False, 42), ("third", False, 59), ("fourth", True, 76)
    ]


def _pipeline(texts: dict[str, str], name: str):
    workspace = Workspace("/nowhere")
    for file, text in texts.items():
        workspace.put(file, text)
    return workspace.read(name).documents[0].pipeline


TEMPLATE = """\
template:
  name: Gate
  identifier: gate
  versionLabel: "1"
  type: Stage
  spec:
    type: Custom
    spec:
      execution:
        steps:
          - step:
              name: Wait
              identifier: wait
              type: Barrier
              spec:
                barrierRef: <+input>
              timeout: 10m
"""


def pipeline(identifier: str, lanes: list[tuple[str, str]], indent: str = "  ") -> str:
    """A pipeline running one use of `gate` per lane (identifier, barrier) in parallel."""
    step = indent * 9 + "    "  # (the fields of `- step:`)
    uses = "".join(
        f"{indent}{indent}- stage:\n"
        f"{indent * 4}name: {lane}\n{indent * 4}identifier: {lane}\n"
        f"{indent * 4}template:\n{indent * 5}templateRef: gate\n{indent * 5}versionLabel: \"1\"\n"
        f"{indent * 5}templateInputs:\n{indent * 6}type: Custom\n{indent * 6}spec:\n{indent * 7}execution:\n"
        f"{indent * 8}steps:\n{indent * 9}- step:\n{step}identifier: wait\n{step}type: Barrier\n"
        f"{step}spec:\n{step}{indent}barrierRef: {barrier}\n"
        for lane, barrier in lanes
    )
    return (
        f"pipeline:\n{indent}name: {identifier}\n{indent}identifier: {identifier}\n{indent}flowControl:\n"
        f"{indent}{indent}barriers:\n{indent}{indent}{indent}- name: ready\n{indent}{indent}{indent}  identifier: ready\n"
        f"{indent}stages:\n{indent}- parallel:\n" + uses
    )


def test_a_use_alike_another_is_replayed_at_its_own_place_with_its_own_identifier():
    texts = {
        "t/gate.yaml": TEMPLATE,
        # the same use thrice in one file (the third is replayed), and in another file at another indentation
        "p/one.yaml": pipeline("one", [("api", "ready"), ("web", "ready"), ("db", "ready")]),
        "p/two.yaml": pipeline("two", [("front", "ready")], indent="    "),
        # another barrier: replayed with its own (`VALUE_HOLES`); one asked for at run time: read, not replayed
        "p/three.yaml": pipeline("three", [("x", "other"), ("y", "<+input>"), ("z", "<+input>")]),
    }
    replayed, count = models("/nowhere", texts)
    read, _ = models("/nowhere", texts, replaying=False)
    assert count == 3  # `db` in one.yaml, `front` in two.yaml, `x` in three.yaml (the first two are read)
    assert replayed == read
    workspace = Workspace("/nowhere")
    for name, text in texts.items():
        workspace.put(name, text)
    workspace.read("p/one.yaml")
    two = workspace.read("p/two.yaml").documents[0].pipeline  # a replay of one.yaml's recording
    (stage,) = two.stages
    (position,) = two.positions
    assert (stage.identifier.value, stage.identifier.span.start_line, stage.identifier.span.start_col) == ("front", 11, 28)
    assert stage.path == (("stages", 0), ("parallel", 0), ("stage", None))
    assert position.stage is stage and position.path[:3] == stage.path
    assert (position.ref.value, position.span.origin.file, position.span.start_line) == ("ready", "t/gate.yaml", 11)
    assert (position.span.origin.via.start_line, position.span.origin.via.start_col) == (13, 33)  # its templateRef
    assert workspace.resolver.readings.replayed == 2


def _kind_of_use(number: int, kind: int) -> str:
    """Pipeline `number`, with one use of `gate` whose inputs name step `wait_<kind>` (a value the reader
    reads: uses that differ in it are of different kinds)."""
    return pipeline(f"p{number}", [("api", "ready")]).replace("identifier: wait", f"identifier: wait_{kind}")


def _first_sight(kinds: list[int]) -> tuple:
    """(uses replayed, kinds of use met in pipelines, of which met again) when the pipelines read in turn each
    run one use of `gate`, of each kind of `kinds` in turn (`_kind_of_use`)."""
    workspace = Workspace("/nowhere")
    workspace.put("t/gate.yaml", TEMPLATE)
    names = [f"p/p{number}.yaml" for number in range(len(kinds))]
    for number, (name, kind) in enumerate(zip(names, kinds)):
        workspace.put(name, _kind_of_use(number, kind))
    for name in names:
        workspace.read(name)
    readings = workspace.resolver.readings
    return readings.replayed, readings.kinds[0], readings.recurring[0]


def test_where_most_kinds_of_use_recur_a_kind_is_recorded_when_first_met():
    first, ratio = replay.FIRST_SIGHT
    assert ratio == 2
    # Each kind in two pipelines in a row: each met again. The first `first - 1` kinds are read twice and
    # recorded at their second sight (the policy waits for `first` kinds); each kind from the `first`-th on
    # is recorded when first met, and replayed next.
    replayed, kinds, recurring = _first_sight([n // 2 for n in range(4 * first)])
    assert (replayed, kinds, recurring) == (first + 1, 2 * first, 2 * first)
    # what a kind recorded when first met makes is what reading it does
    texts = {"t/gate.yaml": TEMPLATE} | {f"p/p{n}.yaml": _kind_of_use(n, n // 2) for n in range(4 * first)}
    assert models("/nowhere", texts)[0] == models("/nowhere", texts, replaying=False)[0]


def test_where_kinds_of_use_do_not_recur_none_is_recorded_when_first_met():
    first = replay.FIRST_SIGHT[0]
    assert _first_sight(list(range(3 * first))) == (0, 3 * first, 0)
    # Fewer than half of the kinds met again: the policy stays off, and each recurring kind is read twice.
    assert _first_sight(list(range(2 * first)) + list(range(first // 2))) == (0, 2 * first, first // 2)


def test_a_changed_template_is_read_again_not_replayed():
    texts = {"t/gate.yaml": TEMPLATE, "p/one.yaml": pipeline("one", [("a", "ready"), ("b", "ready"), ("c", "ready")])}
    workspace = Workspace("/nowhere")
    for name, text in texts.items():
        workspace.put(name, text)
    assert [p.timeout.value for p in workspace.read("p/one.yaml").documents[0].pipeline.positions] == ["10m"] * 3
    workspace.put("t/gate.yaml", TEMPLATE.replace("10m", "20m"))
    assert [p.timeout.value for p in workspace.read("p/one.yaml").documents[0].pipeline.positions] == ["20m"] * 3


def test_a_recording_stands_until_a_template_it_looked_up_changes():
    """An edit of one template leaves the recordings of uses of others standing; editing, adding another
    version of, or removing a template a recording looked up makes the next use alike read (and recorded)
    again, which then gives the new model."""
    other = TEMPLATE.replace("identifier: gate", "identifier: other")
    texts = {
        "t/gate.yaml": TEMPLATE, "t/other.yaml": other,
        "p/one.yaml": pipeline("one", [("a", "ready"), ("b", "ready")]),
        "p/two.yaml": pipeline("two", [("c", "ready")]),
    }
    workspace = Workspace("/nowhere")
    for name, text in texts.items():
        workspace.put(name, text)
    readings = workspace.resolver.readings

    def timeouts(name: str) -> list[str]:
        workspace.put(name, texts[name] + "# again\n")  # read anew, not the model held
        workspace.put(name, texts[name])
        return [p.timeout.value for p in workspace.read(name).documents[0].pipeline.positions]

    assert timeouts("p/one.yaml") == ["10m", "10m"]  # `b` recorded
    assert (timeouts("p/two.yaml"), readings.replayed) == (["10m"], 1)
    workspace.put("t/other.yaml", other.replace("10m", "15m"))  # not looked up by these uses
    assert (timeouts("p/two.yaml"), readings.replayed) == (["10m"], 2)
    workspace.put("t/gate.yaml", TEMPLATE.replace("10m", "20m"))
    assert (timeouts("p/two.yaml"), readings.replayed) == (["20m"], 2)  # read again, and recorded again
    assert (timeouts("p/two.yaml"), readings.replayed) == (["20m"], 3)
    workspace.put("t/gate2.yaml", TEMPLATE.replace('versionLabel: "1"', 'versionLabel: "2"'))  # another version
    assert (timeouts("p/two.yaml"), readings.replayed) == (["20m"], 3)
    workspace.remove("t/gate.yaml")  # now the use names a version no file defines
    workspace.put("p/two.yaml", texts["p/two.yaml"] + "# again\n")
    two = workspace.read("p/two.yaml").documents[0].pipeline
    # (unresolved: BL108's, and the inputs' own Barrier step, as written in the pipeline, is all there is)
    assert [u.problem is not None for u in two.template_uses] == [True]
    assert ([p.span.origin for p in two.positions], readings.replayed) == ([None], 3)


def test_a_use_with_an_alias_or_a_merge_key_is_read_each_time():
    aliased = pipeline("one", [("a", "ready"), ("b", "ready"), ("c", "ready")]).replace(
        "            template:\n", "            template: &use\n", 1
    )
    aliased += "    - stage:\n        name: d\n        identifier: d\n        template: *use\n"
    merged = aliased.replace("template: *use", "template:\n          <<: *use")
    for text in (aliased, merged):
        texts = {"t/gate.yaml": TEMPLATE, "p/one.yaml": text}
        replayed, _ = models("/nowhere", texts)
        assert replayed == models("/nowhere", texts, replaying=False)[0]


def test_uses_alike_but_for_what_their_aliases_name_are_read_each_time():
    """The same text of a use in two files, its inputs an alias: each alias names its own file's anchor, and
    the walk, which follows it, tells the two apart."""
    def aliased(identifier: str, barrier: str) -> str:
        uses = "".join(
            f"        - stage:\n            name: {lane}\n            identifier: {lane}\n            template:\n"
            "              templateRef: gate\n              versionLabel: \"1\"\n              templateInputs: *inputs\n"
            for lane in ("a", "b", "c")
        )
        return (
            f"pipeline:\n  identifier: {identifier}\n  tags: &inputs\n    type: Custom\n"
            f"    spec: {{execution: {{steps: [{{step: {{identifier: wait, type: Barrier, spec: {{barrierRef: {barrier}}}}}}}]}}}}\n"
            "  flowControl:\n    barriers:\n      - {name: ready, identifier: ready}\n  stages:\n    - parallel:\n" + uses
        )

    texts = {"t/gate.yaml": TEMPLATE, "p/one.yaml": aliased("one", "ready"), "p/two.yaml": aliased("two", "other")}
    replayed, _ = models("/nowhere", texts)
    read, _ = models("/nowhere", texts, replaying=False)
    assert replayed == read
    workspace = Workspace("/nowhere")
    for name, text in texts.items():
        workspace.put(name, text)
    assert [p.ref.value for p in workspace.read("p/two.yaml").documents[0].pipeline.positions] == ["other"] * 3


def test_a_replay_copies_only_model_classes_it_knows():
    """Every record class the reader makes for a use is copied (a new class must be added to `COPIED`, or
    it would be shared between the uses' models), but the syntax, which is one object for all."""
    texts = {"t/gate.yaml": TEMPLATE, "p/one.yaml": pipeline("one", [("a", "ready"), ("b", "ready"), ("c", "ready")])}
    workspace = Workspace("/nowhere")
    for name, text in texts.items():
        workspace.put(name, text)
    pipeline_model = workspace.read("p/one.yaml").documents[0].pipeline
    seen: set[type] = set()

    def visit(value) -> None:
        if is_record(value) and not isinstance(value, Span):
            seen.add(type(value))
            for f in fields(value):
                visit(getattr(value, f.name))
        elif isinstance(value, (list, tuple)):
            for item in value:
                visit(item)

    for name in replay.APPENDED:
        visit(getattr(pipeline_model, name))
    assert workspace.resolver.readings.replayed == 1
    assert {kind.__name__ for kind in seen - replay.COPIED} <= {"Syntax", "Text"}


def test_a_span_that_a_text_and_its_element_both_hold_is_one_object_in_a_replay_too():
    """A `Text` is made with its span in one step; another object holding that span gets the same one."""
    from barrier_lint.model import BarrierPosition, Origin, Text
    from barrier_lint.parse import compose
    from barrier_lint.syntax import origin_span, scalar_span

    source = compose(TEMPLATE, "t/gate.yaml").spans
    home = compose("one: gate\ntwo: gate\n", "p/one.yaml")
    ((_, one), (_, two)) = home.documents[0][1].value  # (the uses' `templateRef` values, in the analysed file)
    origin = Origin("t/gate.yaml", scalar_span(one), "template gate@1")
    span = origin_span(source, 220 << 32 | 232, origin)
    position = BarrierPosition(
        type=Text("Barrier", span), ref=Text("ready", origin_span(source, 240 << 32 | 245, origin)), identifier=None,
        name=None, span=span, path=(("stages", 0), ("stage", None)), stage=None, groups=(), rollback=False,
    )
    plan = replay._Plan(home.spans, [one], frozenset(), (("stages", 0),), 0)
    plan.own = {id(position)}
    steps = plan.compile([("positions", [position])])
    ((name, (copy,)),) = steps.run([two], (("stages", 4),), ())
    assert (name, copy.path, copy.type.span is copy.span, copy.span.origin.via) == (
        "positions", (("stages", 4), ("stage", None)), True, scalar_span(two)
    )
    assert (copy.span.start_line, copy.span.start_col, copy.ref.value) == (span.start_line, span.start_col, "ready")


INNER = """\
template:
  name: Inner
  identifier: inner
  versionLabel: "1"
  type: Step
  spec:
    type: Barrier
    spec:
      barrierRef: <+input>
    timeout: 10m
"""
OUTER = """\
template:
  name: Outer
  identifier: outer
  versionLabel: "1"
  type: Stage
  spec:
    type: Custom
    spec:
      execution:
        steps:
          - step:
              name: Wait
              identifier: wait
              template:
                templateRef: inner
                versionLabel: "1"
                templateInputs:
                  type: Barrier
                  spec:
                    barrierRef: <+input>
"""
NESTED = "pipeline:\n  identifier: nested\n  flowControl:\n    barriers:\n      - {name: ready, identifier: ready}\n" + (
    "  stages:\n    - parallel:\n" + "".join(
        f"        - stage:\n            name: {lane}\n            identifier: {lane}\n            template:\n"
        "              templateRef: outer\n              versionLabel: \"1\"\n              templateInputs:\n"
        "                type: Custom\n                spec:\n                  execution:\n                    steps:\n"
        "                      - step:\n                          identifier: wait\n                          template:\n"
        "                            templateInputs:\n                              spec:\n"
        "                                barrierRef: ready\n"
        for lane in ("x", "y", "z")
    )
)


def test_uses_that_differ_in_random_values_read_the_same_replaying_or_not():
    """Uses of `gate`, mostly alike but for the values a replay takes from each (barriers, timeouts, values no
    reading looks at), now and then of a template that fixes its barrier or asks for its timeout, or with a
    barrier or timeout of another kind (quoted, `<+input>`, an expression, a parent's, empty, not a
    duration), in random files: every model and finding is what a workspace that never replays reads."""
    import random

    fixed = TEMPLATE.replace("identifier: gate", "identifier: fixed").replace("barrierRef: <+input>", "barrierRef: b0")
    timed = TEMPLATE.replace("timeout: 10m", "timeout: <+input>").replace("identifier: gate", "identifier: timed")
    odd_barriers = ["'b1'", '"b2"', "<+input>", "<+input>.default(b0)", "<+pipeline.variables.b>", "parent.b0", "''"]
    odd_timeouts = ["'5s'", "<+input>", "soon", "0m", "1h 30m"]
    replays = 0
    for seed in range(30):
        rng = random.Random(seed)

        def use(lane: str) -> str:
            template = "gate" if rng.random() < 0.8 else rng.choice(["fixed", "timed"])
            barrier = rng.choice(["b0", "b1", "b2", "b3"]) if rng.random() < 0.8 else rng.choice(odd_barriers)
            timeout = rng.choice(["10m", "20m", "1h"]) if rng.random() < 0.8 else rng.choice(odd_timeouts)
            text = pipeline("x", [(lane, barrier)])
            text = text[text.index("    - stage:"):].replace("templateRef: gate", f"templateRef: {template}")
            inputs = next(line for line in text.splitlines() if line.endswith("type: Custom"))[: -len("type: Custom")]
            given = f"{inputs}serviceRef: svc_{rng.randint(0, 9)}\n{inputs}environmentRef: env_{rng.randint(0, 9)}\n"
            text = text.replace("type: Custom\n", "type: Custom\n" + given, 1)
            step = next(line for line in text.splitlines() if line.endswith("type: Barrier"))[: -len("type: Barrier")]
            return text.replace("type: Barrier\n", f"type: Barrier\n{step}timeout: {timeout}\n")

        texts = {"t/gate.yaml": TEMPLATE, "t/fixed.yaml": fixed, "t/timed.yaml": timed}
        for number in range(6):
            texts[f"p/p{number}.yaml"] = pipeline(f"p{number}", []) + "".join(use(f"l{k}") for k in range(rng.randint(1, 5)))
        replayed, count = models("/nowhere", texts)
        assert replayed == models("/nowhere", texts, replaying=False)[0], seed
        assert not any(code == "BL000" for _, findings in replayed.values() for code, *_ in findings)
        replays += count
    assert replays > 100  # (most uses were replayed: the values taken from each do not tell them apart)


def test_after_any_sequence_of_template_changes_every_model_is_what_reading_gives():
    """Templates edited, versioned, added and removed in random order, with pipelines re-read between: each
    pipeline's model (and findings) is what a workspace that never replays reads from the same files."""
    import random

    gate2 = TEMPLATE.replace('versionLabel: "1"', 'versionLabel: "2"')
    other = TEMPLATE.replace("identifier: gate", "identifier: other")
    variants = {
        "t/gate.yaml": [TEMPLATE, TEMPLATE.replace("10m", "20m"), TEMPLATE.replace("barrierRef: <+input>", "barrierRef: fixed"), None],
        "t/gate2.yaml": [None, gate2],
        "t/other.yaml": [other, other.replace("10m", "15m"), None],
    }
    variants["t/inner.yaml"] = [INNER, INNER.replace("10m", "25m"), None]
    variants["t/outer.yaml"] = [OUTER, OUTER.replace("name: Wait", "name: Hold")]
    pipelines = {
        "p/nested.yaml": NESTED,
        "p/one.yaml": pipeline("one", [("a", "ready"), ("b", "ready"), ("c", "other")]),
        "p/two.yaml": pipeline("two", [("d", "ready")]).replace("templateRef: gate", "templateRef: other"),
        "p/three.yaml": pipeline("three", [("e", "ready"), ("f", "ready")], indent="    "),
    }
    for seed in range(40):
        rng = random.Random(seed)
        texts = {name: options[0] for name, options in variants.items()} | pipelines
        workspace = Workspace("/nowhere")
        for name, text in texts.items():
            if text is not None:
                workspace.put(name, text)
        for _ in range(8):
            name = rng.choice(sorted(variants))
            texts[name] = rng.choice(variants[name])
            if texts[name] is None:
                if name in workspace:
                    workspace.remove(name)
            else:
                workspace.put(name, texts[name])
            for name in rng.sample(sorted(pipelines), 2):
                workspace.put(name, texts[name] + "# read anew\n")  # (not the model it holds)
                workspace.put(name, texts[name])
            current = {name: text for name, text in texts.items() if text is not None}
            expected, _ = models("/nowhere", current, replaying=False)
            for name in pipelines:
                findings = [(d.code, d.span.start_line, d.span.start_col, d.message, repr(d.related)) for d in workspace.lint(name)]
                assert (dump(workspace.read(name).documents), findings) == expected[name], (seed, name)
        assert workspace.resolver.readings.replayed > 0
