"""The typed model of a Harness YAML file that every rule reads.

Nothing here knows YAML: `barrier_lint.parse` builds these objects from ruamel.yaml nodes, and rules, the
CLI and the language server only ever see this model. Every value that can be reported on carries its
`Span`, so no rule does position arithmetic.

Positions are 0-based lines and 0-based columns counted in code points, end exclusive. Conversion to
1-based columns (CLI) or to the client's UTF-16/UTF-8 units (language server) happens at the edges only.

The model is deliberately shaped for a later cross-file step: a `Stage`, `StepGroup` or `BarrierPosition`
that uses a template records `template_ref`, and `ChainedStage` records a child pipeline reference, so a
repository-level resolver can splice resolved bodies in without changing how rules read the model.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Origin:
    """Provenance of a node written in another file than the one being analysed.

    The workspace resolver splices template bodies, child pipelines and pipelines run with an input set
    into the model of the file being analysed; their nodes keep their own file and span, and `via` says
    through which use in the analysed file they are reached (the outermost one), which is where a finding
    on them is reported.
    """

    file: str  # the file the node is written in, as the workspace names it
    via: Span  # in the analysed file: the `templateRef` value, the Pipeline stage's `spec.pipeline` value, ...
    label: str  # how messages name that use: "template deploy_gate@v2", "child pipeline child_release"


@dataclass(frozen=True, slots=True)
class Span:
    """A range in the source: 0-based line and code-point column, end exclusive.

    `origin` is None for a range in the file being analysed, else where the range is really written.
    """

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    origin: Origin | None = None

    def contains(self, line: int, col: int) -> bool:
        return (self.start_line, self.start_col) <= (line, col) <= (self.end_line, self.end_col)


@dataclass(frozen=True, slots=True)
class Text:
    """A scalar value from the YAML together with where it is written."""

    value: str
    span: Span
    quoted: bool = False


# A path segment: the mapping key walked through and, when that key holds a list, the index taken in it.
# `stages[1].parallel[0].stage.spec.execution.steps[2].step` is
# (("stages", 1), ("parallel", 0), ("stage", None), ("spec", None), ("execution", None), ("steps", 2), ("step", None)).
Segment = tuple[str, "int | None"]
Path = tuple[Segment, ...]


def format_path(path: Path) -> str:
    return ".".join(name if index is None else f"{name}[{index}]" for name, index in path)


class DocumentKind(enum.Enum):
    PIPELINE = "pipeline"
    PIPELINE_TEMPLATE = "pipeline template"
    STAGE_TEMPLATE = "stage template"
    STEP_GROUP_TEMPLATE = "step group template"
    STEP_TEMPLATE = "step template"
    INPUT_SET = "input set"
    V1_PIPELINE = "v1 pipeline"
    OTHER = "other"

    @property
    def is_pipeline(self) -> bool:
        """Documents that hold a whole pipeline: declarations and every participant are visible."""
        return self in (DocumentKind.PIPELINE, DocumentKind.PIPELINE_TEMPLATE)

    @property
    def is_analysed(self) -> bool:
        """Documents that barrier-lint analyses beyond reading them as YAML."""
        return self.is_pipeline or self in (
            DocumentKind.STAGE_TEMPLATE,
            DocumentKind.STEP_GROUP_TEMPLATE,
            DocumentKind.STEP_TEMPLATE,
        )


_RUNTIME_INPUT = re.compile(
    r"<\+input>((\.)((executionInput\(\))|(allowedValues|selectOneFrom|selectManyFrom|default|regex)\(.+?\)))*"
)
_INPUT_VALUES = re.compile(r"\.(default|allowedValues|selectOneFrom|selectManyFrom)\((.*?)\)")


PARENT_PREFIX = "parent."


def is_expression(value: str) -> bool:
    return "<+" in value


def parent_barrier(value: str) -> str | None:
    """X for a child pipeline's `parent.X` reference (its parent's barrier X), else None."""
    return value[len(PARENT_PREFIX):] if value.startswith(PARENT_PREFIX) and not is_expression(value) else None


def is_runtime_input(value: str) -> bool:
    """`<+input>` with its optional modifiers: a value asked for when the pipeline runs."""
    return _RUNTIME_INPUT.fullmatch(value.strip()) is not None


def runtime_input_values(value: str) -> list[str]:
    """The literal values a runtime input may take: its `.default(x)` and `.allowedValues(a, b)` items."""
    values: list[str] = []
    for _, inner in _INPUT_VALUES.findall(value):
        values.extend(item.strip().strip("'\"") for item in inner.split(","))
    return [v for v in values if v]


def _label(identifier: Text | None, name: Text | None, where: Span) -> str:
    """How messages name a stage, step group or step: its identifier, else its name, else its line."""
    for text in (identifier, name):
        if text is not None and text.value:
            return text.value
    return f"at line {where.start_line + 1}"


@dataclass(eq=False, slots=True)
class When:
    """A `when` block on a stage, step group or step."""

    key: Span
    status: Text | None  # pipelineStatus (stage) or stageStatus (step, step group)
    condition: Text | None

    @property
    def can_skip(self) -> bool:
        """True when this `when` may leave its element unrun on an otherwise successful execution.

        A condition other than a literal `true` can be false. A status of `Failure` runs only after a failure.
        `All` runs whatever the status, and `Success` is the default, so neither skips on its own.
        """
        if self.condition is not None and self.condition.value.strip().lower() not in ("", "true"):
            return True
        return self.status is not None and self.status.value.strip().lower() not in ("", "success", "all")


@dataclass(eq=False, slots=True)
class Strategy:
    """A looping strategy (`matrix`, `repeat` or `parallelism`)."""

    key: Span
    kind: str | None
    max_concurrency: Text | None = None
    max_concurrency_key: Span | None = None


@dataclass(eq=False, slots=True)
class MultiDeployment:
    """`spec.services` or `spec.environments` of a stage that deploys several services or environments."""

    kind: str  # "services" or "environments"
    values_key: Span
    count: int
    parallel: Text | None  # metadata.parallel


@dataclass(eq=False, slots=True)
class Stage:
    identifier: Text | None
    name: Text | None
    type: Text | None
    key: Span  # the `stage` key
    span: Span  # the stage's mapping
    path: Path
    depends_on: tuple[str, ...] | None = None  # None: no dependsOn field (not a DAG stage)
    strategy: Strategy | None = None
    when: When | None = None
    deployments: list[MultiDeployment] = field(default_factory=list)
    template_ref: Text | None = None

    @property
    def label(self) -> str:
        return _label(self.identifier, self.name, self.key)

    @property
    def loops(self) -> bool:
        return self.strategy is not None or any(d.count > 1 for d in self.deployments)


@dataclass(eq=False, slots=True)
class StepGroup:
    identifier: Text | None
    name: Text | None
    key: Span
    span: Span
    path: Path
    stage: Stage | None
    parent: StepGroup | None
    strategy: Strategy | None = None
    when: When | None = None
    template_ref: Text | None = None

    @property
    def label(self) -> str:
        return _label(self.identifier, self.name, self.key)


@dataclass(eq=False, slots=True)
class BarrierPosition:
    """One Barrier step."""

    type: Text  # the step's `type: Barrier` value
    ref: Text | None  # spec.barrierRef, None when absent
    identifier: Text | None
    name: Text | None
    span: Span  # the step's mapping
    path: Path
    stage: Stage | None  # None in step and step-group templates
    groups: tuple[StepGroup, ...]  # enclosing step groups, outermost first
    rollback: bool
    strategy_key: Span | None = None
    timeout: Text | None = None
    when: When | None = None
    template_ref: Text | None = None

    @property
    def literal(self) -> str | None:
        """The reference when it is a literal, non-empty barrier identifier of this pipeline (a child's
        `parent.X` is its parent's barrier: the parent's analysis sees it, as X)."""
        if self.ref is None or not self.ref.value or is_expression(self.ref.value):
            return None
        if self.ref.value.startswith(PARENT_PREFIX):
            return None
        return self.ref.value

    @property
    def joins_parent(self) -> bool:
        return self.ref is not None and parent_barrier(self.ref.value) is not None

    @property
    def scope(self) -> Stage | StepGroup | None:
        """The nearest enclosing step group, else the stage."""
        return self.groups[-1] if self.groups else self.stage

    @property
    def label(self) -> str:
        return _label(self.identifier, self.name, self.span)

    @property
    def where(self) -> str:
        """`stage deploy_api, step group canary` for messages."""
        parts = []
        if self.stage is not None:
            parts.append(f"stage {self.stage.label}")
        parts.extend(f"step group {g.label}" for g in self.groups)
        return ", ".join(parts) if parts else "this template"

    @property
    def multiplicity(self) -> int:
        """How many participants this position stands for: 2 (several) inside a loop or multi-deployment."""
        if self.stage is not None and self.stage.loops:
            return 2
        if any(g.strategy is not None for g in self.groups):
            return 2
        return 1

    @property
    def whens(self) -> list[When]:
        """Every `when` that can keep this step from running, outermost first."""
        found = [self.stage.when] if self.stage is not None and self.stage.when is not None else []
        found.extend(g.when for g in self.groups if g.when is not None)
        if self.when is not None:
            found.append(self.when)
        return found


@dataclass(eq=False, slots=True)
class Declaration:
    """An entry of `flowControl.barriers`."""

    identifier: Text | None
    name: Text | None
    span: Span


@dataclass(eq=False, slots=True)
class TemplateUse:
    """A pipeline, stage, step group or step written as `template: {templateRef, versionLabel, ...}`.

    The reader asks the workspace resolver for the template's body; `resolved` says whether it was found and
    spliced in, `problem` why not (BL108), or None when there was nothing to resolve against (single-file
    analysis).
    """

    ref: Text  # the templateRef value
    version: Text | None  # versionLabel, None for the stable version
    kind: str  # Pipeline, Stage, StepGroup or Step
    resolved: bool = False
    label: str = ""  # how messages name the template it resolved to: "deploy_gate@v2"
    file: str | None = None  # the template's file, when resolved
    at: Span | None = None  # where that template says who it is, in its own file (no origin)
    problem: str | None = None


@dataclass(eq=False, slots=True)
class ChainUse:
    """A `type: Pipeline` stage: it runs a child pipeline, whose `parent.X` Barrier steps join this
    pipeline's barrier X at the stage's place (harness-barriers.md section 6)."""

    stage: Stage
    ref: Text | None  # the stage's `spec.pipeline` value
    resolved: bool = False
    label: str = ""  # "child pipeline deploy_child"
    file: str | None = None  # the child's file, when resolved
    at: Span | None = None  # where the child says who it is, in its own file


@dataclass(eq=False, slots=True)
class FixedTemplateInput:
    """A templateInputs value for a Barrier step field that the template fixes to a literal (BL109)."""

    value: Text
    field: str  # barrierRef or timeout
    template: str  # the template's label
    fixed: str  # the template's own value


@dataclass(eq=False, slots=True)
class TemplateCycle:
    """A template use that closes a cycle of nested uses, or nests deeper than Harness resolves (BL110)."""

    ref: Text
    chain: tuple[str, ...]  # template labels from the outermost use to this one
    too_deep: bool = False


@dataclass(eq=False, slots=True)
class Pipeline:
    """The analysable body of a document: a pipeline, or the stage/step group/step of a template.

    For templates other than pipeline templates there are no declarations and `stages` holds at most the
    template's own stage.
    """

    identifier: Text | None
    name: Text | None
    key: Span  # `pipeline` key (or `template` key)
    span: Span
    declarations: list[Declaration] = field(default_factory=list)
    flow_control_key: Span | None = None
    barriers_key: Span | None = None
    stages: list[Stage] = field(default_factory=list)
    step_groups: list[StepGroup] = field(default_factory=list)
    positions: list[BarrierPosition] = field(default_factory=list)
    uses_templates: bool = False  # a stage, step group, step or the pipeline itself uses a template
    template_uses: list[TemplateUse] = field(default_factory=list)
    fixed_template_inputs: list[FixedTemplateInput] = field(default_factory=list)
    template_cycles: list[TemplateCycle] = field(default_factory=list)
    chained_stages: list[Stage] = field(default_factory=list)  # `type: Pipeline` stages (child pipelines)
    chain_uses: list[ChainUse] = field(default_factory=list)

    @property
    def unresolved_chains(self) -> bool:
        """Whether a child pipeline that may join this pipeline's barriers is not in the model."""
        return any(not use.resolved for use in self.chain_uses)

    @property
    def unresolved_templates(self) -> bool:
        """Whether a template use's body is not in the model, so some participants may be invisible."""
        return any(not use.resolved for use in self.template_uses)

    @property
    def declared(self) -> dict[str, Declaration]:
        """First declaration of each identifier."""
        out: dict[str, Declaration] = {}
        for decl in self.declarations:
            if decl.identifier is not None and decl.identifier.value not in out:
                out[decl.identifier.value] = decl
        return out


@dataclass(eq=False, slots=True)
class Document:
    index: int  # 0-based document number in the file
    kind: DocumentKind
    span: Span
    pipeline: Pipeline | None = None


_DURATION = re.compile(r"[1-9][0-9]*[smhdw]( ?[0-9]+[smhdw])*")
_DURATION_PART = re.compile(r"([0-9]+)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def duration_seconds(value: str) -> int | None:
    """Seconds in a Harness duration (`10m`, `1h 30m`, `1d2h`), or None when it is not one."""
    value = value.strip()
    if not _DURATION.fullmatch(value):
        return None
    return sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(value))
