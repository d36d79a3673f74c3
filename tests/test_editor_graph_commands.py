"""The graph commands of the other editors (editors/README.md "Synchronization graph"), run in the real
editors: Neovim's :BarrierLintGraph, Emacs's barrier-lint-graph, and the shell commands of Helix's key
bindings. Each draws the buffer as it is (an unsaved fix included), writes the file and opens it."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from .conftest import ROOT, require_tool
from .test_editor_configs import PIPELINE, emacs_has_eglot_and_yaml_mode, project, run_editor  # noqa: F401 (project: a fixture)

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

EDITORS = ROOT / "editors"
HEADER = "%% barrier-lint synchronization graph (version 1) of release"


@pytest.fixture
def graph_project(project):  # noqa: F811 (test_editor_configs' fixture)
    """test_editor_configs' project, with `barrier-lint` (this interpreter's package) first on PATH too."""
    folder, env, out = project
    tmp = out.parent
    (tmp / "bin" / "barrier-lint").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m barrier_lint "$@"\n')
    (tmp / "bin" / "barrier-lint").chmod(0o755)
    env = {**env, "BARRIER_LINT_VIEWED": str(tmp / "viewed.svg"), "BARRIER_LINT_CHECK_FILE": str(folder / "release.yaml")}
    return folder, env, tmp


def assert_svg(path):
    svg = ET.parse(path).getroot()
    titles = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}title")}
    assert {"n0", "n1", "cluster_c0"} <= titles, titles


def assert_fixed_graph(text):
    assert text.startswith(HEADER + "\nflowchart TB\n")
    assert "not declared" not in text  # the unsaved fix of the misspelt barrierRef is what was drawn


def test_neovim_graph_command(graph_project):
    require_tool(shutil.which("nvim") is not None, "Neovim (apt-get install neovim; .ci/setup-editors.sh)")
    require_tool(shutil.which("dot") is not None, "Graphviz dot (apt-get install graphviz; .ci/setup-graph.sh)")
    folder, env, tmp = graph_project
    result = run_editor(["nvim", "--headless", "--clean", "--cmd", f"luafile {EDITORS / 'neovim' / 'barrier-lint-graph.lua'}",
                         "-c", f"luafile {EDITORS / 'neovim' / 'test' / 'graph.lua'}", "release.yaml"],
                        folder, env, tmp / "result.json")
    mermaid = result["mermaid"]
    assert mermaid["file"].endswith("-barrier-graph.mmd") and mermaid["buffer"] == mermaid["file"]
    assert (mermaid["first"], mermaid["windows"]) == (HEADER, 2)  # opened in a split
    assert_fixed_graph(mermaid["text"] + "\n")
    assert result["svg"]["file"].endswith("-barrier-graph.svg") and result["svg"]["copied"] is True
    assert_svg(tmp / "viewed.svg")
    assert result["modified"] is True  # the buffer itself was left as it was: edited, not saved


def test_emacs_graph_command(graph_project):
    require_tool(emacs_has_eglot_and_yaml_mode(), "Emacs with eglot and yaml-mode (.ci/setup-editors.sh)")
    require_tool(shutil.which("dot") is not None, "Graphviz dot (apt-get install graphviz; .ci/setup-graph.sh)")
    folder, env, tmp = graph_project
    result = run_editor(["emacs", "--batch", "-l", str(EDITORS / "emacs" / "barrier-lint.el"),
                         "-l", str(EDITORS / "emacs" / "test" / "graph.el")], folder, env, tmp / "result.json")
    # Batch Emacs shows no images, so the default is Mermaid, opened in the other window.
    assert result["mermaid"].endswith(".mmd") and result["mermaid_buffer"] == result["mermaid"]
    assert_fixed_graph(pathlib.Path(result["mermaid"]).read_text(encoding="utf-8"))
    assert result["svg"].endswith(".svg")
    assert_svg(result["svg"])
    assert result["modified"] is True


def test_helix_graph_key_bindings(graph_project):
    require_tool(shutil.which("dot") is not None, "Graphviz dot (apt-get install graphviz; .ci/setup-graph.sh)")
    keys = tomllib.loads((EDITORS / "helix" / "config.toml").read_text())["keys"]["normal"]["space"]
    assert keys["G"][:2] == ["save_selection", "select_all"] and keys["G"][3] == "jump_backward"
    assert keys["M"][-1] == ":open /tmp/barrier-lint-graph.mmd"
    folder, env, tmp = graph_project
    # What `:pipe-to` does with the selection (the whole buffer): run the command with it on stdin.
    opener = tmp / "bin" / "xdg-open"
    opener.write_text('#!/bin/sh\ncp "$1" "$BARRIER_LINT_VIEWED"\n')
    opener.chmod(0o755)
    text = PIPELINE.read_text().replace("services_deployd", "services_deployed")
    for binding in ("G", "M"):
        command = keys[binding][2]
        assert command.startswith(":pipe-to ")
        done = subprocess.run(["sh", "-c", command[len(":pipe-to "):]], input=text, cwd=folder, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    assert_svg(tmp / "viewed.svg")
    assert_fixed_graph(pathlib.Path("/tmp/barrier-lint-graph.mmd").read_text(encoding="utf-8"))
