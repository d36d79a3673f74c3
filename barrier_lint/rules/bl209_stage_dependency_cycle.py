from __future__ import annotations

from ..analysis import dependency_cycles, shortest_path
from ..diagnostics import Severity
from ..model import DocumentKind, Stage
from .base import PIPELINES, Finding, Rule


class StageDependencyCycle(Rule):
    """
    ## What it does
    Reports stages whose `dependsOn` (v1: `needs`) form a cycle, a stage that depends on itself included.
    The finding is on the `dependsOn` entry that closes the cycle: in the stage of the cycle written last
    in the file, its first entry that names a stage of the cycle. An entry that names no stage is ignored.
    The ordering rules then treat the stages of the cycle as unordered: none of them is reported as
    running before another, and no Barrier step is reported as sequential with itself.

    ## Why is this bad?
    A stage starts when every stage it depends on has finished. In a cycle each stage waits for another
    one of the cycle, so none of them can ever start: Harness cannot order the pipeline, and the stages
    and every barrier they take part in never run.

    ## Example
    ```yaml
    stages:
      - stage: {identifier: build, dependsOn: [deploy], ...}
      - stage: {identifier: deploy, dependsOn: [build], ...}
    ```

    ## Use instead
    ```yaml
    stages:
      - stage: {identifier: build, dependsOn: [], ...}
      - stage: {identifier: deploy, dependsOn: [build], ...}
    ```
    """

    code = "BL209"
    name = "stage-dependency-cycle"
    severity = Severity.ERROR
    documents = PIPELINES

    def check(self, facts, config):
        stages = [s for s in facts.pipeline.stages if s.identifier is not None and s.depends_on is not None]
        groups = dependency_cycles(facts.pipeline)
        group_of = {name: i for i, group in enumerate(groups) for name in group}
        members: list[list[Stage]] = [[] for _ in groups]
        for s in stages:
            if s.identifier.value in group_of:
                members[group_of[s.identifier.value]].append(s)
        graph = {s.identifier.value: list(s.depends_on or ()) for s in stages}  # type: ignore[union-attr]
        for group, in_group in zip(groups, members):
            last = max(in_group, key=lambda s: (s.key.start_line, s.key.start_col))
            entry = next((e for e in last.depends_on_entries if e.value in group), None)
            closing = entry.value if entry is not None else next(d for d in last.depends_on or () if d in group)
            cycle = _cycle(last, closing, graph, group)
            field = "needs" if facts.document.kind is DocumentKind.V1_PIPELINE else "dependsOn"
            if len(cycle) == 1:
                message = (
                    f"stage {cycle[0]} depends on itself ({field}: {cycle[0]}): it cannot start before it has "
                    "finished, so it never runs"
                )
            else:
                loop = " -> ".join(cycle + [cycle[0]])
                message = (
                    f"the {field} of stages {loop} form a cycle: each waits for another of them to finish, "
                    "so none of them ever starts"
                )
            span = entry.span if entry is not None else last.key  # (a reader that kept no entry spans)
            yield Finding(span, message, tree_path=f"{last.subject} > {field} {closing}")


def _cycle(last: Stage, first_step: str, graph: dict[str, list[str]], group: set[str]) -> list[str]:
    """The stages of the shortest cycle from `last` through its entry `first_step`, starting at `last`
    (`graph`: each DAG stage's `dependsOn`, made once for every group)."""
    start = last.identifier.value  # type: ignore[union-attr]
    if first_step == start:
        return [start]
    back = shortest_path(graph, group, first_step, start) or [first_step, start]  # (always found: one group)
    return [start] + back[:-1]
