"""The markdown output format (each error with its part of the synchronization graph as a Mermaid block)
and the GitHub Action writing it to the job summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from barrier_lint.graph import focus, graph_of
from barrier_lint.linter import lint_parsed
from barrier_lint.output.markdown import cell
from barrier_lint.parse import parse

from .test_cli_integrations import RELEASE, _action_steps, run_main


@pytest.fixture
def release(tmp_path):
    (tmp_path / "release.yaml").write_text(RELEASE)
    return tmp_path

BL203_BLOCK = """\
#### ❌ BL203 sequential-barrier-participants, line 24 column 88

barrier 'ready' is also used at line 16 (stage build), which must finish before this step (stage deploy) can start, so the earlier step waits for this one until its timeout

```mermaid
%% barrier-lint synchronization graph (version 1) of release
flowchart TB
  n3{{"ready<br/>Ready"}}
  subgraph c0["stage build"]
    direction TB
    n0["wait"]
  end
  subgraph c1["stage deploy"]
    direction TB
    n1["wait"]
  end
  c0 --> c1
  n0 --- n3
  n1 --- n3
  n0 ==>|"finishes before"| n1
"""


def test_markdown_lists_every_finding_and_draws_each_error(release, monkeypatch):
    status, out, _ = run_main(["--format", "markdown", "release.yaml"], monkeypatch, release)
    assert status == 1
    assert out.startswith(
        "## barrier-lint\n\n**2 errors**, 1 warning in 1 file (1 checked).\n\n### `release.yaml`\n\n"
        "| | Line | Rule | Message |\n|---|---|---|---|\n"
        "| ⚠️ | 7:35 | BL105 unused-barrier | barrier 'spare' is declared but no Barrier step uses it |\n"
    )
    assert BL203_BLOCK in out
    # The warning has no diagram; each error has one.
    assert [m for m in re.findall(r"^#### .*$", out, re.MULTILINE)] == [
        "#### ❌ BL203 sequential-barrier-participants, line 24 column 88",
        "#### ❌ BL101 undeclared-barrier, line 25 column 90",
    ]
    assert out.count("```mermaid\n") == 2


def test_markdown_with_nothing_found(tmp_path, monkeypatch):
    (tmp_path / "ok.yaml").write_text(RELEASE.replace("redy", "ready").replace("    - {name: Spare, identifier: spare}\n", ""))
    status, out, _ = run_main(["--format", "markdown", "--ignore", "BL203,BL105", "ok.yaml"], monkeypatch, tmp_path)
    assert (status, out) == (0, "## barrier-lint\n\nNo barrier problems (1 file checked).\n")


def test_cells_cannot_break_the_table_or_inject_html():
    assert cell("a|b <img src=x> & c\nd") == "a\\|b &lt;img src=x&gt; &amp; c d"


def test_a_crossed_order_diagram_holds_the_whole_cycle():
    text = (
        "pipeline:\n  identifier: p\n  flowControl: {barriers: [{name: x, identifier: x}, {name: y, identifier: y}]}\n"
        "  stages:\n    - parallel:\n"
        + "".join(
            f"        - {{stage: {{identifier: {s}, type: Custom, spec: {{execution: {{steps: ["
            f"{{step: {{type: Barrier, identifier: {s}1, spec: {{barrierRef: {a}}}}}}}, "
            f"{{step: {{type: Barrier, identifier: {s}2, spec: {{barrierRef: {b}}}}}}}]}}}}}}}}\n"
            for s, a, b in (("a", "x", "y"), ("b", "y", "x"))
        )
    )
    parsed = parse(text)
    graph = graph_of(parsed, lint_parsed(parsed))
    part = focus(graph, 0)
    assert [n["label"] for n in part["nodes"]] == ["a1", "a2", "b1", "b2", "x", "y"]
    assert [(e["source"], e["target"]) for e in part["edges"] if e["kind"] == "deadlock"] == [("n0", "n1"), ("n2", "n3")]


def test_action_appends_the_markdown_summary_to_the_job_summary(release):
    """The Action's own script, as the runner runs it, with a fake GITHUB_STEP_SUMMARY."""
    steps, inputs = _action_steps()
    step = next(s for s in steps if s.get("name") == "Run barrier-lint")
    assert inputs["job-summary"]["default"] == "true"
    values = {name: spec.get("default", "") for name, spec in inputs.items()}
    values.update({"paths": "release.yaml"})
    env = {key: values[re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", expr)[1]] for key, expr in step["env"].items()}
    bin_dir = release / "bin"
    bin_dir.mkdir()
    (bin_dir / "barrier-lint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m barrier_lint "$@"\n')
    (bin_dir / "barrier-lint").chmod(0o755)
    summary = release / "step_summary.md"
    summary.write_text("# an earlier step's summary\n")
    environment = {**os.environ, **env, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "GITHUB_ACTIONS": "true",
                   "GITHUB_STEP_SUMMARY": str(summary)}
    result = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=release, env=environment, capture_output=True, text=True)
    assert result.returncode == 1, result.stderr  # the findings' status survives writing the summary
    written = summary.read_text()
    assert written.startswith("# an earlier step's summary\n## barrier-lint\n\n**2 errors**, 1 warning in 1 file")
    assert BL203_BLOCK in written
    assert [a.split(" ", 1)[0] for a in result.stdout.splitlines() if a.startswith("::")] == ["::warning", "::error", "::error"]

    # job-summary: false writes nothing there.
    summary.write_text("")
    environment["INPUT_JOB_SUMMARY"] = "false"
    subprocess.run(["bash", "-e", "-c", step["run"]], cwd=release, env=environment, capture_output=True, text=True)
    assert summary.read_text() == ""
