"""A real editor: headless Neovim 0.7 (Debian's) drives the server through tests/nvim/lsp_test.lua.

It opens a pipeline with a misspelt barrierRef on a line with `é` and an emoji, checks the diagnostics'
codes and byte columns, asks for completion on a barrierRef, fixes the typo in the buffer and waits for
the diagnostic to clear. Skipped when nvim is missing, unless BARRIER_LINT_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

from tests.conftest import require_tool
from tests.lsp_fixtures.harness import HERE, ROOT

SCRIPT = ROOT / "tests" / "nvim" / "lsp_test.lua"


def run_nvim(nvim: str, path, cwd, wait_ms: int = 60000) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "BARRIER_LINT_PYTHON": sys.executable,
        "BARRIER_LINT_NVIM_WAIT_MS": str(wait_ms),
        "HOME": str(cwd),
        "XDG_STATE_HOME": str(cwd),
    }
    return subprocess.run(
        [nvim, "--headless", "--clean", "-c", f"luafile {SCRIPT}", str(path)],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=240,
    )


def test_neovim_diagnostics_completion_and_edit(tmp_path):
    nvim = shutil.which("nvim")
    require_tool(nvim is not None, "nvim (apt-get install neovim)")
    pipeline = tmp_path / "release.yaml"
    shutil.copy(HERE / "release.yaml", pipeline)
    result = run_nvim(nvim, pipeline, tmp_path)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "OK" in result.stderr
    assert pipeline.read_text(encoding="utf-8") == (HERE / "release.yaml").read_text(encoding="utf-8")


def test_neovim_check_fails_on_a_clean_pipeline(tmp_path):
    """The script is not a test that cannot fail: without the mistake it reports the missing diagnostics."""
    nvim = shutil.which("nvim")
    require_tool(nvim is not None, "nvim (apt-get install neovim)")
    pipeline = tmp_path / "release.yaml"
    pipeline.write_text((HERE / "release.yaml").read_text(encoding="utf-8").replace("services_deployd", "old_gate"))
    result = run_nvim(nvim, pipeline, tmp_path, wait_ms=3000)
    assert result.returncode == 1
    # Two BL202 arrive (or none yet, on a slow machine), never the three the script waits for.
    assert "FAIL: fewer than 3 diagnostics within 3000 ms: '" in result.stderr
