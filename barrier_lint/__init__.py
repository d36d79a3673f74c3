"""barrier-lint: find barrier mistakes in Harness pipeline YAML before they hang a release."""

from __future__ import annotations

from .config import Config
from .diagnostics import Diagnostic, Related, Severity
from .linter import lint, lint_parsed
from .model import Span

__version__ = "0.1.0"

__all__ = ["Config", "Diagnostic", "Related", "Severity", "Span", "__version__", "lint", "lint_parsed"]
