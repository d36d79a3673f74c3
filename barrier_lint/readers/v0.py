"""The v0 reader: Harness's `pipeline:` / `template:` YAML (the syntax most pipelines are written in) into the
typed model of `barrier_lint.model`.

It reads composed nodes only through `syntax.Tree`; what a document is (v0, v1, input set, other) is decided
by `barrier_lint.readers`, which calls `Builder.read_pipeline` or `Builder.read_template`.
"""

from __future__ import annotations

from ..model import (
    PARENT_PREFIX,
    V0,
    BarrierPosition,
    ChainUse,
    Declaration,
    Document,
    DocumentKind,
    FixedTemplateInput,
    MultiDeployment,
    Path,
    Pipeline,
    Span,
    Stage,
    StepGroup,
    Strategy,
    TemplateCycle,
    TemplateUse,
    Text,
    When,
)
from ..syntax import (
    UNNAMED,
    VISITS_PER_NODE,
    Index,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    Spans,
    TooLarge,
    Tree,
)
from .hooks import MAX_TEMPLATE_NESTING, Resolution, Resolver

TYPE_CHECKING = False  # annotations only (never evaluated)
if TYPE_CHECKING:
    from contextlib import AbstractContextManager

TEMPLATE_KINDS = {
    "Pipeline": DocumentKind.PIPELINE_TEMPLATE,
    "Stage": DocumentKind.STAGE_TEMPLATE,
    "StepGroup": DocumentKind.STEP_GROUP_TEMPLATE,
    "Step": DocumentKind.STEP_TEMPLATE,
}


class Builder(Tree):
    """Builds the model of one v0 document from its node tree."""

    def __init__(
        self, number: int, index: Index, spans: Spans, home: str = UNNAMED, resolver: Resolver | None = None
    ) -> None:
        super().__init__(index, spans, home, resolver.spans_of if resolver is not None else None)
        self.use_shared(getattr(resolver, "node_keys", None))
        self.number = number
        self.pipeline: Pipeline | None = None
        self.resolver = resolver
        # The workspace's recordings of template uses (`readers.replay`), None when nothing resolves.
        self.readings = getattr(resolver, "readings", None)
        self.granted = 0  # how much the walk's budget has grown by for template bodies read
        self.scope: tuple[str | None, str | None] = (None, None)  # the root's org and project ids
        self.nesting: list[tuple[object, str]] = []  # templates being read, outermost first: (identity, label)
        self.reading_child = False  # inside a chained child pipeline
        self.nesting_root = 0

    # -- documents (what a document is, `barrier_lint.readers` decides) ----------------------------------

    def read_pipeline(self, key: Node, body: MappingNode) -> Pipeline:
        self._read_scope(body)
        return self._pipeline(key, body, ())

    def read_template(self, key: Node, template: MappingNode, kind: DocumentKind, spec: MappingNode) -> Pipeline:
        """A `template:` document of type Pipeline, Stage, StepGroup or Step (body under `spec`)."""
        self._read_scope(template)
        path: Path = (("template", None), ("spec", None))
        # A template read on its own is the outermost of its nested uses: one that reaches it again is a cycle.
        identifier, version = self.text(template, "identifier"), self.text(template, "versionLabel")
        if identifier is not None:
            label = identifier.value + (f"@{version.value}" if version is not None else "")
            self.nesting.append(((self.home, self.number), label))
            self.nesting_root = 1  # the template itself is not one of the nested levels
        if kind is DocumentKind.PIPELINE_TEMPLATE:
            return self._pipeline(key, spec, path, identity=template)
        self.pipeline = Pipeline(
            self.text(template, "identifier"), self.text(template, "name"), self.span(key), self.span(template)
        )
        if kind is DocumentKind.STAGE_TEMPLATE:
            self._stage_body(key, spec, spec, path, identifier_node=template)
        elif kind is DocumentKind.STEP_GROUP_TEMPLATE:
            self._step_group_body(key, spec, template, path, stage=None, parent=None, rollback=False)
        else:
            self._step(spec, path, stage=None, groups=(), rollback=False, identity=template)
        return self.pipeline

    def run(self, key: Node, body: MappingNode, via: tuple[Span, str], scope: tuple[str | None, str | None]) -> Document:
        """A run of a pipeline with runtime values merged in (an input set): `body` is the merged pipeline,
        written elsewhere but for the values; findings on it are reported through `via`."""
        self.via, self.scope = via, scope
        doc = Document(self.number, DocumentKind.PIPELINE, via[0], syntax=V0)
        try:
            doc.pipeline = self._pipeline(key, body, ())
        except TooLarge:
            doc.pipeline = None
        return doc

    def _read_scope(self, ids: MappingNode) -> None:
        """The root's org and project ids, against which its template uses resolve."""
        org, project = self.text(ids, "orgIdentifier"), self.text(ids, "projectIdentifier")
        self.scope = (org.value if org else None, project.value if project else None)

    # -- pipeline ----------------------------------------------------------------------------------------

    def _pipeline(self, key: Node, body: MappingNode, path: Path, identity: Node | None = None) -> Pipeline:
        identity = identity if identity is not None else body
        pipeline = Pipeline(self.text(identity, "identifier"), self.text(identity, "name"), self.span(key), self.span(body))
        self.pipeline = pipeline
        if isinstance(self.get(body, "template"), MappingNode):  # the whole pipeline comes from a template
            resolved, _, _, entering = self._template_use(body, path, "Pipeline")
            if resolved is not body and isinstance(resolved, MappingNode) and entering is not NOT_A_USE:
                with entering:
                    self._pipeline_body(pipeline, resolved, path)
                return pipeline
        self._pipeline_body(pipeline, body, path)
        template = self.get(body, "template")
        if isinstance(template, MappingNode):  # unresolved: what its templateInputs show
            inputs = self.get(template, "templateInputs")
            tpath = path + (("template", None), ("templateInputs", None))
            self._stage_list(self.get(inputs, "stages"), tpath + (("stages", None),))
        return pipeline

    def _pipeline_body(self, pipeline: Pipeline, body: MappingNode, path: Path) -> None:
        flow = self.entry(body, "flowControl")
        if flow is not None:
            pipeline.flow_control_key = self.span(flow[0])
            barriers = self.entry(flow[1], "barriers")
            if barriers is not None:
                pipeline.barriers_key = self.span(barriers[0])
                for entry in self.seq(barriers[1]):
                    pipeline.declarations.append(
                        Declaration(self.text(entry, "identifier"), self.text(entry, "name"), self.span(entry))
                    )
        self._stage_list(self.get(body, "stages"), path + (("stages", None),))

    def _stage_list(self, node: Node | None, path: Path) -> None:
        """`stages:` (or `parallel:` / `insert.stages:` inside it). `path` ends with the list's own segment."""
        name = path[-1][0]
        self.descend()
        for index, entry in enumerate(self.seq(node)):
            self._spend()
            here = path[:-1] + ((name, index),)
            stage = self.entry(entry, "stage")
            if stage is not None:
                self._stage(stage[0], stage[1], here + (("stage", None),))
                continue
            parallel = self.get(entry, "parallel")
            if parallel is not None:
                self._stage_list(parallel, here + (("parallel", None),))
                continue
            insert = self.get(entry, "insert")
            if insert is not None:
                self._stage_list(self.get(insert, "stages"), here + (("insert", None), ("stages", None)))
        self.ascend()

    def _stage(self, key: Node, node: Node, path: Path) -> None:
        if not isinstance(node, MappingNode):
            return
        if self._replayable(node):
            self.readings.read(self, "Stage", key, node, path, None, (), False, lambda: self._stage_use(key, node, path))
            return
        self._stage_use(key, node, path)

    def _stage_use(self, key: Node, node: MappingNode, path: Path) -> None:
        body, body_path, template_ref, entering = self._template_use(node, path, "Stage")
        with entering:
            self._stage_body(key, node, body, body_path, identifier_node=node, template_ref=template_ref)

    def _stage_body(
        self,
        key: Node,
        node: MappingNode,
        body: Node | None,
        path: Path,
        identifier_node: Node,
        template_ref: Text | None = None,
    ) -> None:
        assert self.pipeline is not None
        stage_type = self.text(body, "type") or self.text(node, "type")
        depends = self.get(node, "dependsOn")
        stage = Stage(
            identifier=self.text(identifier_node, "identifier"),
            name=self.text(identifier_node, "name"),
            type=stage_type,
            key=self.span(key),
            span=self.span(node),
            path=path,
            depends_on=None
            if depends is None
            else tuple(d.value for d in self.seq(depends) if isinstance(d, ScalarNode)),
            depends_on_entries=tuple(
                Text(d.value, self.span(d), bool(d.style)) for d in self.seq(depends) if isinstance(d, ScalarNode)
            ),
            strategy=self._strategy(node) or self._strategy(body),
            when=self._when(node, "pipelineStatus") or self._when(body, "pipelineStatus"),
            template_ref=template_ref,
        )
        self.pipeline.stages.append(stage)
        if stage_type is not None and stage_type.value == "Pipeline":
            # A chained pipeline: what its inputs hold belongs to the child pipeline.
            self.pipeline.chained_stages.append(stage)
            self._chained_stage(stage, node, self.get(body, "spec"), path)
            return
        spec = self.get(body, "spec")
        if isinstance(spec, MappingNode):
            stage.deployments = self._deployments(spec)
            self._find_step_lists(spec, path + (("spec", None),), stage, (), rollback=False)

    def _chained_stage(self, stage: Stage, node: MappingNode, spec: Node | None, path: Path) -> None:
        """A `type: Pipeline` stage: the child's `parent.X` Barrier steps are positions of this pipeline's
        barrier X, at this stage's place, once the workspace finds the child (Harness chains one level deep:
        a child read here does not resolve its own Pipeline stages)."""
        assert self.pipeline is not None
        use = ChainUse(stage, self.text(spec, "pipeline"))
        self.pipeline.chain_uses.append(use)
        if self.resolver is None or self.reading_child or use.ref is None or not isinstance(spec, MappingNode):
            return
        resolution = self.resolver.resolve_chain(self, node, spec, self.scope)
        use.label, use.file, use.at = resolution.label, resolution.file, resolution.at
        body = resolution.body
        if not isinstance(body, MappingNode):
            return
        use.resolved = True
        first = len(self.pipeline.positions)
        outermost = self.via is None
        if outermost:
            self.via = (use.ref.span, resolution.label)
        self.reading_child = True
        try:
            self._stage_list(self.get(body, "stages"), path + (("spec", None), ("pipeline", None), ("stages", None)))
        finally:
            self.reading_child = False
            if outermost:
                self.via = None
        # Only the child's steps that join a parent barrier are this pipeline's; the rest are the child's own.
        joined = []
        for position in self.pipeline.positions[first:]:
            if position.ref is not None and position.joins_parent:
                ref = position.ref
                position.ref = Text(ref.value[len(PARENT_PREFIX):], ref.span, ref.quoted)
                joined.append(position)
        self.pipeline.positions[first:] = joined
        for child_stage in self.pipeline.stages:
            if child_stage.path[: len(path)] == path and child_stage is not stage:
                child_stage.depends_on = None  # the child's DAG orders the child's stages, not the parent's

    def _find_step_lists(
        self, node: Node, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool
    ) -> None:
        """Walk the mappings of a stage spec for `steps` / `rollbackSteps` lists (execution, provisioner, ...)."""
        self.descend()
        for key, value in self.items(node):
            self.budget -= 1  # (`_spend`, inline: this loop sees every pair of every stage spec)
            if self.budget < 0:
                raise TooLarge
            kind = type(value)
            if kind is ScalarNode or type(key) is not ScalarNode:
                continue  # most pairs: nothing inside to walk
            name = key[0]
            if name in ("steps", "rollbackSteps") and kind is SequenceNode:
                self._step_list(value, path + ((name, None),), stage, groups, rollback or name == "rollbackSteps")
            elif name in ("template", "when", "strategy", "failureStrategies"):
                continue
            elif kind is MappingNode:
                self._find_step_lists(value, path + ((name, None),), stage, groups, rollback)
            elif kind is SequenceNode:
                # Older or unusual layouts (`executions: [ {parallel: [ {steps: [...]} ]} ]`) keep step
                # lists inside other lists; Harness finds Barrier steps there too.
                for index, item in enumerate(value.value):
                    if isinstance(item, MappingNode):
                        self._find_step_lists(item, path + ((key.value, index),), stage, groups, rollback)
        self.ascend()

    def _step_list(
        self, node: Node, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool
    ) -> None:
        name = path[-1][0]
        self.descend()
        for index, entry in enumerate(self.seq(node)):
            self.budget -= 1  # (`_spend`, inline)
            if self.budget < 0:
                raise TooLarge
            here = path[:-1] + ((name, index),)
            step = self.get(entry, "step")
            if step is not None:
                self._step(step, here + (("step", None),), stage, groups, rollback)
                continue
            pair = self.entry(entry, "stepGroup")
            if pair is not None:
                self._step_group(pair[0], pair[1], here + (("stepGroup", None),), stage, groups, rollback)
                continue
            parallel = self.get(entry, "parallel")
            if parallel is not None:
                self._step_list(parallel, here + (("parallel", None),), stage, groups, rollback)
                continue
            insert = self.get(entry, "insert")
            if insert is not None:
                self._step_list(self.get(insert, "steps"), here + (("insert", None), ("steps", None)), stage, groups, rollback)
        self.ascend()

    def _step_group(
        self, key: Node, node: Node, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool
    ) -> None:
        if not isinstance(node, MappingNode):
            return
        if self._replayable(node):
            self.readings.read(
                self, "StepGroup", key, node, path, stage, groups, rollback,
                lambda: self._step_group_use(key, node, path, stage, groups, rollback),
            )
            return
        self._step_group_use(key, node, path, stage, groups, rollback)

    def _step_group_use(
        self, key: Node, node: MappingNode, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool
    ) -> None:
        body, body_path, template_ref, entering = self._template_use(node, path, "StepGroup")
        with entering:
            self._step_group_body(
                key, body, node, body_path, stage, groups[-1] if groups else None, rollback, groups, template_ref
            )

    def _step_group_body(
        self,
        key: Node,
        body: Node | None,
        identity: Node,
        path: Path,
        stage: Stage | None,
        parent: StepGroup | None,
        rollback: bool,
        groups: tuple[StepGroup, ...] = (),
        template_ref: Text | None = None,
    ) -> None:
        assert self.pipeline is not None
        group = StepGroup(
            identifier=self.text(identity, "identifier"),
            name=self.text(identity, "name"),
            key=self.span(key),
            span=self.span(identity),
            path=path,
            stage=stage,
            parent=parent,
            strategy=self._strategy(identity) or self._strategy(body),
            when=self._when(identity, "stageStatus") or self._when(body, "stageStatus"),
            template_ref=template_ref,
        )
        self.pipeline.step_groups.append(group)
        inner = groups + (group,)
        self.descend(2)  # this frame and `_step_group`'s
        for list_key in ("steps", "rollbackSteps"):
            steps = self.get(body, list_key)
            if steps is not None:
                self._step_list(steps, path + ((list_key, None),), stage, inner, rollback or list_key == "rollbackSteps")
        self.ascend(2)

    def _step(
        self,
        node: Node,
        path: Path,
        stage: Stage | None,
        groups: tuple[StepGroup, ...],
        rollback: bool,
        identity: Node | None = None,
    ) -> None:
        if not isinstance(node, MappingNode):
            return
        assert self.pipeline is not None
        identity = identity if identity is not None else node
        if identity is node and self._replayable(node):
            self.readings.read(
                self, "Step", None, node, path, stage, groups, rollback,
                lambda: self._step_use(node, path, stage, groups, rollback, identity),
            )
            return
        self._step_use(node, path, stage, groups, rollback, identity)

    def _step_use(
        self, node: MappingNode, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool,
        identity: Node,
    ) -> None:
        body, _, template_ref, entering = self._template_use(node, path, "Step")
        if entering is NOT_A_USE:  # (most steps: no context to enter)
            self._barrier_step(node, body, identity, path, stage, groups, rollback, template_ref)
            return
        with entering:
            self._barrier_step(node, body, identity, path, stage, groups, rollback, template_ref)

    def _barrier_step(
        self,
        node: MappingNode,
        body: Node | None,
        identity: Node,
        path: Path,
        stage: Stage | None,
        groups: tuple[StepGroup, ...],
        rollback: bool,
        template_ref: Text | None,
    ) -> None:
        assert self.pipeline is not None
        written = self.get(body, "type")
        if type(written) is not ScalarNode or written[0] != "Barrier":
            return  # (most steps, told without making the `Text` of their type)
        step_type = self.text(body, "type")
        assert step_type is not None
        strategy = self.entry(node, "strategy") or self.entry(body, "strategy")
        self.pipeline.positions.append(
            BarrierPosition(
                type=step_type,
                ref=self.text(self.get(body, "spec"), "barrierRef"),
                identifier=self.text(identity, "identifier"),
                name=self.text(identity, "name"),
                span=self.span(node),
                path=path,
                stage=stage,
                groups=groups,
                rollback=rollback,
                strategy_key=self.span(strategy[0]) if strategy is not None else None,
                timeout=self.text(body, "timeout") or self.text(node, "timeout"),
                when=self._when(node, "stageStatus") or self._when(body, "stageStatus"),
                template_ref=template_ref,
            )
        )

    # -- small parts -------------------------------------------------------------------------------------

    def _replayable(self, node: MappingNode) -> bool:
        """Whether `node` is a template use written in the analysed file, whose reading `readings` records
        and replays for the uses alike (`readers.replay`)."""
        return self.readings is not None and self.via is None and type(self.get(node, "template")) is MappingNode

    def _template_use(
        self, node: MappingNode, path: Path, kind: str
    ) -> tuple[Node | None, Path, Text | None, AbstractContextManager]:
        """What to read for a pipeline, stage, step group or step `node`, at which path, the template it
        uses, and the context to read it in.

        For a node that uses no template: the node itself. For a use the workspace resolves: the merged body
        (template plus inputs) at the node's own place, read in a context that gives the template's nodes
        their origin. For a use that is not resolved: what its `templateInputs` show.
        """
        template = self.get(node, "template")
        if not isinstance(template, MappingNode):
            return node, path, None, NOT_A_USE
        assert self.pipeline is not None
        self.pipeline.uses_templates = True
        ref = self.text(template, "templateRef")
        inputs_path = path + (("template", None), ("templateInputs", None))
        unresolved = (self.get(template, "templateInputs"), inputs_path, ref, NOT_A_USE)
        if ref is None:
            return unresolved
        use = TemplateUse(ref, self.text(template, "versionLabel"), kind)
        self.pipeline.template_uses.append(use)
        if self.resolver is None:
            return unresolved
        resolution = self.resolver.resolve(self, node, template, kind, self.scope)
        use.label, use.file, use.at = resolution.label, resolution.file, resolution.at
        if resolution.body is None:
            use.problem = resolution.problem
            return unresolved
        chain = tuple(label for _, label in self.nesting) + (resolution.label,)
        cyclic = any(identity == resolution.identity for identity, _ in self.nesting)
        if cyclic or len(self.nesting) - self.nesting_root >= MAX_TEMPLATE_NESTING:
            self.pipeline.template_cycles.append(TemplateCycle(ref, chain, too_deep=not cyclic))
            return unresolved
        use.resolved = True
        for value, field_name, fixed in resolution.fixed:
            self.pipeline.fixed_template_inputs.append(
                FixedTemplateInput(Text(value.value, self.span(value), bool(value.style)), field_name, resolution.label, fixed)
            )
        self.budget += VISITS_PER_NODE * resolution.size
        self.granted += VISITS_PER_NODE * resolution.size
        return resolution.body, path, ref, self._reading_template(ref, resolution)

    def _reading_template(self, ref: Text, resolution: Resolution) -> _ReadingTemplate:
        return _ReadingTemplate(self, ref, resolution)

    def _strategy(self, node: Node | None) -> Strategy | None:
        pair = self.entry(node, "strategy")
        if pair is None or not isinstance(pair[1], MappingNode):
            return None
        strategy = Strategy(self.span(pair[0]), None)
        for kind in ("matrix", "repeat", "parallelism"):
            value = self.get(pair[1], kind)
            if value is not None:
                strategy.kind = kind
                limit = self.entry(value, "maxConcurrency")
                if limit is not None:
                    strategy.max_concurrency_key = self.span(limit[0])
                    if isinstance(limit[1], ScalarNode):
                        strategy.max_concurrency = Text(limit[1].value, self.span(limit[1]))
                break
        return strategy if strategy.kind is not None else None

    def _when(self, node: Node | None, status_key: str) -> When | None:
        pair = self.entry(node, "when")
        if pair is None or not isinstance(pair[1], MappingNode):
            return None
        return When(self.span(pair[0]), self.text(pair[1], status_key), self.text(pair[1], "condition"))

    def _deployments(self, spec: MappingNode) -> list[MultiDeployment]:
        found = []
        for kind in ("services", "environments"):
            block = self.get(spec, kind)
            values = self.entry(block, "values")
            if values is None:
                continue
            count = len(values[1].value) if isinstance(values[1], SequenceNode) else 0
            found.append(MultiDeployment(kind, self.span(values[0]), count, self.text(self.get(block, "metadata"), "parallel")))
        return found


class _InPlace:
    """The context of a node read in place: no template use, or one not resolved. `contextlib.nullcontext`
    would do, but `contextlib` is imported for nothing else on a lint and costs a cold start about 1.5%."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


NOT_A_USE = _InPlace()


class _ReadingTemplate:
    """The context a resolved template body is read in: its nodes get their origin (through the outermost
    use), and the use is on the nesting stack that BL110's cycle check looks at. (A class, not a
    `contextmanager` generator: one is entered per template use, and a generator costs several times more.)"""

    __slots__ = ("builder", "entry", "outermost", "via")

    def __init__(self, builder: Builder, ref: Text, resolution: Resolution) -> None:
        self.builder = builder
        self.via = (ref.span, f"template {resolution.label}")
        self.entry = (resolution.identity, resolution.label)
        self.outermost = False

    def __enter__(self) -> None:
        builder = self.builder
        self.outermost = builder.via is None
        if self.outermost:
            builder.via = self.via
        builder.nesting.append(self.entry)

    def __exit__(self, *exc: object) -> None:
        builder = self.builder
        builder.nesting.pop()
        if self.outermost:
            builder.via = None
