"""The rule registry: every rule, listed once, in code order. A test checks this list against the modules."""

from __future__ import annotations

from .base import Rule
from .bl000_invalid_yaml import InvalidYaml
from .bl001_unrecognised_harness_yaml import UnrecognisedHarnessYaml
from .bl101_undeclared_barrier import UndeclaredBarrier
from .bl102_expression_in_barrier_ref import ExpressionInBarrierRef
from .bl103_runtime_input_barrier_ref import RuntimeInputBarrierRef
from .bl104_duplicate_barrier_declaration import DuplicateBarrierDeclaration
from .bl105_unused_barrier import UnusedBarrier
from .bl106_missing_barrier_ref import MissingBarrierRef
from .bl107_invalid_barrier_declaration import InvalidBarrierDeclaration
from .bl108_unresolved_template import UnresolvedTemplate
from .bl109_template_input_not_runtime import TemplateInputNotRuntime
from .bl110_template_cycle import TemplateCycle
from .bl201_duplicate_barrier_ref_in_scope import DuplicateBarrierRefInScope
from .bl202_single_participant import SingleParticipant
from .bl203_sequential_barrier_participants import SequentialBarrierParticipants
from .bl204_rollback_barrier_cycle import RollbackBarrierCycle
from .bl205_crossed_barrier_order import CrossedBarrierOrder
from .bl206_conditional_participant import ConditionalParticipant
from .bl207_looping_max_concurrency import LoopingMaxConcurrency
from .bl208_sequential_multi_deployment import SequentialMultiDeployment
from .bl209_stage_dependency_cycle import StageDependencyCycle
from .bl301_barrier_step_strategy import BarrierStepStrategy
from .bl302_unsupported_stage_type import UnsupportedStageType
from .bl303_invalid_timeout import InvalidTimeout
from .bl304_short_barrier_timeout import ShortBarrierTimeout
from .bl901_unused_suppression import UnusedSuppression

ALL_RULES: tuple[type[Rule], ...] = (
    InvalidYaml,
    UnrecognisedHarnessYaml,
    UndeclaredBarrier,
    ExpressionInBarrierRef,
    RuntimeInputBarrierRef,
    DuplicateBarrierDeclaration,
    UnusedBarrier,
    MissingBarrierRef,
    InvalidBarrierDeclaration,
    UnresolvedTemplate,
    TemplateInputNotRuntime,
    TemplateCycle,
    DuplicateBarrierRefInScope,
    SingleParticipant,
    SequentialBarrierParticipants,
    RollbackBarrierCycle,
    CrossedBarrierOrder,
    ConditionalParticipant,
    LoopingMaxConcurrency,
    SequentialMultiDeployment,
    StageDependencyCycle,
    BarrierStepStrategy,
    UnsupportedStageType,
    InvalidTimeout,
    ShortBarrierTimeout,
    UnusedSuppression,
)

# Instances the engine runs on each document.
RULES: tuple[Rule, ...] = tuple(rule() for rule in ALL_RULES if rule.documents)

BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: dict[str, type[Rule]] = {rule.name: rule for rule in ALL_RULES}


def find_rule(code_or_name: str) -> type[Rule] | None:
    return BY_CODE.get(code_or_name.upper()) or BY_NAME.get(code_or_name)


__all__ = ["ALL_RULES", "BY_CODE", "BY_NAME", "RULES", "InvalidYaml", "Rule", "UnusedSuppression", "find_rule"]
