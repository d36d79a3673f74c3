"""The editor configurations in editors/ load in their real editors and get barrier-lint's diagnostics and
completions: Neovim (Debian's 0.7) with each Neovim config, Emacs with eglot, and Helix's languages.toml
(Helix is not packaged for Debian 12: its file is checked and the command it starts is run).

Each config starts `barrier-lint-server` from PATH, as users install it; the tests put a stand-in for that
console script first on PATH that runs this interpreter's `-m barrier_lint_server`. Editors that are
missing skip the test, except in CI (BARRIER_LINT_REQUIRE_TOOLS=1), where .ci/setup-editors.sh installs them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from .conftest import ROOT, require_tool
from .test_editor_vscode import MARKER, kill_all, processes_with_marker

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

EDITORS = ROOT / "editors"
PIPELINE = EDITORS / "vscode" / "e2e" / "workspace" / "release.yaml"
DECLARED = {"services_deployed", "database_migrated"}
# The misspelt `barrierRef: services_deployd` (BL101), 1-based line and column, and its end column.
LINE, COLUMN, END_COLUMN = 28, 37, 53
COMPLETE_LINE = 42  # `barrierRef: services_deployed` in the web stage; emptied, then completed


@pytest.fixture
def project(tmp_path):
    """A folder holding the pipeline, and an environment whose PATH has `barrier-lint-server` first."""
    folder = tmp_path / "project"
    folder.mkdir()
    shutil.copyfile(PIPELINE, folder / "release.yaml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "barrier-lint-server"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m barrier_lint_server "$@"\n')
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "BARRIER_LINT_CHECK_OUT": str(tmp_path / "result.json")}
    return folder, env, tmp_path / "result.json"


def run_editor(command, cwd, env, out):
    """Runs the editor to completion; it must exit 0 and leave no server behind."""
    run_id = uuid.uuid4().hex
    try:
        done = subprocess.run(command, cwd=cwd, env={**env, MARKER: run_id}, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
    finally:
        deadline = time.monotonic() + 10  # an editor stops its server as it exits; give that a moment
        while (leftovers := processes_with_marker(run_id)) and time.monotonic() < deadline:
            time.sleep(0.1)
        kill_all(leftovers)
    assert done.returncode == 0, f"{command[0]} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    assert not leftovers, f"{command[0]} left processes running: {leftovers}"
    return json.loads(out.read_text())


def assert_completion(labels):
    assert DECLARED <= set(labels), labels
    assert "services_deployd" not in labels  # never offer the undeclared value


# -- Neovim ---------------------------------------------------------------------------------------------

def nvim(env, *args):
    return ["nvim", "--headless", "--clean", *args]


def check_neovim(project, *config_files):
    require_tool(shutil.which("nvim") is not None, "Neovim (apt-get install neovim; .ci/setup-editors.sh)")
    folder, env, out = project
    env = {**env, "BARRIER_LINT_COMPLETE_LINE": str(COMPLETE_LINE - 1)}
    load = [arg for f in config_files for arg in ("--cmd", f"luafile {f}")]
    result = run_editor(nvim(env, *load, "-c", f"luafile {EDITORS / 'neovim' / 'test' / 'check.lua'}",
                             "release.yaml"), folder, env, out)
    assert result["clients"] == ["barrier_lint"]
    [diagnostic] = result["diagnostics"]
    message = diagnostic.pop("message")
    assert diagnostic == {"code": "BL101", "source": "barrier-lint", "severity": 1,
                          "lnum": LINE - 1, "col": COLUMN - 1, "end_lnum": LINE - 1, "end_col": END_COLUMN - 1}
    assert "'services_deployd'" in message and "'services_deployed'" in message, message
    assert_completion(result["completion"])


def test_neovim_07_config(project):
    """editors/neovim/barrier-lint-0.7.lua as written, on Debian's Neovim 0.7."""
    check_neovim(project, EDITORS / "neovim" / "barrier-lint-0.7.lua")


def test_neovim_011_config(project):
    """editors/neovim/barrier-lint.lua as written. On Neovim < 0.11 a test-only shim supplies
    vim.lsp.config/enable on top of vim.lsp.start_client, so this checks the config's content (command,
    filetypes, settings), not 0.11's own handling of it."""
    check_neovim(project, EDITORS / "neovim" / "test" / "shim-0.11.lua", EDITORS / "neovim" / "barrier-lint.lua")


@pytest.mark.parametrize("name", ["barrier-lint.lua", "barrier-lint-0.7.lua"])
def test_neovim_configs_compile(name, tmp_path):
    require_tool(shutil.which("nvim") is not None, "Neovim (apt-get install neovim; .ci/setup-editors.sh)")
    check = ("lua local ok, err = loadfile(...) if not ok then io.stderr:write(err) vim.cmd('cquit! 1') end")
    path = EDITORS / "neovim" / name
    done = subprocess.run(["nvim", "--headless", "--clean", "-c", check.replace("...", repr(str(path))), "-c", "qall!"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# -- Emacs + eglot --------------------------------------------------------------------------------------

def emacs_has_eglot_and_yaml_mode() -> bool:
    if shutil.which("emacs") is None:
        return False
    done = subprocess.run(["emacs", "--batch", "--eval", "(progn (require 'eglot) (require 'yaml-mode))"],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    return done.returncode == 0


def test_emacs_eglot_config(project):
    """editors/emacs/barrier-lint.el in Emacs (batch) with eglot: eglot-ensure connects, flymake shows the
    server's diagnostic, completion-at-point offers the declared barriers."""
    require_tool(emacs_has_eglot_and_yaml_mode(), "Emacs with eglot and yaml-mode "
                 "(apt-get install emacs-nox elpa-eglot elpa-yaml-mode; .ci/setup-editors.sh)")
    folder, env, out = project
    env = {**env, "BARRIER_LINT_CHECK_FILE": str(folder / "release.yaml"),
           "BARRIER_LINT_COMPLETE_LINE": str(COMPLETE_LINE)}
    # Without -Q: Debian's eglot and yaml-mode are found through the site start files.
    result = run_editor(["emacs", "--batch", "-l", str(EDITORS / "emacs" / "barrier-lint.el"),
                         "-l", str(EDITORS / "emacs" / "test" / "check.el")], folder, env, out)
    assert result["server"] == ["barrier-lint-server"]
    [diagnostic] = result["diagnostics"]
    text = diagnostic.pop("text")
    assert diagnostic == {"line": LINE, "column": COLUMN, "end_line": LINE, "end_column": END_COLUMN,
                          "type": "eglot-error"}
    assert "BL101" in text and "'services_deployd'" in text, text
    assert_completion(result["completion"])


# -- Helix ----------------------------------------------------------------------------------------------

def test_helix_languages_toml(project):
    config = tomllib.loads((EDITORS / "helix" / "languages.toml").read_text())
    server = config["language-server"]["barrier-lint"]
    [yaml] = [lang for lang in config["language"] if lang["name"] == "yaml"]
    assert "barrier-lint" in yaml["language-servers"]
    # The command Helix would start is a working language server.
    _, env, _ = project
    command = [shutil.which(server["command"], path=env["PATH"]), *server.get("args", [])]
    assert command[0], f"{server['command']} not on PATH"
    done = subprocess.run([sys.executable, str(EDITORS / "vscode" / "scripts" / "smoke_server.py"), *command],
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    if shutil.which("hx"):  # not packaged for Debian 12; checked where it is installed
        health = subprocess.run(["hx", "--health", "yaml"], env=env, capture_output=True, text=True, timeout=60)
        assert "barrier-lint-server" in health.stdout, health.stdout
