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

from .patterns import pattern
from .records import field, record, replace


@record(frozen=True, slots=True)
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


@record(frozen=True, slots=True)
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


@record(frozen=True, slots=True)
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
    OTHER_TEMPLATE = "template of another type"  # a Harness template that holds no barriers (SecretManager, ...)
    UNRECOGNISED = "Harness YAML in neither syntax"  # Harness's top-level keys, but neither v0 nor v1 shape
    OTHER = "other"

    @property
    def is_pipeline(self) -> bool:
        """Documents that hold a whole pipeline: declarations and every participant are visible."""
        return self in (DocumentKind.PIPELINE, DocumentKind.PIPELINE_TEMPLATE, DocumentKind.V1_PIPELINE)

    @property
    def is_analysed(self) -> bool:
        """Documents that barrier-lint analyses beyond reading them as YAML."""
        return self.is_pipeline or self in (
            DocumentKind.STAGE_TEMPLATE,
            DocumentKind.STEP_GROUP_TEMPLATE,
            DocumentKind.STEP_TEMPLATE,
        )

    @property
    def is_harness(self) -> bool:
        return self is not DocumentKind.OTHER


@record(frozen=True, slots=True)
class Syntax:
    """How one of Harness's two YAML syntaxes writes the things rules talk about.

    The readers build the same model from both; what differs in meaning (which values are expressions,
    whether a reference can be asked at run time or name a parent pipeline's barrier) and in the words a
    message must use to point at the YAML (`spec.barrierRef` or `barrier.name`) is answered here, so that
    rules read one model and never test which syntax they are in.
    """

    name: str  # "v0" or "v1"
    reference: str  # the field a Barrier step names its barrier in, from the step
    reference_key: str  # the same, as messages quote a value of it
    declarations: str  # where barriers are declared
    declarations_short: str  # the same, as an editor's titles say it
    declared_value: str  # what a reference must be: "set it to the ..."
    declaration_hint: str  # how to write a declaration that has no identifier
    max_concurrency: str  # the key that limits a loop's concurrency
    condition: str  # the key that can skip a stage or step
    expression_markers: tuple[str, ...]
    runtime_inputs: bool  # a reference may be asked for at run time (`<+input>`)
    chained_barriers: bool  # a child pipeline may join its parent's barrier as `parent.X`
    template_inputs: bool = False  # a v1 template read on its own: `${{ inputs.x }}` is filled by each use

    def is_expression(self, value: str) -> bool:
        for marker in self.expression_markers:  # (a loop, not `any` of a generator: asked for every reference)
            if marker in value:
                return True
        return False

    def is_runtime_input(self, value: str) -> bool:
        return self.runtime_inputs and is_runtime_input(value)

    def is_template_input(self, value: str) -> bool:
        return self.template_inputs and _TEMPLATE_INPUT.fullmatch(value.strip()) is not None


V0 = Syntax(
    name="v0",
    reference="spec.barrierRef",
    reference_key="barrierRef",
    declarations="pipeline.flowControl.barriers",
    declarations_short="flowControl.barriers",
    declared_value="identifier of a declared barrier",
    declaration_hint="add `identifier:` for barrierRef to use",
    max_concurrency="maxConcurrency",
    condition="when",
    expression_markers=("<+",),
    runtime_inputs=True,
    chained_barriers=True,
)
# v1 (harness-barriers.md section 8): `${{ ... }}` is an expression too, and Harness's run time rejects
# every expression in a barrier name, so v1 has no runtime-input barrier; v1 chains carry no barriers.
V1 = Syntax(
    name="v1",
    reference="barrier.name",
    reference_key="barrier.name",
    declarations="pipeline.barriers",
    declarations_short="pipeline.barriers",
    declared_value="name of a barrier declared in pipeline.barriers",
    declaration_hint="v1 declares a barrier as a plain string, the name Barrier steps use",
    max_concurrency="max-parallel",
    condition="if",
    expression_markers=("<+", "${{"),
    runtime_inputs=False,
    chained_barriers=False,
)
# A v1 template file read on its own (not through a use): its `${{ inputs.x }}` references are the
# template's parameters, which each use fills in, so they are not mistakes there.
V1_TEMPLATE = replace(V1, template_inputs=True)
_TEMPLATE_INPUT = pattern(r"\$\{\{\s*inputs\.[A-Za-z_][\w-]*\s*\}\}")


_RUNTIME_INPUT = pattern(
    r"<\+input>((\.)((executionInput\(\))|(allowedValues|selectOneFrom|selectManyFrom|default|regex)\(.+?\)))*"
)
_INPUT_VALUES = pattern(r"\.(default|allowedValues|selectOneFrom|selectManyFrom)\((.*?)\)")


PARENT_PREFIX = "parent."


def is_expression(value: str) -> bool:
    return "<+" in value


def parent_barrier(value: str) -> str | None:
    """X for a child pipeline's `parent.X` reference (its parent's barrier X), else None."""
    return value[len(PARENT_PREFIX):] if value.startswith(PARENT_PREFIX) and not is_expression(value) else None


def is_runtime_input(value: str) -> bool:
    """`<+input>` with its optional modifiers: a value asked for when the pipeline runs."""
    value = value.strip()
    # The prefix first: most values are literals, and the pattern is then never compiled.
    return value.startswith("<+input>") and _RUNTIME_INPUT.fullmatch(value) is not None


def runtime_input_values(value: str) -> list[str]:
    """The literal values a runtime input may take: its `.default(x)` and `.allowedValues(a, b)` items."""
    values: list[str] = []
    for _, inner in _INPUT_VALUES.findall(value):
        values.extend(item.strip().strip("'\"") for item in inner.split(","))
    return [v for v in values if v]


def _subject_name(identifier: Text | None, name: Text | None, path: Path) -> str:
    """How a fingerprint names a stage, step group or step: what it says it is, never where it sits (its
    identifier, else its name; only an element with neither falls back to its list position)."""
    for text in (identifier, name):
        if text is not None and text.value:
            return text.value
    return next((f"{key}[{index}]" for key, index in reversed(path) if index is not None), "?")


def _label(identifier: Text | None, name: Text | None, where: Span) -> str:
    """How messages name a stage, step group or step: its identifier, else its name, else its line."""
    for text in (identifier, name):
        if text is not None and text.value:
            return text.value
    return f"at line {where.start_line + 1}"


@record(eq=False, slots=True)
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


@record(eq=False, slots=True)
class Strategy:
    """A looping strategy (`matrix`, `repeat` or `parallelism`)."""

    key: Span
    kind: str | None
    max_concurrency: Text | None = None
    max_concurrency_key: Span | None = None


@record(eq=False, slots=True)
class MultiDeployment:
    """`spec.services` or `spec.environments` of a stage that deploys several services or environments."""

    kind: str  # "services" or "environments"
    values_key: Span
    count: int
    parallel: Text | None  # metadata.parallel


@record(eq=False, slots=True)
class Stage:
    identifier: Text | None
    name: Text | None
    type: Text | None
    key: Span  # the `stage` key
    span: Span  # the stage's mapping
    path: Path
    depends_on: tuple[str, ...] | None = None  # None: no dependsOn field (not a DAG stage)
    depends_on_entries: tuple[Text, ...] = ()  # the same entries with their spans (v0 dependsOn, v1 needs)
    strategy: Strategy | None = None
    when: When | None = None
    deployments: list[MultiDeployment] = field(default_factory=list)
    template_ref: Text | None = None
    chain_ref: Text | None = None  # v1 `chain.uses`: org/project/pipeline of the child

    @property
    def label(self) -> str:
        return _label(self.identifier, self.name, self.key)

    @property
    def loops(self) -> bool:
        return self.strategy is not None or any(d.count > 1 for d in self.deployments)

    @property
    def subject(self) -> str:
        """What the stage is, for fingerprints (`stage deploy`): unchanged when other stages come and go."""
        return f"stage {_subject_name(self.identifier, self.name, self.path)}"


@record(eq=False, slots=True)
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

    @property
    def subject(self) -> str:
        """`stage deploy > step group canary`: the identifiers of the chain that holds it."""
        outer = self.parent.subject if self.parent is not None else self.stage.subject if self.stage is not None else ""
        own = f"step group {_subject_name(self.identifier, self.name, self.path)}"
        return f"{outer} > {own}" if outer else own


@record(eq=False, slots=True)
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
    syntax: Syntax = V0

    @property
    def literal(self) -> str | None:
        """The reference when it is a literal, non-empty barrier identifier of this pipeline (a child's
        `parent.X` is its parent's barrier: the parent's analysis sees it, as X; v1 has no chained barriers,
        so there `parent.X` is a reference like any other)."""
        ref = self.ref
        if ref is None:
            return None
        value, syntax = ref.value, self.syntax
        if not value or syntax.is_expression(value):
            return None
        # (`joins_parent`, its prefix first: the rules ask for this of every position, several times)
        if value.startswith(PARENT_PREFIX) and syntax.chained_barriers and parent_barrier(value) is not None:
            return None
        return value

    @property
    def joins_parent(self) -> bool:
        return self.ref is not None and self.syntax.chained_barriers and parent_barrier(self.ref.value) is not None

    @property
    def is_expression(self) -> bool:
        return self.ref is not None and self.syntax.is_expression(self.ref.value)

    @property
    def is_runtime_input(self) -> bool:
        return self.ref is not None and self.syntax.is_runtime_input(self.ref.value)

    @property
    def is_template_input(self) -> bool:
        """`${{ inputs.x }}` in a v1 template read on its own: a parameter each use fills in."""
        return self.ref is not None and self.syntax.is_template_input(self.ref.value)

    @property
    def scope(self) -> Stage | StepGroup | None:
        """The nearest enclosing step group, else the stage."""
        return self.groups[-1] if self.groups else self.stage

    @property
    def label(self) -> str:
        return _label(self.identifier, self.name, self.span)

    @property
    def subject(self) -> str:
        """`stage deploy > step group canary > rollback step wait`: what the step is, by the identifiers of
        its stage, step groups and itself, for fingerprints that survive steps and stages added, removed or
        reordered around it (list positions and lines would not)."""
        scope = self.scope
        own = f"{'rollback ' if self.rollback else ''}step {_subject_name(self.identifier, self.name, self.path)}"
        return f"{scope.subject} > {own}" if scope is not None else own

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


@record(eq=False, slots=True)
class Declaration:
    """An entry of `flowControl.barriers` (v0), or a string of `pipeline.barriers` (v1)."""

    identifier: Text | None
    name: Text | None
    span: Span

    @classmethod
    def plain(cls, text: Text) -> Declaration:
        """A v1 declaration: one string that is both what references name and the label."""
        return cls(text, text, text.span)


@record(eq=False, slots=True)
class TemplateUse:
    """A pipeline, stage, step group or step written as `template: {templateRef, versionLabel, ...}`.

    The reader asks the workspace resolver for the template's body; `resolved` says whether it was found and
    spliced in, `problem` why not (BL108), or None when there was nothing to resolve against (single-file
    analysis).
    """

    ref: Text  # the templateRef value (v1: the whole `uses` value, `id`, `org.id` or `account.id[@version]`)
    version: Text | None  # versionLabel (v1: the part after `@`, at the `uses` span), None for the stable version
    kind: str  # Pipeline, Stage, StepGroup or Step
    resolved: bool = False
    label: str = ""  # how messages name the template it resolved to: "deploy_gate@v2"
    file: str | None = None  # the template's file, when resolved
    at: Span | None = None  # where that template says who it is, in its own file (no origin)
    problem: str | None = None
    # v1 uses, for the resolver to splice in: the `with` node (opaque: the model knows no YAML; the
    # template is read with those values through `readers.read_document(..., inputs=...)`, which
    # substitutes its `${{ inputs.x }}`), and the place the body goes.
    inputs: object | None = None
    path: Path = ()
    stage: Stage | None = None  # the enclosing stage, None for a stage or pipeline use
    groups: tuple[StepGroup, ...] = ()
    rollback: bool = False

    @property
    def identifier(self) -> str:
        """The template reference without its version (v1: `account.deploy_stage` of `...@v2`)."""
        return self.ref.value.split("@", 1)[0].strip()


@record(eq=False, slots=True)
class ChainUse:
    """A `type: Pipeline` stage: it runs a child pipeline, whose `parent.X` Barrier steps join this
    pipeline's barrier X at the stage's place (harness-barriers.md section 6)."""

    stage: Stage
    ref: Text | None  # the stage's `spec.pipeline` value
    resolved: bool = False
    label: str = ""  # "child pipeline deploy_child"
    file: str | None = None  # the child's file, when resolved
    at: Span | None = None  # where the child says who it is, in its own file


@record(eq=False, slots=True)
class FixedTemplateInput:
    """A templateInputs value for a Barrier step field that the template fixes to a literal (BL109)."""

    value: Text
    field: str  # barrierRef or timeout
    template: str  # the template's label
    fixed: str  # the template's own value


@record(eq=False, slots=True)
class TemplateCycle:
    """A template use that closes a cycle of nested uses, or nests deeper than Harness resolves (BL110)."""

    ref: Text
    chain: tuple[str, ...]  # template labels from the outermost use to this one
    too_deep: bool = False


@record(eq=False, slots=True)
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
    chained_stages: list[Stage] = field(default_factory=list)  # `type: Pipeline` (v1: `chain:`) stages
    chain_uses: list[ChainUse] = field(default_factory=list)
    syntax: Syntax = V0
    version_label: Text | None = None  # a v1 template's version (from its path)

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


@record(eq=False, slots=True)
class Document:
    index: int  # 0-based document number in the file
    kind: DocumentKind
    span: Span
    pipeline: Pipeline | None = None
    syntax: Syntax | None = None  # None: not a pipeline or template barrier-lint reads
    template_type: str | None = None  # a template's type as written (`Stage`, `SecretManager`; v1: `stage`)
    note: str | None = None  # UNRECOGNISED: why the document fits neither syntax

    def describe(self) -> str:
        """What the document was read as, for `--show-files`: `v1 pipeline`, `v0 template of type Stage`."""
        if self.kind in (DocumentKind.PIPELINE, DocumentKind.V1_PIPELINE):
            return f"{self.syntax.name if self.syntax else 'v0'} pipeline"
        if self.template_type is not None:
            prefix = f"{self.syntax.name} " if self.syntax is not None else ""
            identity = self.pipeline.identifier if self.pipeline is not None else None
            version = self.pipeline.version_label if self.pipeline is not None else None
            named = f" ({identity.value}@{version.value}, from its path)" if identity and version else ""
            return f"{prefix}template of type {self.template_type}{named}"
        if self.kind is DocumentKind.OTHER:
            return "not Harness YAML (skipped)"
        return self.kind.value


_DURATION = pattern(r"[1-9][0-9]*[smhdw]( ?[0-9]+[smhdw])*")
_DURATION_PART = pattern(r"([0-9]+)([smhdw])")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


_DURATIONS: dict[str, int | None] = {}  # value -> its seconds, for the few timeouts a repository writes


def duration_seconds(value: str) -> int | None:
    """Seconds in a Harness duration (`10m`, `1h 30m`, `1d2h`), or None when it is not one. The value is
    matched as written: `"10m "` is not a duration (rules.md, BL303)."""
    seconds = _DURATIONS.get(value, _DURATIONS)
    if seconds is _DURATIONS:
        if len(_DURATIONS) > 4096:
            _DURATIONS.clear()
        seconds = _DURATIONS[value] = _duration_seconds(value)
    return seconds  # type: ignore[return-value]


def _duration_seconds(value: str) -> int | None:
    # One number and its unit (`10m`: nearly every timeout) is read without the patterns, which are then
    # never compiled (about 1% of a cold start). The same as `_DURATION` for it: ASCII digits, no leading 0.
    number = value[:-1]
    if number.isascii() and number.isdigit() and number[0] != "0" and value[-1] in _UNIT_SECONDS:
        return int(number) * _UNIT_SECONDS[value[-1]]
    if not _DURATION.fullmatch(value):
        return None
    return sum(int(n) * _UNIT_SECONDS[unit] for n, unit in _DURATION_PART.findall(value))
