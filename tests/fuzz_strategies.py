"""Hypothesis strategies and the properties every input must keep, shared by the bounded suite
(tests/test_fuzzing.py, in CI) and the long run a person starts (bench/fuzz_long.py).

Three kinds of input:
- `harness_pipelines`: valid Harness YAML built from every construct of harness-barriers.md (declarations,
  stages, `parallel`, `insert`, step groups, rollback steps, `dependsOn`, looping strategies with
  `maxConcurrency`, multi-service deployments, `when`, templates and their uses, chained pipelines,
  `parent.X`, runtime inputs and expressions, input sets, the v1 syntax, several documents), written in
  block or flow style, with anchors and merge keys here and there. They must lint without BL000.
- `yaml_torture`: YAML (valid or not) made of the parser's hard cases: aliases, recursive aliases, merge
  keys, tags, complex keys, flow and block style, directives, documents, block scalars, odd line breaks.
- `corpus_mutations`: byte-level mutations of the real pipelines in ../shared/corpus (absent: none).

The properties (`check_text`, `check_bytes`): no exception, every range inside the document, the same
result twice; for valid Harness YAML, no BL000.
"""

from __future__ import annotations

import json
import pathlib

from hypothesis import strategies as st

from barrier_lint import lint
from barrier_lint.cli import lint_bytes
from barrier_lint.config import Config
from barrier_lint.syntax import decode, split_lines, strip_bom

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "real"
CORPUS_FILES = sorted(p for p in CORPUS.glob("*.y*ml")) if CORPUS.is_dir() else []

# ----------------------------------------------------------------------------------------------- emitting

IDENTS = st.sampled_from(["a", "b", "sync", "deploy_done", "ready", "x_1", "canary_ok", "gate", "Déjà", "s"])


def scalar(value: str) -> str:
    """A YAML scalar for any string: JSON's double-quoted form is valid YAML."""
    return json.dumps(value, ensure_ascii=False)


def emit(value, indent: int = 0, flow: bool = False) -> str:
    """Block-style YAML for dicts/lists of strings; a `Flow` subtree or `flow=True` is written in flow style."""
    if isinstance(value, Flow) or flow:
        return json.dumps(value.value if isinstance(value, Flow) else value, ensure_ascii=False, default=lambda f: f.value)
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        lines = []
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item and not isinstance(item, Flow):
                lines.append(f"{pad}{scalar(key)}:\n{emit(item, indent + 2)}")
            else:
                lines.append(f"{pad}{scalar(key)}: {emit(item, indent + 2)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if not value:
            return "[]"
        lines = []
        for item in value:
            if isinstance(item, dict) and item:
                body = emit(item, indent + 2)
                lines.append(f"{pad}- {body[indent + 2:]}")
            elif isinstance(item, list) and item:
                lines.append(f"{pad}-\n{emit(item, indent + 2)}")
            else:
                lines.append(f"{pad}- {emit(item, indent + 2)}")
        return "\n".join(lines)
    return scalar(str(value))


class Flow:
    """A subtree to write in flow style."""

    def __init__(self, value) -> None:
        self.value = value


@st.composite
def styled(draw, value):
    """Some subtrees in flow style, the rest in block style."""
    if isinstance(value, (dict, list)) and value and draw(st.integers(0, 9)) == 0:
        return Flow(value)
    return value


# ----------------------------------------------------------------------------------------------- Harness

REFS = st.one_of(
    IDENTS,
    st.sampled_from(["<+input>", "<+input>.default(sync)", "<+input>.allowedValues(a,b)", "<+pipeline.name>", "",
                     "parent.sync", "Services Deployed"]),
)
TIMEOUTS = st.sampled_from(["10m", "1h 30m", "1d2h", "5s", "600000", "10m ", "<+input>", "0s", "30s"])


@st.composite
def when(draw, status_key: str):
    out = {}
    if draw(st.booleans()):
        out[status_key] = draw(st.sampled_from(["Success", "Failure", "All"]))
    if draw(st.booleans()):
        out["condition"] = draw(st.sampled_from(["true", "false", "<+pipeline.variables.go> == 'yes'"]))
    return out


@st.composite
def strategy(draw):
    kind = draw(st.sampled_from(["matrix", "repeat", "parallelism"]))
    if kind == "parallelism":
        return {"parallelism": draw(st.sampled_from(["2", "3"]))}
    body = {"env": ["a", "b"]} if kind == "matrix" else {"times": "3"}
    if draw(st.booleans()):
        body["maxConcurrency"] = draw(st.sampled_from(["1", "2", "<+input>"]))
    return {kind: body}


@st.composite
def step(draw, counter):
    counter[0] += 1
    ident = f"st{counter[0]}"
    kind = draw(st.sampled_from(["Barrier", "Barrier", "Barrier", "ShellScript", "Wait"]))
    body: dict = {"type": kind, "name": ident, "identifier": ident}
    if kind == "Barrier":
        spec = {}
        if draw(st.integers(0, 9)):
            spec["barrierRef"] = draw(REFS)
        body["spec"] = spec
        if draw(st.booleans()):
            body["timeout"] = draw(TIMEOUTS)
    else:
        body["spec"] = {"shell": "Bash", "source": {"type": "Inline", "spec": {"script": "echo # not a comment"}}}
    if draw(st.integers(0, 7)) == 0:
        body["strategy"] = draw(strategy())
    if draw(st.integers(0, 5)) == 0:
        body["when"] = draw(when("stageStatus"))
    if draw(st.integers(0, 9)) == 0:  # a step template use
        body = {"name": ident, "identifier": ident, "template": {
            "templateRef": draw(st.sampled_from(["gate", "org.gate", "account.gate"])),
            "versionLabel": draw(st.sampled_from(["v1", "1", "2.0"])),
            "templateInputs": {"type": "Barrier", "spec": {"barrierRef": draw(REFS)}},
        }}
    return {"step": draw(styled(body))}


@st.composite
def step_list(draw, counter, depth: int):
    entries = []
    for _ in range(draw(st.integers(0 if depth else 1, 4))):
        kind = draw(st.integers(0, 9)) if depth > 0 else 0
        if kind < 6:
            entries.append(draw(step(counter)))
        elif kind < 8:
            counter[0] += 1
            group: dict = {"name": f"g{counter[0]}", "identifier": f"g{counter[0]}", "steps": draw(step_list(counter, depth - 1))}
            if draw(st.integers(0, 4)) == 0:
                group["strategy"] = draw(strategy())
            if draw(st.integers(0, 4)) == 0:
                group["when"] = draw(when("stageStatus"))
            if draw(st.integers(0, 5)) == 0:
                group["rollbackSteps"] = draw(step_list(counter, depth - 1))
            entries.append({"stepGroup": group})
        elif kind < 9:
            entries.append({"parallel": draw(step_list(counter, depth - 1))})
        else:
            counter[0] += 1
            entries.append({"insert": {"identifier": f"i{counter[0]}", "name": "slot", "steps": draw(step_list(counter, depth - 1))}})
    return entries


@st.composite
def stage(draw, counter, names: list[str]):
    counter[0] += 1
    ident = f"stage{counter[0]}"
    names.append(ident)
    kind = draw(st.sampled_from(["Deployment", "Custom", "Custom", "CI", "Approval", "Pipeline"]))
    body: dict = {"name": ident, "identifier": ident, "type": kind}
    if kind == "Pipeline":
        body["spec"] = {"org": "o", "project": "p", "pipeline": "child", "inputs": {"identifier": "child"}}
    else:
        execution = {"steps": draw(step_list(counter, 2))}
        if draw(st.integers(0, 3)) == 0:
            execution["rollbackSteps"] = draw(step_list(counter, 1))
        spec: dict = {"execution": execution}
        if kind == "Deployment" and draw(st.integers(0, 3)) == 0:
            spec["services"] = {"values": [{"serviceRef": "api"}, {"serviceRef": "web"}],
                                "metadata": {"parallel": draw(st.sampled_from(["true", "false"]))}}
        if kind == "Deployment" and draw(st.integers(0, 5)) == 0:
            spec["environments"] = {"values": [{"environmentRef": "qa"}], "metadata": {"parallel": "true"}}
        body["spec"] = spec
    if draw(st.integers(0, 5)) == 0:
        body["strategy"] = draw(strategy())
    if draw(st.integers(0, 5)) == 0:
        body["when"] = draw(when("pipelineStatus"))
    if draw(st.integers(0, 3)) == 0:  # dependsOn: earlier stages, itself, a later or unknown one (cycles)
        pool = names + ["stage999", f"stage{counter[0] + 1}"]
        body["dependsOn"] = draw(st.lists(st.sampled_from(pool), max_size=3, unique=True))
    if draw(st.integers(0, 11)) == 0:  # a stage template use
        body = {"name": ident, "identifier": ident, "template": {
            "templateRef": "deploy_stage", "versionLabel": "v2",
            "templateInputs": {"type": "Custom", "spec": {"execution": {"steps": draw(step_list(counter, 1))}}},
        }}
    return {"stage": draw(styled(body))}


@st.composite
def stage_list(draw, counter, names: list[str]):
    entries = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 9))
        if kind < 6:
            entries.append(draw(stage(counter, names)))
        elif kind < 9:
            entries.append({"parallel": [draw(stage(counter, names)) for _ in range(draw(st.integers(1, 3)))]})
        else:
            entries.append({"insert": {"identifier": "slot", "name": "slot", "stages": [draw(stage(counter, names))]}})
    return entries


@st.composite
def pipeline_body(draw):
    counter, names = [0], []
    body: dict = {"name": "Release", "identifier": "release", "projectIdentifier": "p", "orgIdentifier": "o"}
    if draw(st.integers(0, 5)):
        declared = draw(st.lists(IDENTS, max_size=4))
        entries = []
        for ident in declared:
            entry = {"name": ident.upper(), "identifier": ident}
            if draw(st.integers(0, 15)) == 0:
                entry.pop(draw(st.sampled_from(["name", "identifier"])))
            entries.append(entry)
        body["flowControl"] = {"barriers": entries}
    body["stages"] = draw(stage_list(counter, names))
    return body


@st.composite
def v1_steps(draw, counter, depth: int):
    steps = []
    for _ in range(draw(st.integers(1, 3))):
        counter[0] += 1
        kind = draw(st.integers(0, 5)) if depth else 0
        if kind < 3:
            body: dict = {"id": f"w{counter[0]}", "barrier": {"name": draw(REFS)}}
            if draw(st.booleans()):
                body["timeout"] = draw(TIMEOUTS)
            if draw(st.integers(0, 5)) == 0:
                body["if"] = draw(st.sampled_from(["true", "<+pipeline.x> == 1"]))
            steps.append(body)
        elif kind < 4:
            steps.append({"run": {"script": "make"}})
        elif kind < 5:
            steps.append({"parallel": {"steps": draw(v1_steps(counter, depth - 1))}})
        else:
            steps.append({"id": f"g{counter[0]}", "group": {"steps": draw(v1_steps(counter, depth - 1))}})
    return steps


@st.composite
def v1_pipeline(draw):
    """The v1 simplified syntax (harness-barriers.md section 8): `barriers` strings, stages without a
    `stage:` wrapper, `parallel` and `group` mappings, `needs`, `rollback`, `if`, `strategy.max-parallel`."""
    counter, names, stages = [0], [], []
    for _ in range(draw(st.integers(1, 4))):
        def one() -> dict:
            counter[0] += 1
            name = f"v{counter[0]}"
            names.append(name)
            stage: dict = {"id": name, "steps": draw(v1_steps(counter, 2))}
            if draw(st.integers(0, 3)) == 0:
                stage["rollback"] = draw(v1_steps(counter, 0))
            if draw(st.integers(0, 3)) == 0:
                stage["needs"] = draw(st.lists(st.sampled_from(names + ["v99"]), max_size=2, unique=True))
            if draw(st.integers(0, 5)) == 0:
                stage["strategy"] = {"matrix": {"a": ["1", "2"]}, "max-parallel": "1"}
            return stage

        shape = draw(st.integers(0, 5))
        if shape == 0:
            stages.append({"parallel": {"stages": [one(), one()]}})
        elif shape == 1:
            stages.append({"group": {"stages": [one()]}})
        else:
            stages.append(one())
    return {"pipeline": {"id": "release", "barriers": draw(st.lists(IDENTS, max_size=3)), "stages": stages}}


@st.composite
def harness_document(draw):
    kind = draw(st.sampled_from(["pipeline"] * 6 + ["pipeline-template", "stage-template", "step-group-template",
                                                    "step-template", "input-set", "v1"]))
    if kind == "pipeline":
        return {"pipeline": draw(pipeline_body())}
    if kind == "v1":
        return draw(v1_pipeline())
    counter, names = [0], []
    if kind == "pipeline-template":
        spec = draw(pipeline_body())
        return {"template": {"name": "T", "identifier": "t", "versionLabel": "v1", "type": "Pipeline", "spec": spec}}
    if kind == "stage-template":
        spec = draw(stage(counter, names))["stage"]
        spec = spec.value if isinstance(spec, Flow) else spec
        spec = {k: v for k, v in spec.items() if k not in ("name", "identifier")}
        return {"template": {"name": "T", "identifier": "t", "versionLabel": "v1", "type": "Stage", "spec": spec}}
    if kind == "step-group-template":
        spec = {"stageType": "Custom", "steps": draw(step_list(counter, 2))}
        return {"template": {"name": "T", "identifier": "t", "versionLabel": "v1", "type": "StepGroup", "spec": spec}}
    if kind == "step-template":
        spec = {"type": "Barrier", "spec": {"barrierRef": draw(REFS)}, "timeout": draw(TIMEOUTS)}
        return {"template": {"name": "T", "identifier": "t", "versionLabel": "v1", "type": "Step", "spec": spec}}
    return {"inputSet": {"identifier": "is", "orgIdentifier": "o", "projectIdentifier": "p",
                         "pipeline": {"identifier": "release", "stages": [{"stage": {"identifier": "stage1"}}]}}}


@st.composite
def harness_pipelines(draw) -> str:
    """Valid Harness YAML text: one to three documents, block or flow style, LF or CRLF, with a comment,
    a suppression or an anchor/merge key now and then."""
    documents = [draw(harness_document()) for _ in range(draw(st.sampled_from([1, 1, 1, 1, 2, 3])))]
    texts = []
    for document in documents:
        text = emit(document, flow=draw(st.integers(0, 9)) == 0) + "\n"
        if draw(st.integers(0, 5)) == 0:  # a suppression comment on some line
            lines = text.split("\n")
            at = draw(st.integers(0, max(0, len(lines) - 2)))
            if not lines[at].rstrip().endswith((":", "|", ">")):
                code = draw(st.sampled_from(["BL101", "BL202", "single-participant", "BL999"]))
                lines[at] += f"  # barrier-lint: disable={code}"
            text = "\n".join(lines)
        if draw(st.integers(0, 7)) == 0 and '"pipeline":\n' in text:  # anchors and a merge key
            text = text.replace('"pipeline":\n', '"defaults": &d {"timeout": "10m"}\n"pipeline":\n', 1)
            text = text.replace('"type": "Barrier",', '"type": "Barrier", <<: *d,', 1)
        texts.append(text)
    text = "---\n".join(texts)
    if draw(st.integers(0, 7)) == 0:
        text = text.replace("\n", "\r\n")
    if draw(st.integers(0, 15)) == 0:
        text = "\ufeff" + text
    return text


# ----------------------------------------------------------------------------------------------- torture

_LEAVES = st.sampled_from([
    "x", "'q # not a comment'", '"d\\u2028e"', '"tab\\there"', "~", "null", "1e3", "!!str 5", "!custom v", "*a", "*b",
    "*missing", "&a v", "&b [1, *a]", "''", '""', "|\n  block # no\n", ">-\n  folded\n", "<+input>", "é🚀", "\u2028",
    "[", "]", "{", "}", ":", "? ", "- ", "#c", "\t", "&r [*r]", "&m {k: *m}", "!!binary aGk=", "<<: *a", "@", "`",
])
_KEYS = st.sampled_from(["a", "b", "pipeline", "stages", "stage", "steps", "step", "type", "barrierRef", "spec", "<<",
                         "? [x, y]", "? {k: v}", "!!str k", "&k key", "*k", "'quoted key'", "dependsOn", "parallel"])


def _torture_node(children):
    return st.one_of(
        st.builds(lambda items: "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}", st.lists(st.tuples(_KEYS, children), max_size=4)),
        st.builds(lambda items: "[" + ", ".join(items) + "]", st.lists(children, max_size=4)),
        st.builds(lambda anchor, node: f"&{anchor} {node}", st.sampled_from("abrm"), children),
        st.builds(lambda tag, node: f"{tag} {node}", st.sampled_from(["!!map", "!!seq", "!local", "!<tag:x>"]), children),
    )


_FLOW = st.recursive(_LEAVES, _torture_node, max_leaves=12)


@st.composite
def _block(draw, depth: int, indent: int) -> str:
    pad = " " * indent
    lines = []
    for _ in range(draw(st.integers(1, 4))):
        key = draw(_KEYS)
        if depth > 0 and draw(st.booleans()):
            anchor = draw(st.sampled_from(["", "&a ", "&b ", "&r ", "!!map "]))
            lines.append(f"{pad}{key}: {anchor}\n{draw(_block(depth - 1, indent + 2))}")
        elif depth > 0 and draw(st.integers(0, 3)) == 0:
            items = "".join(f"{pad}  - {draw(_FLOW)}\n" for _ in range(draw(st.integers(1, 3))))
            lines.append(f"{pad}{key}:\n{items}".rstrip("\n"))
        else:
            lines.append(f"{pad}{key}: {draw(_FLOW)}")
    return "\n".join(lines)


@st.composite
def yaml_torture(draw) -> str:
    documents = []
    for _ in range(draw(st.integers(1, 3))):
        prefix = draw(st.sampled_from(["", "", "%YAML 1.2\n---\n", "%TAG !e! tag:example.com,2000:\n---\n", "--- ", "---\n"]))
        body = draw(_block(3, 0)) if draw(st.booleans()) else draw(_FLOW)
        suffix = draw(st.sampled_from(["\n", "\n...\n", "", "\n# end\n"]))
        documents.append(prefix + body + suffix)
    text = "".join(documents)
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    return text.replace("\n", newline)


# ----------------------------------------------------------------------------------------------- mutations

_INSERTS = [b"\x00", b"\xff", b"\xc3", b"\t", b"&a ", b"*a", b"<<: *a\n", b"[", b"{", b"\n  - ", b"\r", b"\xe2\x80\xa8",
            b"\xef\xbb\xbf", b'"', b"'", b"#", b": ", b"? ", b"\n---\n", b"!!str ", b"barrierRef: x\n"]


@st.composite
def corpus_mutations(draw) -> bytes:
    data = bytearray(CORPUS_FILES[draw(st.integers(0, len(CORPUS_FILES) - 1))].read_bytes()) if CORPUS_FILES else bytearray(b"a: 1\n")
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.integers(0, 5))
        if op == 0:
            data[at] = draw(st.integers(0, 255))
        elif op == 1:
            data[at:at] = draw(st.sampled_from(_INSERTS))
        elif op == 2:
            del data[at : at + draw(st.integers(1, 64))]
        elif op == 3:
            length = draw(st.integers(1, 200))
            data[at:at] = data[at : at + length]
        elif op == 4:
            del data[at:]
        else:
            data[at:at] = draw(st.binary(max_size=8))
    return bytes(data)


# ----------------------------------------------------------------------------------------------- properties


def summary(diagnostics) -> list[tuple]:
    return [
        (d.code, d.span.start_line, d.span.start_col, d.span.end_line, d.span.end_col, d.message,
         tuple((r.span.start_line, r.span.start_col, r.message) for r in d.related))
        for d in diagnostics
    ]


def ranges_inside(text: str, diagnostics) -> None:
    lines = split_lines(strip_bom(text))
    for d in diagnostics:
        spans = [d.span] + [r.span for r in d.related if r.span.origin is None]
        for span in spans:
            assert (span.start_line, span.start_col) <= (span.end_line, span.end_col), (d.code, span)
            for line, col in ((span.start_line, span.start_col), (span.end_line, span.end_col)):
                assert 0 <= line < len(lines), (d.code, d.message, span, len(lines))
                assert 0 <= col <= len(lines[line]), (d.code, d.message, span, len(lines[line]))


def check_text(text: str, *, valid_harness: bool = False) -> list:
    """The properties for text (what the language server receives); returns the findings."""
    first = lint(text, assume_harness=True)
    assert summary(first) == summary(lint(text, assume_harness=True)), "not deterministic"
    ranges_inside(text, first)
    if valid_harness:
        assert [d.message for d in first if d.code == "BL000"] == [], text
    return first


def check_bytes(data: bytes) -> list:
    """The properties for file contents (what the CLI reads); returns the findings."""
    first = lint_bytes(data, Config(), True)
    assert summary(first) == summary(lint_bytes(data, Config(), True)), "not deterministic"
    text, problem = decode(data)
    if problem is None:
        ranges_inside(text, first)
    return first
