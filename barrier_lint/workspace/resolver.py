"""Template resolution against the workspace index (rules.md, "Across files"; harness-barriers.md section 5).

A use `template: {templateRef, versionLabel, templateInputs}` resolves to the template with that identifier
at the scope its `templateRef` names (`id`: project, `org.id`: org, `account.id`: account), in the root
pipeline's org and project; a template file that carries no org or project ids matches any. With a
`versionLabel`, the version written; without one, the version configured as stable (`stable-templates`),
else the only version there is; anything else is BL108 with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..readers.hooks import Resolution
from ..readers.replay import Readings
from ..model import Span
from ..syntax import MappingNode, ScalarNode, Spans, Tree
from .index import PipelineEntry, Scope, TemplateEntry, WorkspaceIndex
from .merge import merge, overlay

SCOPES = {"org": "org", "account": "account"}


class WorkspaceResolver:
    """What readers call when they meet a template use (the `readers.hooks.Resolver` protocol)."""

    def __init__(self, index: WorkspaceIndex, stable: Mapping[str, str] | None = None) -> None:
        self.index = index
        self._stable = dict(stable or {})
        self.reads: set[str] = set()  # the files resolutions have read since the caller last reset it
        self.looked_up: set[str] = set()  # the template identifiers looked up, likewise (`readers.replay`)
        self.pipeline_lookups = 0  # how many times a pipeline was looked up (any file may define one)
        # What `find` answered, for the state of the index's templates it answered in: most uses name a
        # template other uses name too.
        self._found: dict[tuple, tuple[TemplateEntry | None, str | None]] = {}
        self._found_generation = -1
        # What readers made of template uses, replayed for the uses alike (`readers.replay`).
        self.readings = Readings(lambda: index.template_generation, index.template_changes)

    @property
    def stable(self) -> dict[str, str]:
        """The `stable-templates` setting: template reference -> its stable version."""
        return self._stable

    @stable.setter
    def stable(self, value: Mapping[str, str]) -> None:
        self._stable = dict(value)
        self._found.clear()  # what `find` remembered may have taken another version
        self.readings.clear()

    @property
    def node_keys(self) -> dict:
        return self.index.node_keys

    def spans_of(self, name: str) -> Spans:
        return self.index.files[name].composed.spans

    def resolve(
        self, tree: Tree, wrapper: MappingNode, template: MappingNode, kind: str, scope: tuple[str | None, str | None]
    ) -> Resolution:
        ref = _value(tree, template, "templateRef")
        ref = ref.strip() if ref is not None else ""
        version = _value(tree, template, "versionLabel")
        level, identifier = _split_ref(ref)
        label = f"{identifier}@{version}" if version is not None else identifier
        self.looked_up.add(identifier)
        found, problem = self.find(level, identifier, version, kind, Scope(*scope), ref)
        if found is None:
            self.reads.update(t.file for t in self.index.templates.get(identifier, ()))
            return Resolution(label=label, problem=problem)
        fixed: list = []
        try:
            body = merge(found.spec, tree.get(template, "templateInputs"), fixed) if found.spec is not None else None
        except RecursionError:
            return Resolution(label=found.label, file=found.file, problem="its inputs nest too deep to merge")
        if body is None:
            return Resolution(label=found.label, file=found.file, problem=f"template '{found.label}' has no spec")
        body = overlay(body, wrapper, tree.get(template, "templateOverrides"))
        self.reads.add(found.file)
        return Resolution(
            label=found.label, body=body, file=found.file, identity=(found.file, found.number), fixed=fixed,
            size=found.size, at=self.at(found),
        )

    def resolve_v1(self, uses: str, kind: str) -> Resolution:
        """A v1 use, `template: {uses: id | org.id | account.id [@version], with}`: the template's body, to be
        read with the use's `with` values in place of its `${{ inputs.x }}` (no merge: v1 templates take
        parameters, not a partial copy of themselves)."""
        ref, _, version = uses.strip().partition("@")
        level, identifier = _split_ref(ref)
        label = f"{identifier}@{version}" if version else identifier
        kinds = ("Step", "StepGroup") if kind == "Step" else (kind,)
        self.looked_up.add(identifier)
        entries = [t for t in self.index.templates.get(identifier, ()) if t.v1]
        self.reads.update(t.file for t in entries)
        if not entries:
            return Resolution(label=label, problem=f"no v1 template file .harness/templates/{identifier}/<version>.yaml is among the files analysed")
        of_kind = [t for t in entries if t.type in kinds]
        if not of_kind:
            return Resolution(label=label, problem=f"template '{identifier}' is a {entries[0].type} template, used here as a {kind}")
        found, problem = self._version(of_kind, identifier, version or None, ref)
        if found is None:
            return Resolution(label=label, problem=problem)
        return Resolution(
            label=found.label, body=found.spec, file=found.file, identity=(found.file, found.number), size=found.size,
            at=self.at(found),
        )

    def resolve_chain(
        self, tree: Tree, stage: MappingNode, spec: MappingNode, scope: tuple[str | None, str | None]
    ) -> Resolution:
        identifier = (tree.text(spec, "pipeline").value if tree.text(spec, "pipeline") else "").strip()
        org = tree.text(spec, "org")
        project = tree.text(spec, "project")
        want = Scope(org.value if org else scope[0], project.value if project else scope[1])
        label = f"child pipeline {identifier}"
        child = self.find_pipeline(identifier, want)
        if child is None:
            return Resolution(label=label, problem=f"no pipeline '{identifier}' is among the files analysed")
        self.reads.add(child.file)
        try:
            body = merge(child.body, tree.get(spec, "inputs"), [])
        except RecursionError:
            return Resolution(label=label, file=child.file, problem="its inputs nest too deep to merge")
        spans = self.spans_of(child.file)
        identifier_node = Tree({}, spans).get(child.body, "identifier")
        return Resolution(
            label=label, body=body, file=child.file, identity=(child.file, child.number), size=child.size,
            at=spans(identifier_node if identifier_node is not None else child.key),
        )

    def find_pipeline(self, identifier: str, scope: Scope) -> PipelineEntry | None:
        """The pipeline with this identifier in this org and project (ids a side does not give match any)."""
        self.pipeline_lookups += 1
        self.index.flush()
        for entry in self.index.pipelines.get(identifier, ()):
            if all(want is None or have is None or want == have for want, have in
                   ((scope.org, entry.scope.org), (scope.project, entry.scope.project))):
                return entry
        return None

    def at(self, entry: TemplateEntry) -> Span:
        """Where a template says who it is (its `identifier` value, else its `template` mapping), in its file."""
        if entry.at is not None:
            return entry.at
        spans = self.spans_of(entry.file)
        tree = Tree({}, spans)
        identifier = tree.get(entry.template, "identifier")
        entry.at = spans(identifier if identifier is not None else entry.template)
        return entry.at

    def find(
        self, level: str, identifier: str, version: str | None, kind: str, scope: Scope, ref: str
    ) -> tuple[TemplateEntry | None, str | None]:
        """The template a use names, or None and why not (BL108's message says it)."""
        if self._found_generation != self.index.template_generation:
            self._found.clear()
            self._found_generation = self.index.template_generation
        key = (level, identifier, version, kind, scope, ref)
        found = self._found.get(key)
        if found is None:
            found = self._found[key] = self._find(level, identifier, version, kind, scope, ref)
        return found

    def _find(
        self, level: str, identifier: str, version: str | None, kind: str, scope: Scope, ref: str
    ) -> tuple[TemplateEntry | None, str | None]:
        candidates = [t for t in self.index.templates.get(identifier, ()) if not t.v1 and _in_scope(t.scope, level, scope)]
        if not candidates:
            where = f"at {level} scope" + (f" in {_describe(scope, level)}" if level != "account" and scope.org else "")
            problem = f"no template file with identifier '{identifier}' {where} is among the files analysed"
            elsewhere = sorted({t.scope.level for t in self.index.templates.get(identifier, ())} - {level})
            if elsewhere:
                refs = " or ".join(identifier if lv == "project" else f"{lv}.{identifier}" for lv in elsewhere)
                problem += f" (there is one at {' and '.join(elsewhere)} scope: templateRef {refs})"
            return None, problem
        of_kind = [t for t in candidates if t.type == kind]
        if not of_kind:
            return None, f"template '{identifier}' is a {candidates[0].type} template, used here as a {kind}"
        return self._version(of_kind, identifier, version, ref)

    def _version(
        self, of_kind: list[TemplateEntry], identifier: str, version: str | None, ref: str
    ) -> tuple[TemplateEntry | None, str | None]:
        """The version a use names, else the stable one, else the only one (BL108's reason otherwise)."""
        if version is not None:
            exact = [t for t in of_kind if t.version == version]
            if not exact:
                versions = ", ".join(sorted({str(t.version) for t in of_kind}))
                return None, f"template '{identifier}' has no version '{version}' among the files analysed (found: {versions})"
            return exact[0], None
        stable = self._stable.get(ref) or self._stable.get(identifier)
        if stable is not None:
            exact = [t for t in of_kind if t.version == stable]
            if exact:
                return exact[0], None
            return None, f"the stable version '{stable}' configured for '{ref}' is not among the files analysed"
        versions = sorted({str(t.version) for t in of_kind})
        if len(versions) == 1:
            return of_kind[0], None
        return None, (
            f"template '{identifier}' has several versions ({', '.join(versions)}) and the use names none; which one "
            f"is stable is Harness's server state: write a versionLabel, or set stable-templates = "
            f'{{ "{ref}" = "..." }} in the configuration'
        )


def _value(tree: Tree, node: MappingNode, key: str) -> str | None:
    """A scalar's value (without the span `Tree.text` computes)."""
    found = tree.get(node, key)
    return found.value if isinstance(found, ScalarNode) else None


def _split_ref(ref: str) -> tuple[str, str]:
    head, _, rest = ref.partition(".")
    if rest and head in SCOPES:
        return SCOPES[head], rest
    return "project", ref


def _in_scope(template: Scope, level: str, scope: Scope) -> bool:
    if template.org is None and template.project is None:
        return True  # a template file without ids matches any scope
    if template.level != level:
        return False
    if level == "account":
        return True
    same_org = scope.org is None or template.org == scope.org
    if level == "org":
        return same_org
    return same_org and (scope.project is None or template.project == scope.project)


def _describe(scope: Scope, level: str) -> str:
    return f"org '{scope.org}'" + (f", project '{scope.project}'" if scope.project and level == "project" else "")
