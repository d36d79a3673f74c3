"""The v1 reader: Harness's simplified syntax (`harness-barriers.md` section 8) into the same typed model the
v0 reader builds, so that every rule reads it unchanged.

How v1 maps onto the model:
- declarations are the strings of `pipeline.barriers` (`Declaration.plain`);
- a position is a step entry with a `barrier:` key; its reference is `barrier.name`, and its `type` (where a
  missing reference is reported) is the `barrier` key;
- a `parallel` mapping's children are concurrent: they are the indices of a `parallel` path segment, as
  v0's `parallel[j]`; a `group`'s steps or stages run one after the other; a step `group` is a step group
  (the scope of BL201); a stage's `rollback` list is its rollback flow;
- `needs` is the stage's `depends_on` (the field v0's `dependsOn` fills), `if:` a `When` with only a
  condition, `strategy` a `Strategy` whose `max-parallel` is the limit;
- `template: {uses, with}` is recorded as a `TemplateUse` (the stage's `template_ref` for a stage), and
  `chain: {uses}` makes a chained stage; neither body is known here, the workspace resolver splices it in.

`${{ inputs.x }}` is the resolver's to substitute: a reader built with `inputs` (the values of a use's
`with`) replaces those references in every value it reads, keeping the value's own span.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from ..model import (
    V1,
    V1_TEMPLATE,
    BarrierPosition,
    Declaration,
    DocumentKind,
    Path,
    Pipeline,
    Stage,
    StepGroup,
    Strategy,
    TemplateCycle,
    TemplateUse,
    Text,
    When,
)
from ..patterns import pattern
from ..syntax import UNNAMED, VISITS_PER_NODE, Index, MappingNode, Node, ScalarNode, Spans, Tree
from .hooks import MAX_TEMPLATE_NESTING, Resolver

_INPUT_REFERENCE = pattern(r"\$\{\{\s*inputs\.([A-Za-z_][\w-]*)\s*\}\}")
_LOOPS = ("matrix", "for", "while", "repeat")

# The key of a v1 template file's body -> the kind of document it is.
TEMPLATE_BODIES = {
    "pipeline": DocumentKind.PIPELINE_TEMPLATE,
    "stage": DocumentKind.STAGE_TEMPLATE,
    "step": DocumentKind.STEP_TEMPLATE,  # a `step` whose kind is `group` is a step group template
}


class Reader(Tree):
    """Builds the model of one v1 document from its node tree."""

    def __init__(
        self, index: Index, spans: Spans, home: str = UNNAMED, inputs: Mapping[str, str | Text] | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        super().__init__(index, spans, home, resolver.spans_of if resolver is not None else None)
        self.use_shared(getattr(resolver, "node_keys", None))
        self.resolver = resolver
        self.inputs = inputs
        self.pipeline: Pipeline | None = None
        self.syntax = V1
        self.nesting: list[tuple[object, str]] = []  # templates being read, outermost first: (identity, label)
        self.nesting_root = 0  # 1 when the document read is itself a template (not one of the nested levels)
        self._pending: tuple = (None, {})  # the last resolved use's (resolution, with values)
        self._body: MappingNode | None = None  # the body of the template being read

    def text(self, node: Node | None, key: str) -> Text | None:
        found = super().text(node, key)
        if found is None or self.inputs is None or "${{" not in found.value:
            return found
        inputs = self.inputs
        whole = _INPUT_REFERENCE.fullmatch(found.value.strip())
        if whole is not None and isinstance(inputs.get(whole.group(1)), Text):
            return inputs[whole.group(1)]  # type: ignore[return-value]  (the value where the use writes it)

        def value(match: re.Match) -> str:
            given = inputs.get(match.group(1))
            return match.group(0) if given is None else given.value if isinstance(given, Text) else given

        return Text(_INPUT_REFERENCE.sub(value, found.value), found.span, found.quoted)

    # -- documents ---------------------------------------------------------------------------------------

    def read_pipeline(self, key: Node, body: MappingNode, path: Path = ()) -> Pipeline:
        pipeline = Pipeline(self.text(body, "id"), self.text(body, "name"), self.span(key), self.span(body), syntax=self.syntax)
        self.pipeline = pipeline
        barriers = self.entry(body, "barriers")
        if barriers is not None:
            pipeline.barriers_key = self.span(barriers[0])
            self._declarations(pipeline, barriers[1])
        self._stages(self.get(body, "stages"), path + (("stages", None),))
        use = self._template_use(body, path, "Pipeline")
        if use is not None and use.resolved:
            with self._reading(use):
                self._declarations(pipeline, self.get(self._body, "barriers"))
                self._stages(self.get(self._body, "stages"), path + (("stages", None),))
        return pipeline

    def _declarations(self, pipeline: Pipeline, barriers: Node | None) -> None:
        for entry in self.seq(barriers):
            if isinstance(entry, ScalarNode):
                pipeline.declarations.append(Declaration.plain(Text(entry.value, self.span(entry), bool(entry.style))))
            else:
                pipeline.declarations.append(Declaration(None, None, self.span(entry)))

    def read_template(
        self, key: Node, template: MappingNode, kind: DocumentKind, body_key: str, body: MappingNode,
        identity: tuple[Text, Text] | None,
    ) -> Pipeline:
        """A v1 template file: `template: {inputs, pipeline | stage | step}`; its identifier and version
        come from its path (`identity`), since the file carries neither."""
        path: Path = (("template", None), (body_key, None))
        if identity is not None:
            self.nesting.append(((self.home, 0), f"{identity[0].value}@{identity[1].value}"))
            self.nesting_root = 1
        if self.inputs is None:
            self.syntax = V1_TEMPLATE  # read on its own, its `${{ inputs.x }}` are parameters
        if kind is DocumentKind.PIPELINE_TEMPLATE:
            pipeline = self.read_pipeline(key, body, path)
        else:
            pipeline = self.pipeline = Pipeline(None, None, self.span(key), self.span(template), syntax=self.syntax)
            if kind is DocumentKind.STAGE_TEMPLATE:
                self._stage(body, path)
            else:
                self._step(body, path, stage=None, groups=(), rollback=False)
        if identity is not None:
            pipeline.identifier, pipeline.version_label = identity
        return pipeline

    # -- stages ------------------------------------------------------------------------------------------

    def _stages(self, node: Node | None, path: Path, when: When | None = None) -> None:
        """A list of stage entries; `path` ends with the list's own segment (`stages`, `parallel`, `group`).

        A `parallel` or `group` entry's `if:` can skip every stage inside it: a stage without an `if:` of
        its own takes the nearest enclosing one (`when`)."""
        name = path[-1][0]
        self.descend()  # aliases can nest stages deeper than any written document, or into themselves
        for index, entry in enumerate(self.seq(node)):
            self._spend()
            if not isinstance(entry, MappingNode):
                continue
            here = path[:-1] + ((name, index),)
            parallel = self.get(entry, "parallel")
            if isinstance(parallel, MappingNode):
                self._stages(self.get(parallel, "stages"), here + (("parallel", None),), self._when(entry) or when)
                continue
            group = self.get(entry, "group")
            if isinstance(group, MappingNode) and self.get(group, "stages") is not None:
                self._stages(self.get(group, "stages"), here + (("group", None),), self._when(entry) or when)
                continue
            self._stage(entry, here, when)
        self.ascend()

    def _stage(self, node: MappingNode, path: Path, when: When | None = None) -> None:
        assert self.pipeline is not None
        key = self.entry(node, "id") or (node.value[0] if node.value else None)
        needs = self._needs(node)
        stage = Stage(
            identifier=self.text(node, "id"),
            name=self.text(node, "name"),
            type=None,  # v1 stages are not typed: the rules on stage types do not apply
            key=self.span(key[0]) if key is not None else self.span(node),
            span=self.span(node),
            path=path,
            depends_on=None if needs is None else tuple(n.value for n in needs),
            depends_on_entries=needs or (),
            strategy=self._strategy(node),
            when=self._when(node) or when,
        )
        self.pipeline.stages.append(stage)
        use = self._template_use(node, path, "Stage")
        if use is not None:
            stage.template_ref = use.ref
            if use.resolved:
                with self._reading(use):
                    body = self._body
                    stage.strategy = stage.strategy or self._strategy(body)
                    stage.when = stage.when or self._when(body)
                    self._stage_steps(body, path, stage)
            return
        chain = self.get(node, "chain")
        if isinstance(chain, MappingNode):
            stage.chain_ref = self.text(chain, "uses")
            self.pipeline.chained_stages.append(stage)
            return
        self._stage_steps(node, path, stage)

    def _stage_steps(self, node: MappingNode, path: Path, stage: Stage) -> None:
        owner = node if self.get(node, "steps") is not None else self.get(node, "spec")
        self._steps(self.get(owner, "steps"), path + (("steps", None),), stage, (), rollback=False)
        self._steps(self.get(node, "rollback"), path + (("rollback", None),), stage, (), rollback=True)

    def _needs(self, node: MappingNode) -> tuple[Text, ...] | None:
        """The stages `needs` names (one name, or a list), with their spans; None without `needs`."""
        needs = self.get(node, "needs")
        if needs is None:
            return None
        entries = [needs] if isinstance(needs, ScalarNode) else self.seq(needs)
        return tuple(Text(n.value, self.span(n), bool(n.style)) for n in entries if isinstance(n, ScalarNode) and n.value)

    # -- steps -------------------------------------------------------------------------------------------

    def _steps(self, node: Node | None, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool) -> None:
        name = path[-1][0]
        self.descend(3)  # this frame, `_step`'s and `_group`'s
        for index, entry in enumerate(self.seq(node)):
            self._spend()
            self._step(entry, path[:-1] + ((name, index),), stage, groups, rollback)
        self.ascend(3)

    def _step(self, entry: Node, path: Path, stage: Stage | None, groups: tuple[StepGroup, ...], rollback: bool) -> None:
        if not isinstance(entry, MappingNode):
            return
        barrier = self.entry(entry, "barrier")
        if barrier is not None:
            self._barrier(entry, barrier, path, stage, groups, rollback)
            return
        parallel = self.get(entry, "parallel")
        if isinstance(parallel, MappingNode):
            self._steps(self.get(parallel, "steps"), path + (("parallel", None),), stage, groups, rollback)
            return
        group = self.entry(entry, "group")
        if group is not None and isinstance(group[1], MappingNode):
            self._group(entry, group, path, stage, groups, rollback)
            return
        use = self._template_use(entry, path, "Step", stage, groups, rollback)
        if use is not None and use.resolved:
            with self._reading(use):
                self._step(self._body, path, stage, groups, rollback)

    def _group(self, entry: MappingNode, group: tuple[Node, Node], path: Path, stage: Stage | None,
               groups: tuple[StepGroup, ...], rollback: bool) -> None:
        assert self.pipeline is not None
        path = path + (("group", None),)
        step_group = StepGroup(
            identifier=self.text(entry, "id"),
            name=self.text(entry, "name"),
            key=self.span(group[0]),
            span=self.span(entry),
            path=path,
            stage=stage,
            parent=groups[-1] if groups else None,
            strategy=self._strategy(entry),
            when=self._when(entry),
        )
        self.pipeline.step_groups.append(step_group)
        self._steps(self.get(group[1], "steps"), path + (("steps", None),), stage, groups + (step_group,), rollback)

    def _barrier(self, entry: MappingNode, barrier: tuple[Node, Node], path: Path, stage: Stage | None,
                 groups: tuple[StepGroup, ...], rollback: bool) -> None:
        assert self.pipeline is not None
        key, value = barrier
        strategy = self.entry(entry, "strategy")
        self.pipeline.positions.append(
            BarrierPosition(
                type=Text("barrier", self.span(key)),
                ref=self.text(value, "name"),
                identifier=self.text(entry, "id"),
                name=self.text(entry, "name"),
                span=self.span(entry),
                path=path,
                stage=stage,
                groups=groups,
                rollback=rollback,
                strategy_key=self.span(strategy[0]) if strategy is not None else None,
                timeout=self.text(entry, "timeout"),
                when=self._when(entry),
                syntax=self.syntax,
            )
        )

    # -- small parts -------------------------------------------------------------------------------------

    def _template_use(self, node: MappingNode, path: Path, kind: str, stage: Stage | None = None,
                      groups: tuple[StepGroup, ...] = (), rollback: bool = False) -> TemplateUse | None:
        template = self.get(node, "template")
        uses = self.text(template, "uses") if isinstance(template, MappingNode) else None
        if uses is None:
            return None
        assert self.pipeline is not None
        self.pipeline.uses_templates = True
        _, at, version = uses.value.partition("@")
        use = TemplateUse(
            uses, Text(version.strip(), uses.span) if at else None, kind, inputs=self.get(template, "with"),
            path=path, stage=stage, groups=groups, rollback=rollback,
        )
        self.pipeline.template_uses.append(use)
        if self.resolver is None:
            return use
        resolution = self.resolver.resolve_v1(uses.value, kind)
        use.label, use.file, use.at = resolution.label, resolution.file, resolution.at
        if not isinstance(resolution.body, MappingNode):
            use.problem = resolution.problem
            return use
        chain = tuple(label for _, label in self.nesting) + (resolution.label,)
        cyclic = any(identity == resolution.identity for identity, _ in self.nesting)
        if cyclic or len(self.nesting) - self.nesting_root >= MAX_TEMPLATE_NESTING:
            self.pipeline.template_cycles.append(TemplateCycle(uses, chain, too_deep=not cyclic))
            return use
        use.resolved = True
        self.budget += VISITS_PER_NODE * resolution.size
        with_values: dict[str, str | Text] = {}
        given = self.get(template, "with")
        for key, value in self.items(given):
            if isinstance(key, ScalarNode) and isinstance(value, ScalarNode):
                with_values[key.value] = self.text(given, key.value) or value.value
        self._pending = (resolution, with_values)
        return use

    @contextmanager
    def _reading(self, use: TemplateUse) -> Iterator[None]:
        """Read a resolved template's body (`self._body`) in place of its use: its nodes keep their file, its
        `${{ inputs.x }}` take the use's `with` values."""
        resolution, with_values = self._pending
        outer = (self.via, self.inputs, self._body, self.syntax)
        if self.via is None:
            self.via = (use.ref.span, f"template {resolution.label}")
        self.inputs, self._body, self.syntax = with_values, resolution.body, V1
        self.nesting.append((resolution.identity, resolution.label))
        try:
            yield
        finally:
            self.nesting.pop()
            self.via, self.inputs, self._body, self.syntax = outer

    def _strategy(self, node: Node | None) -> Strategy | None:
        pair = self.entry(node, "strategy")
        if pair is None or not isinstance(pair[1], MappingNode):
            return None
        kind = next((k for k in _LOOPS if self.get(pair[1], k) is not None), None)
        if kind is None:
            return None
        strategy = Strategy(self.span(pair[0]), kind)
        limit = self.entry(pair[1], "max-parallel") or self.entry(self.get(pair[1], kind), "max-parallel")
        if limit is not None:
            strategy.max_concurrency_key = self.span(limit[0])
            if isinstance(limit[1], ScalarNode):
                strategy.max_concurrency = Text(limit[1].value, self.span(limit[1]))
        return strategy

    def _when(self, node: Node | None) -> When | None:
        pair = self.entry(node, "if")
        if pair is None or not isinstance(pair[1], ScalarNode):
            return None
        return When(self.span(pair[0]), None, self.text(node, "if"))
