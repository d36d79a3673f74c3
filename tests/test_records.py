"""`barrier_lint.records` stands in for `dataclasses`: the model's classes behave as the dataclasses they were
(equality, hashing, immutability, repr, defaults, copies), which the rules, the cache and the server rely on."""

from __future__ import annotations

import copy
import pickle

import pytest

from barrier_lint.config import Config
from barrier_lint.diagnostics import Diagnostic, Related, Severity
from barrier_lint.model import Origin, Pipeline, Span, Stage, Text
from barrier_lint.records import FrozenInstanceError, field, fields, record, replace


def test_frozen_records_compare_and_hash_by_value_and_refuse_assignment():
    a, b = Span(1, 2, 3, 4), Span(1, 2, 3, 4)
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != Span(1, 2, 3, 5) and a != (1, 2, 3, 4, None)
    assert {a: "x"}[b] == "x"
    with pytest.raises(FrozenInstanceError):
        a.start_line = 9  # type: ignore[misc]
    with pytest.raises(AttributeError):  # FrozenInstanceError is one, as with dataclasses
        del a.end_col
    assert not hasattr(a, "__dict__")  # slots


def test_repr_is_the_dataclass_repr():
    origin = Origin("t.yaml", Span(0, 0, 0, 1), "template t")
    assert repr(Span(0, 1, 2, 3)) == "Span(start_line=0, start_col=1, end_line=2, end_col=3, origin=None)"
    assert repr(Text("v", Span(0, 0, 0, 1, origin))) == (
        "Text(value='v', span=Span(start_line=0, start_col=0, end_line=0, end_col=1, origin=Origin(file='t.yaml', "
        "via=Span(start_line=0, start_col=0, end_line=0, end_col=1, origin=None), label='template t')), quoted=False)"
    )


def test_a_field_left_out_of_comparison_is_left_out_of_the_hash_too():
    one = Diagnostic("BL101", "undeclared-barrier", Severity.ERROR, "m", Span(0, 0, 0, 1), data={"suggestion": "a"})
    other = replace(one, data={"suggestion": "b"})
    assert one == other and hash(one) == hash(other) and other.data == {"suggestion": "b"}
    assert one != replace(one, message="n")
    assert one.related == () and Diagnostic("X", "x", Severity.INFO, "m", Span(0, 0, 0, 1)).data == {}


def test_mutable_records_keep_identity_and_get_their_own_default_lists():
    here = Span(0, 0, 0, 1)
    first = Stage(Text("a", here), None, None, here, here, ())
    second = Stage(Text("a", here), None, None, here, here, ())
    assert first != second and first in [first] and hash(first) != hash(second)  # eq=False: identity
    first.deployments.append("x")
    assert second.deployments == [] and first.depends_on is None
    first.when = None  # mutable
    pipeline = Pipeline(None, None, here, here)
    assert pipeline.stages == [] and pipeline.stages is not Pipeline(None, None, here, here).stages


def test_a_mutable_compared_record_is_unhashable_as_with_dataclasses():
    @record
    class Box:
        items: list = field(default_factory=list)
        label: str = ""

    box = Box()
    assert box == Box() and box.items is not Box().items and Box(["a"], label="x").label == "x"
    with pytest.raises(TypeError):
        hash(box)
    box.label = "y"
    assert box.label == "y"


def test_the_generated_init_checks_its_arguments_as_the_dataclass_did():
    with pytest.raises(TypeError):
        Span(1, 2, 3)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Span(1, 2, 3, 4, None, 5)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Span(1, 2, 3, 4, colour=1)  # type: ignore[call-arg]
    assert Span(end_col=4, end_line=3, start_col=2, start_line=1) == Span(1, 2, 3, 4)


def test_records_survive_pickle_and_copy_frozen_or_not():
    diagnostic = Diagnostic(
        "BL203", "sequential-barrier-participants", Severity.ERROR, "m", Span(1, 2, 1, 5),
        related=(Related(Span(0, 0, 0, 1, Origin("f", Span(2, 0, 2, 1), "template t")), "there"),),
        data={"k": 1},
    )
    for again in (pickle.loads(pickle.dumps(diagnostic)), copy.deepcopy(diagnostic), copy.copy(diagnostic)):
        assert again == diagnostic and again.data == {"k": 1}
    config = Config(ignore=frozenset({"BL202"}), severity={"BL105": Severity.ERROR})
    assert pickle.loads(pickle.dumps(config)) == config  # --jobs sends configurations to worker processes


def test_replace_and_fields_stand_for_the_dataclasses_ones():
    config = Config()
    changed = replace(config, ignore=frozenset({"BL1"}))
    assert changed.ignore == frozenset({"BL1"}) and config.ignore == frozenset() and changed.stage_types == config.stage_types
    assert [f.name for f in fields(config)][:3] == ["select", "ignore", "severity"]
    with pytest.raises(TypeError):
        replace(config, colour="red")
    with pytest.raises(FrozenInstanceError):
        config.select = None  # type: ignore[misc]
    assert repr(Config()).startswith("Config(select=None, ignore=frozenset(), severity={}, ")  # the cache keys on it


def test_a_method_the_class_writes_itself_is_kept():
    @record(frozen=True, slots=True)
    class Point:
        x: int
        y: int = 0

        def __repr__(self) -> str:
            return f"<{self.x},{self.y}>"

    assert repr(Point(1)) == "<1,0>" and Point(1) == Point(1, 0) and hash(Point(1)) == hash(Point(1, 0))
