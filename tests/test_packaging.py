"""The explicit package list in pyproject.toml names every package of the source tree: a package left out
installs everywhere but in a real `pip install .` (pre-commit, the VS Code bundle), where it is missing."""

from __future__ import annotations

import sys

from .conftest import ROOT

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_every_package_of_the_tree_is_listed_in_pyproject():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    on_disk = {
        ".".join(init.parent.relative_to(ROOT).parts) for init in (ROOT / "barrier_lint").rglob("__init__.py")
    } | {"barrier_lint_server"}
    assert set(config["packages"]) == on_disk
