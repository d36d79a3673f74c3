"""SARIF 2.1.0 (OASIS), for GitHub code scanning and other SARIF consumers.

One run: the tool with every rule's metadata (code as `id`, name, summary, documentation, `helpUri`, default
level), and a result per finding with its range (1-based, end column exclusive, in code points as
`columnKind` says), related locations, the snippet of its line, and the baseline fingerprint as a partial
fingerprint so services can follow a finding across moved lines. Relative paths are relative to
`%SRCROOT%`, the working directory; the CLI never hands a path with `..` (a file outside the working
directory comes as an absolute path and becomes a `file:` URI), so no URI leaves `%SRCROOT%`. The run has
`automationDetails.id` and the driver a `fullName`, which Azure DevOps' SARIF rules require.
"""

from __future__ import annotations

import json
import os
import pathlib
import urllib.parse
from typing import TextIO

from ..syntax import split_lines  # the formats quote source lines numbered as the model numbers them
from .. import __version__
from ..diagnostics import Severity
from ..rules import ALL_RULES
from .common import FileResult, RenderOptions, cli_span, escape, file_of, fingerprints_for

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/barrier-lint/barrier-lint"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT_KEY = "barrierLint/v2"


def _sentence(text: str) -> str:
    """SARIF messages are sentences (rule SARIF2001): end them with a full stop."""
    text = text.rstrip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def rule_descriptors() -> list[dict]:
    descriptors = []
    for rule in ALL_RULES:
        documentation = rule.documentation()
        descriptors.append(
            {
                "id": rule.code,
                "name": _pascal(rule.name),
                "shortDescription": {"text": _sentence(rule.summary())},
                "fullDescription": {"text": _sentence(" ".join(documentation.split("## Why is this bad?")[0].replace("## What it does", "").split()))},
                "help": {"text": documentation, "markdown": documentation},
                "helpUri": rule.url(),
                "defaultConfiguration": {"level": LEVELS[rule.severity]},
                "properties": {"name": rule.name, "tags": [rule.name]},
            }
        )
    return descriptors


def artifact_uri(path: str) -> tuple[str, str | None]:
    """(uri, uriBaseId): relative paths stay relative to %SRCROOT%; absolute ones become file: URIs."""
    if path == "-":
        return "stdin", "%SRCROOT%"
    if os.path.isabs(path):
        return pathlib.Path(path).as_uri(), None
    normal = os.path.normpath(path)
    if normal == os.pardir or normal.startswith(os.pardir + os.sep):  # would leave %SRCROOT%
        return pathlib.Path(os.path.abspath(path)).as_uri(), None
    # The file name's own bytes, percent-encoded (a name that is not UTF-8 is still the right URI).
    return urllib.parse.quote(os.fsencode(pathlib.PurePath(normal).as_posix())), "%SRCROOT%"


def _location(path: str, span, lines: list[str] | None) -> dict:
    uri, base = artifact_uri(path)
    artifact = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    line, col, end_line, end_col = cli_span(span)
    region = {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}
    if lines is not None and line == end_line and 1 <= line <= len(lines):
        region["snippet"] = {"text": lines[line - 1][col - 1 : end_col - 1]}
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def automation_details(environ) -> dict:
    """`run.automationDetails`: GitHub reads its `id` as the run's category ("barrier-lint/"); in an Azure
    Pipelines job (TF_BUILD=True) it is the id and the four build properties that GitHub Advanced Security
    for Azure DevOps needs to attach the run to its pipeline (the Multitool's GHAzDO rules), taken from
    the job's predefined variables."""
    if environ.get("TF_BUILD", "").lower() != "true":
        return {"id": "barrier-lint/"}
    collection = environ.get("SYSTEM_COLLECTIONURI", "").rstrip("/")
    org = urllib.parse.urlsplit(collection).path.strip("/").split("/")[-1] or urllib.parse.urlsplit(collection).hostname or ""
    org = org.split(".")[0] if org.endswith(".visualstudio.com") else org
    definition = environ.get("SYSTEM_DEFINITIONID", "") or "-1"
    phase = environ.get("SYSTEM_PHASEID", "")
    parts = [org, environ.get("SYSTEM_TEAMPROJECT", ""), definition, phase, environ.get("BUILD_SOURCEBRANCH", ""), environ.get("BUILD_BUILDID", "")]
    prefix = "azuredevops/pipeline/build/"
    return {
        "id": prefix + "/".join(urllib.parse.quote(part, safe="") for part in parts),
        "properties": {
            # A string holding the integer: the Multitool's GHAzDO1019 reads the bag's values as strings.
            prefix + "buildDefinitionId": definition,
            prefix + "buildDefinitionName": environ.get("BUILD_DEFINITIONNAME", ""),
            prefix + "phaseId": phase,
            prefix + "phaseName": environ.get("SYSTEM_PHASENAME", ""),
        },
    }


def as_sarif(results: list[FileResult], options: RenderOptions) -> dict:
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    sarif_results = []
    prints = fingerprints_for(results, options)
    for result, result_prints in zip(results, prints):
        lines = split_lines(result.text)  # the model's line numbering
        for d, fingerprint in zip(result.diagnostics, result_prints):
            entry = {
                "ruleId": d.code,
                "ruleIndex": index[d.code],
                "level": LEVELS[d.severity],
                "message": {"text": _sentence(escape(d.message, syntax_escapes_controls=True))},
                "locations": [_location(result.path, d.span, lines)],
                "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
            }
            if d.related:
                entry["relatedLocations"] = [
                    {
                        "id": i,
                        **_location(file_of(result, r.span), r.span, lines if r.span.origin is None else None),
                        "message": {"text": _sentence(escape(r.message, syntax_escapes_controls=True))},
                    }
                    for i, r in enumerate(d.related, 1)
                ]
            sarif_results.append(entry)
    cwd = pathlib.Path(os.getcwd()).as_uri().rstrip("/") + "/"
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "barrier-lint",
                        "fullName": f"barrier-lint {__version__}",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rule_descriptors(),
                    }
                },
                "automationDetails": automation_details(os.environ),
                "originalUriBaseIds": {"%SRCROOT%": {"uri": cwd}},
                "columnKind": "unicodeCodePoints",
                "results": sarif_results,
                "invocations": [{"executionSuccessful": True}],
            }
        ],
    }


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    json.dump(as_sarif(results, options), out, indent=2, ensure_ascii=False)
    out.write("\n")
