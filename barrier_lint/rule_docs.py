"""Generate docs/rules.md from the rules' docstrings: `python -m barrier_lint.rule_docs > docs/rules.md`.

A test fails when the committed page differs from what this prints, so the docs cannot go stale.
"""

from __future__ import annotations

import sys

from .rules import ALL_RULES


def render() -> str:
    lines = [
        "# barrier-lint rules",
        "",
        "Generated from the rules' docstrings by `python -m barrier_lint.rule_docs`; do not edit by hand.",
        "Codes, names and default severities are stable: configuration and suppression comments use them.",
        "",
        "| code | name | default | what it reports |",
        "|---|---|---|---|",
    ]
    for rule in ALL_RULES:
        anchor = f"{rule.code.lower()}-{rule.name}"
        lines.append(f"| [{rule.code}](#{anchor}) | {rule.name} | {rule.severity.value} | {rule.summary()} |")
    for rule in ALL_RULES:
        lines += ["", f"## {rule.code} {rule.name}", "", f"Default severity: **{rule.severity.value}**", ""]
        lines += [f"#{line}" if line.startswith("## ") else line for line in rule.documentation().splitlines()]
    return "\n".join(lines) + "\n"


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
