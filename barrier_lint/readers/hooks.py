"""What a reader asks of the workspace: the body of a template it meets.

Readers know nothing of files. When a reader meets `template: {templateRef, ...}` it asks a `Resolver` (the
workspace layer, `barrier_lint.workspace`) for the body to read in place of the use; the resolver finds the
template among the workspace's files and merges the use's inputs into it the way Harness does. The nodes of
the body keep their own file in their marks, so everything the reader builds from them keeps its own span,
with an `Origin` that says through which use it was reached.
"""

from __future__ import annotations

from ..model import Span
from ..records import field, record
from ..syntax import MappingNode, Node, ScalarNode, SpansOf, Tree

# `Resolver` is a protocol for type checkers; at run time it is a plain class, so that reading a file does not
# import `typing` (docs/performance.md, "Cold start").
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object

MAX_TEMPLATE_NESTING = 10  # Harness stops resolving deeper ("Exponentially growing template nesting")


@record(slots=True)
class Resolution:
    """The answer to one template use."""

    label: str  # how messages name the template: "deploy_gate@v2"
    body: Node | None = None  # the merged body to read in place of the use; None when not resolved
    file: str | None = None  # the template's file (the mark name of its nodes)
    identity: object = None  # what a cycle of nested uses is detected on
    problem: str | None = None  # why it is not resolved (BL108)
    # templateInputs values for Barrier step fields the template fixes to a literal (BL109):
    # (the input's value node, the field, the template's literal)
    fixed: list[tuple[ScalarNode, str, str]] = field(default_factory=list)
    size: int = 0  # distinct collections the body brings: the reader's walk budget grows by as many
    at: Span | None = None  # where the template says who it is, in its own file (for go-to-definition)


class Resolver(Protocol):
    spans_of: SpansOf

    def resolve(
        self, tree: Tree, wrapper: MappingNode, template: MappingNode, kind: str, scope: tuple[str | None, str | None]
    ) -> Resolution:
        """Resolve the use `template` (the `template:` mapping inside `wrapper`) of a template of `kind`
        (Pipeline, Stage, StepGroup, Step), for a root pipeline in `scope` (its org and project ids)."""
        ...

    def resolve_v1(self, uses: str, kind: str) -> Resolution:
        """Resolve a v1 use (`template: {uses: id[@version]}`) of a template of `kind` to the template's body."""
        ...

    def resolve_chain(
        self, tree: Tree, stage: MappingNode, spec: MappingNode, scope: tuple[str | None, str | None]
    ) -> Resolution:
        """Resolve a `type: Pipeline` stage to its child pipeline's body, the stage's `spec.inputs` merged in."""
        ...
