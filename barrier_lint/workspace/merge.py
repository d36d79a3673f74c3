"""Harness's template merge, on composed nodes (harness-barriers.md section 5).

The resolved body of a use is the template's body with the use's `templateInputs` filled in:
- inputs are matched to the body by path; list entries by their wrapper key (`stage`, `step`, `stepGroup`,
  `insert`) and `identifier`, never by position, with `parallel` nesting looked through;
- an input replaces a template value only where the template says `<+input>` (with or without
  `.default(...)` / `.allowedValues(...)`), and then it may replace a whole subtree (`when: <+input>`);
  an input that is itself `<+input>` keeps the template's value, validators included;
- a literal in the template wins; an input given for a Barrier step's `barrierRef` or `timeout` that the
  template fixes is recorded (Harness rejects it on save: BL109);
- a flexible template's `insert` slot takes what the use gives for that slot's identifier.

Nothing is copied that the inputs do not change: unchanged subtrees are the template's own nodes, so they
keep their file and position; merged mappings and lists are new nodes with the template's marks.
"""

from __future__ import annotations

from ..model import is_runtime_input
from ..syntax import MappingNode, Node, ScalarNode, SequenceNode

WRAPPERS = ("stage", "step", "stepGroup", "insert")
ENTRY_KEYS = frozenset((*WRAPPERS, "parallel"))  # what a list entry is wrapped in
BARRIER_FIELDS = ("barrierRef", "timeout")
Fixed = list[tuple[ScalarNode, str, str]]  # (input value node, field, the template's literal)


def merge(template: Node, inputs: Node | None, fixed: Fixed) -> Node:
    """The template node with `inputs` filled in where the template asks for them."""
    return _merge(template, inputs, fixed, barrier_step=False, field=None)


def _merge(template: Node, inputs: Node | None, fixed: Fixed, barrier_step: bool, field: str | None) -> Node:
    if inputs is None:
        return template
    kind = type(template)
    if kind is ScalarNode:
        value = template.value
        if "<+input" in value and is_runtime_input(value):  # (the substring first: most values are literals)
            if type(inputs) is ScalarNode and is_runtime_input(inputs.value):
                return template  # still asked at run time, with the template's validators
            return inputs
        if barrier_step and field in BARRIER_FIELDS and type(inputs) is ScalarNode:
            fixed.append((inputs, field, value))
        return template
    if kind is MappingNode and type(inputs) is MappingNode:
        return _merge_mapping(template, inputs, fixed, barrier_step, field)
    if kind is SequenceNode and type(inputs) is SequenceNode:
        return _merge_list(template, _entries_by_identity(inputs), fixed)
    return template


def _merge_mapping(template: MappingNode, inputs: MappingNode, fixed: Fixed, barrier_step: bool, field: str | None) -> Node:
    given = {k.value: v for k, v in inputs.value if type(k) is ScalarNode}
    if not given:
        return template
    # Whether this is a Barrier step matters only for the keys under which its fixed fields sit.
    is_barrier = ("timeout" in given or "spec" in given) and _scalar(template, "type") == "Barrier"
    spec_of_barrier = barrier_step and field == "spec"
    pairs = template.value
    for i, (key, value) in enumerate(pairs):
        if type(key) is ScalarNode and key.value in given:
            name = key.value
            # `timeout` sits on the step, `barrierRef` under its `spec`.
            inner_barrier = (is_barrier and name in ("timeout", "spec")) or spec_of_barrier
            merged = _merge(value, given[name], fixed, inner_barrier, name)
            if merged is not value:
                if pairs is template.value:
                    pairs = list(pairs)  # copied on the first change only
                pairs[i] = (key, merged)
    return template if pairs is template.value else template.copy(pairs)


def _merge_list(template: SequenceNode, given: dict[tuple[str, str], MappingNode], fixed: Fixed) -> Node:
    items = []
    changed = False
    for entry in template.value:
        merged = _merge_entry(entry, given, fixed)
        changed = changed or merged is not entry
        items.append(merged)
    if not changed:
        return template
    return template.copy(items)


def _merge_entry(entry: Node, given: dict[tuple[str, str], MappingNode], fixed: Fixed) -> Node:
    if not isinstance(entry, MappingNode):
        return entry
    wrapper, inner = _wrapper(entry)
    if wrapper == "parallel" and isinstance(inner, SequenceNode):
        merged = _merge_list(inner, given, fixed)
        return entry if merged is inner else _mapping_like(entry, _replace(entry, "parallel", merged))
    if wrapper is None or not isinstance(inner, MappingNode):
        return entry
    identifier = _scalar(inner, "identifier")
    supplied = given.get((wrapper, identifier or ""))
    if supplied is None:
        return entry
    supplied_inner = _wrapper(supplied)[1]
    if wrapper == "insert":
        merged = _fill_slot(inner, supplied_inner)
    else:
        merged = _merge(inner, supplied_inner, fixed, barrier_step=False, field=None)
    return entry if merged is inner else _mapping_like(entry, _replace(entry, wrapper, merged))


def _fill_slot(slot: MappingNode, supplied: Node | None) -> Node:
    """A flexible template's `insert` slot: the use supplies its steps or stages."""
    if not isinstance(supplied, MappingNode):
        return slot
    own = {k.value for k, _ in slot.value if isinstance(k, ScalarNode)}
    extra = [(k, v) for k, v in supplied.value if isinstance(k, ScalarNode) and k.value not in own]
    return _mapping_like(slot, list(slot.value) + extra) if extra else slot


def _entries_by_identity(inputs: SequenceNode) -> dict[tuple[str, str], MappingNode]:
    """Input list entries by (wrapper key, identifier), looking through `parallel` nesting."""
    found: dict[tuple[str, str], MappingNode] = {}
    stack = [inputs]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for entry in node.value:
            if not isinstance(entry, MappingNode):
                continue
            wrapper, inner = _wrapper(entry)
            if wrapper == "parallel" and isinstance(inner, SequenceNode):
                stack.append(inner)
            elif wrapper is not None and isinstance(inner, MappingNode):
                found.setdefault((wrapper, _scalar(inner, "identifier") or ""), entry)
    return found


def overlay(body: Node, wrapper: MappingNode, extra: MappingNode | None = None) -> Node:
    """The resolved body of a use: the merged template body under the keys written beside `template:` on
    the wrapper (name, identifier, dependsOn, ...; one written after `template:` wins over the template's),
    then `templateOverrides` (`when`, `strategy`, failure strategies) on top."""
    if not isinstance(body, MappingNode):
        return body
    pairs = list(body.value)
    index = {k.value: i for i, (k, _) in enumerate(pairs) if isinstance(k, ScalarNode)}
    after_template = False
    for key, value in wrapper.value:
        if not isinstance(key, ScalarNode):
            continue
        if key.value == "template":
            after_template = True
            continue
        _put(pairs, index, key, value, replace=after_template)
    if isinstance(extra, MappingNode):
        for key, value in extra.value:
            if isinstance(key, ScalarNode):
                _put(pairs, index, key, value, replace=True)
    return _mapping_like(body, pairs)


def _put(pairs: list, index: dict[str, int], key: ScalarNode, value: Node, replace: bool) -> None:
    if key.value in index:
        if replace:
            pairs[index[key.value]] = (key, value)
    else:
        index[key.value] = len(pairs)
        pairs.append((key, value))


def _wrapper(entry: MappingNode) -> tuple[str | None, Node | None]:
    for key, value in entry.value:
        if type(key) is ScalarNode and key.value in ENTRY_KEYS:
            return key.value, value
    return None, None


def _scalar(node: Node, key: str) -> str | None:
    if type(node) is MappingNode:
        for k, v in reversed(node.value):
            if type(k) is ScalarNode and k.value == key:
                return v.value if type(v) is ScalarNode else None
    return None


def _replace(node: MappingNode, key: str, value: Node) -> list:
    return [(k, value) if isinstance(k, ScalarNode) and k.value == key else (k, v) for k, v in node.value]


def _mapping_like(node: MappingNode, pairs: list) -> MappingNode:
    return node.copy(pairs)


def combine(earlier: Node | None, later: Node | None) -> Node | None:
    """Two sets of runtime values layered (an overlay input set): the later wins wherever both give one;
    list entries are matched as in `merge`, by wrapper key and identifier."""
    if earlier is None:
        return later
    if later is None:
        return earlier
    if isinstance(earlier, MappingNode) and isinstance(later, MappingNode):
        given = {k.value: (k, v) for k, v in later.value if isinstance(k, ScalarNode)}
        pairs = []
        for key, value in earlier.value:
            if isinstance(key, ScalarNode) and key.value in given:
                pairs.append((key, combine(value, given.pop(key.value)[1])))
            else:
                pairs.append((key, value))
        pairs.extend(given.values())
        return _mapping_like(later, pairs)
    if isinstance(earlier, SequenceNode) and isinstance(later, SequenceNode):
        later_entries = _entries_by_identity(later)
        items, used = [], set()
        for entry in earlier.value:
            wrapper, inner = _wrapper(entry) if isinstance(entry, MappingNode) else (None, None)
            key = (wrapper, _scalar(inner, "identifier") or "") if wrapper not in (None, "parallel") else None
            if key is not None and key in later_entries:
                used.add(key)
                entry = _mapping_like(entry, _replace(entry, wrapper, combine(inner, _wrapper(later_entries[key])[1])))
            items.append(entry)
        for key, entry in later_entries.items():
            if key not in used:
                items.append(entry)
        return later.copy(items)
    return later
