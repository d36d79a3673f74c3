"""A second real client: Emacs 28 with eglot 1.9 applies the server's quick fix and rename.

eglot talks UTF-16 and its buffers count characters, so a misplaced column on the line with `é` and an
emoji would show here as a wrong offset or a mangled line. The user-facing Emacs configuration is tested
by tests/test_editor_configs.py; this only tests the server's behaviour. Skipped when Emacs or eglot is
missing, unless BARRIER_LINT_REQUIRE_TOOLS=1.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from tests.conftest import require_tool
from tests.lsp_fixtures.harness import HERE

SCRIPT = HERE / "eglot_edits.el"
RELEASE = (HERE / "release.yaml").read_text(encoding="utf-8")


def has_eglot(emacs: str) -> bool:
    probe = subprocess.run([emacs, "--batch", "--eval", "(require 'eglot)"], capture_output=True, text=True, timeout=60)
    return probe.returncode == 0


def test_eglot_applies_quick_fix_and_rename_on_a_non_ascii_line(tmp_path):
    emacs = shutil.which("emacs")
    require_tool(emacs is not None and has_eglot(emacs), "Emacs with eglot (apt-get install emacs-nox elpa-eglot)")
    pipeline = tmp_path / "release.yaml"
    pipeline.write_text(RELEASE, encoding="utf-8")
    out = tmp_path / "out.json"
    env = {
        **os.environ,
        "BARRIER_LINT_FILE": str(pipeline),
        "BARRIER_LINT_PYTHON": sys.executable,
        "BARRIER_LINT_OUT": str(out),
        "HOME": str(tmp_path),
    }
    result = subprocess.run([emacs, "--batch", "-l", str(SCRIPT)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout + result.stderr
    got = json.loads(out.read_text(encoding="utf-8"))
    # (1-based line, offset in characters, flymake's text)
    assert got["opened"] == [
        [9, 20, "barrier-lint [BL105]: barrier 'old_gate' is declared but no Barrier step uses it"],
        [24, 36, "barrier-lint [BL202]: barrier 'services_deployed' has only one participant (stage deploy_api); "
         "it needs Barrier steps in at least two stages or step groups that run in parallel, or it synchronizes nothing"],
        [26, 175, "barrier-lint [BL101]: barrier 'services_deployd' (stage deploy_web) is not declared; did you mean 'services_deployed'?"],
    ]
    assert got["actions"] == [
        "Change to 'services_deployed'",
        "Declare barrier 'services_deployd' in flowControl.barriers",
        "Suppress BL101 on this line",
    ]
    assert got["fixed"] == [[9, 20, "barrier-lint [BL105]: barrier 'old_gate' is declared but no Barrier step uses it"]]
    assert got["text"] == RELEASE.replace("services_deployd", "services_deployed").replace("services_deployed", "all_up")
    assert pipeline.read_text(encoding="utf-8") == RELEASE  # nothing saved
