"""barrier-lint: find barrier mistakes in Harness pipeline YAML before they hang a release."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Config", "Diagnostic", "Related", "Severity", "Span", "__version__", "lint", "lint_parsed"]

# The public names are imported on first use (PEP 562), not with the package: `barrier-lint` and
# `python -m barrier_lint` import the package first, and set the process up (`__main__.run`) before they
# import the rest.
_HOME = {
    "Config": "config", "Diagnostic": "diagnostics", "Related": "diagnostics", "Severity": "diagnostics",
    "Span": "model", "lint": "linter", "lint_parsed": "linter",
}


def __getattr__(name: str):
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
