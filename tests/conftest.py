from __future__ import annotations

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# Other people's data, read in place (never copied into the project); absent outside this workplace.
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "real"


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/fixtures/err/*.out from the current output")


@pytest.fixture
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


def require_tool(available: bool, what: str) -> None:
    """Skip a test whose external tool is missing, except in CI (BARRIER_LINT_REQUIRE_TOOLS=1), where it fails."""
    if available:
        return
    if os.environ.get("BARRIER_LINT_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{what} is required here (BARRIER_LINT_REQUIRE_TOOLS=1) but missing")
    pytest.skip(f"{what} is not installed")


def findings(text: str, **kwargs) -> list[tuple[str, int, int]]:
    """(code, 1-based line, 1-based column) of every finding, in order."""
    from barrier_lint import lint

    return [(d.code, d.span.start_line + 1, d.span.start_col + 1) for d in lint(text, **kwargs)]
