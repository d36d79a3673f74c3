"""GitLab Code Quality report (a subset of the Code Climate spec): a JSON array of issues with
`description`, `check_name`, `fingerprint`, `severity` and `location.path` + `location.lines.begin`, the
fields GitLab requires. Upload it as `artifacts:reports:codequality`.

Severities: error -> major, warning -> minor, info -> info. Fingerprints are the baseline fingerprints (MD5
length, as GitLab's examples use), so an issue keeps its identity when lines move and merge requests show
only new ones.
"""

from __future__ import annotations

import json
import os
from typing import TextIO

from ..diagnostics import Severity
from .common import FileResult, RenderOptions, cli_position, escape, fingerprints_for

SEVERITIES = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def report_path(path: str) -> str:
    """GitLab wants paths relative to the repository root: the job's working directory."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if not relative.startswith(".."):
            path = relative
    return path.replace(os.sep, "/").removeprefix("./")


def as_issues(results: list[FileResult], options: RenderOptions) -> list[dict]:
    issues = []
    for result, prints in zip(results, fingerprints_for(results, options)):
        for d, fingerprint in zip(result.diagnostics, prints):
            line, col, end_line, end_col = cli_position(d)
            issues.append(
                {
                    "type": "issue",
                    "check_name": d.code,
                    "description": escape(f"{d.code} {d.rule}: {d.message}", syntax_escapes_controls=True),
                    "categories": ["Bug Risk"],
                    "severity": SEVERITIES[d.severity],
                    "fingerprint": fingerprint,
                    "location": {
                        "path": escape(report_path(result.path), syntax_escapes_controls=True),
                        "lines": {"begin": line, "end": end_line},
                    },
                }
            )
    return issues


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    json.dump(as_issues(results, options), out, indent=2, ensure_ascii=False)
    out.write("\n")
