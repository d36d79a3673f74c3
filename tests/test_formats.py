"""Every output format, checked against the rules of the program that reads it: SARIF by Microsoft's SARIF
Multitool, JUnit XML by junitparser, GitLab Code Quality by GitLab's required fields, GitHub workflow
commands field by field."""

from __future__ import annotations

import json
import os
import pathlib
import re
import subprocess

import pytest

from barrier_lint.output import FORMATS
from barrier_lint.rules import ALL_RULES

from .conftest import require_tool
from .test_cli_integrations import BL203_MESSAGE, CACHE, RELEASE, RELEASE_FINDINGS, run_cli, run_main, tool_path


@pytest.fixture
def release(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "release.yaml").write_text(RELEASE)
    (tmp_path / "clean.yaml").write_text("pipeline:\n  identifier: p\n  stages: []\n")
    return tmp_path


def render(fmt: str, monkeypatch, cwd: pathlib.Path, *paths: str) -> str:
    status, out, err = run_main(["--format", fmt, *(paths or ("release.yaml",))], monkeypatch, cwd)
    assert status == 1, err
    return out


def test_every_format_is_registered():
    assert list(FORMATS) == ["text", "full", "concise", "json", "json-lines", "sarif", "github", "junit", "gitlab", "markdown"]


# --------------------------------------------------------------------------------------- text family


def test_full_quotes_the_line_with_a_caret_under_the_range(release, monkeypatch):
    out = render("full", monkeypatch, release)
    assert out.split("\n\n")[0:2] == [
        "release.yaml:7:35: BL105 [warning] barrier 'spare' is declared but no Barrier step uses it\n"
        "  |\n"
        "7 |       - {name: Spare, identifier: spare}\n"
        "  |                                   ^^^^^ BL105\n"
        "  |",
        f"release.yaml:24:88: BL203 [error] {BL203_MESSAGE}\n"
        "   |\n"
        "24 |               - step: {type: Barrier, name: Wait, identifier: wait, spec: {barrierRef: ready}, timeout: 10m}\n"
        "   |                                                                                        ^^^^^ BL203\n"
        "   |\n"
        "  = note: release.yaml:16:88: earlier participant of 'ready' (stage build)",
    ]
    assert out.endswith("2 errors, 1 warning in 1 file (1 file checked)\n")


def test_full_caret_counts_wide_characters_and_keeps_tabs():
    from barrier_lint.output.full import snippet

    assert snippet(["a: 日本 x"], 1, 7, 1, 8, "BL1").splitlines()[2] == "  |         ^ BL1"
    assert snippet(["\tx: yy"], 1, 5, 1, 7, "BL1").splitlines()[2] == "  | \t   ^^ BL1"
    # A range that goes on to later lines is underlined to the end of its first line.
    assert snippet(["key: value", "more"], 1, 6, 2, 3, "BL1").splitlines()[2] == "  |      ^^^^^ BL1"
    assert snippet(["x"], 5, 1, 5, 2, "BL1") == ""


def test_concise_has_one_line_per_finding_with_severity(release, monkeypatch):
    assert render("concise", monkeypatch, release).splitlines() == [
        "release.yaml:7:35: warning BL105 barrier 'spare' is declared but no Barrier step uses it",
        f"release.yaml:24:88: error BL203 {BL203_MESSAGE}",
        "release.yaml:25:90: error BL101 barrier 'redy' (stage deploy) is not declared; did you mean 'ready'?",
    ]


# --------------------------------------------------------------------------------------- JSON family


def test_json_keys_are_the_contract(release, monkeypatch):
    items = json.loads(render("json", monkeypatch, release))
    assert [tuple(item[k] for k in ("code", "line", "column", "end_line", "end_column")) for item in items] == RELEASE_FINDINGS
    for item in items:
        assert list(item) == ["file", "line", "column", "end_line", "end_column", "code", "rule", "severity", "message", "related"]
    assert items[1]["related"] == [
        {"file": "release.yaml", "line": 16, "column": 88, "message": "earlier participant of 'ready' (stage build)"}
    ]


def test_json_lines_is_the_json_format_one_object_a_line(release, monkeypatch):
    lines = render("json-lines", monkeypatch, release).splitlines()
    assert [json.loads(line) for line in lines] == json.loads(render("json", monkeypatch, release))
    assert len(lines) == 3


# --------------------------------------------------------------------------------------- github


GITHUB_LINE = re.compile(r"^::(?P<command>error|warning|notice) (?P<properties>[^:]*)::(?P<message>.*)$")


def parse_github(line: str) -> tuple[str, dict[str, str], str]:
    """Unescape the way the Actions runner does (actions/runner, ActionCommand.cs)."""
    match = GITHUB_LINE.match(line)
    assert match, line

    def unescape(value: str) -> str:
        return value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")

    properties = dict(p.split("=", 1) for p in match["properties"].split(","))
    return match["command"], {k: unescape(v) for k, v in properties.items()}, unescape(match["message"])


def test_github_workflow_commands_field_by_field(release, monkeypatch):
    lines = render("github", monkeypatch, release).splitlines()
    parsed = [parse_github(line) for line in lines]
    assert [(c, p["line"], p["col"], p["endLine"], p["endColumn"]) for c, p, _ in parsed] == [
        ("warning", "7", "35", "7", "40"),
        ("error", "24", "88", "24", "93"),
        ("error", "25", "90", "25", "94"),
    ]
    for _, properties, _ in parsed:
        assert list(properties) == ["file", "line", "col", "endLine", "endColumn", "title"]
        assert properties["file"] == "release.yaml"
    assert parsed[0][1]["title"] == "BL105 unused-barrier"
    # Related places go on further lines of the message (escaped as %0A in the command).
    assert parsed[1][2] == f"{BL203_MESSAGE}\nrelease.yaml:16: earlier participant of 'ready' (stage build)"
    assert "%0A" in lines[1] and "\n" not in lines[1]


def test_github_escapes_properties_and_data(tmp_path, monkeypatch):
    odd = tmp_path / "a,b:c%d.yaml"
    odd.write_text(RELEASE.replace("identifier: spare", "identifier: spare_100%"))
    lines = render("github", monkeypatch, tmp_path, odd.name).splitlines()
    assert lines[0].startswith("::warning file=a%2Cb%3Ac%25d.yaml,line=7,col=35,")
    command, properties, message = parse_github(lines[0])
    assert properties["file"] == "a,b:c%d.yaml"
    assert "spare_100%" in message


def test_github_maps_info_to_notice(tmp_path, monkeypatch):
    (tmp_path / "p.yaml").write_text("pipeline:  # barrier-lint: disable=BL101\n  identifier: p\n")
    status, out, _ = run_main(["--format", "github", "p.yaml"], monkeypatch, tmp_path)
    assert status == 0
    assert out == (
        "::notice file=p.yaml,line=1,col=12,endLine=1,endColumn=41,title=BL901 unused-suppression::"
        "unused suppression: BL101 (undeclared-barrier) is not reported on this line\n"
    )


# --------------------------------------------------------------------------------------- junit


def test_junit_reads_back_with_junitparser(release, monkeypatch):
    junitparser = pytest.importorskip("junitparser")
    path = release / "report.xml"
    status, _, _ = run_main(["--output-format", "junit", "--output-file", str(path), "release.yaml", "clean.yaml"], monkeypatch, release)
    assert status == 1
    xml = junitparser.JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == ["release.yaml", "clean.yaml"]
    # The BL105 warning is below the default --fail-on (error): it does not fail the build, so it passes.
    assert (xml.tests, xml.failures, xml.errors) == (4, 2, 0)
    release_suite, clean_suite = suites
    assert (release_suite.tests, release_suite.failures) == (3, 2)
    cases = list(release_suite)
    # Names are the rule, never the line: a test keeps its history when lines move. The place is in attributes.
    assert [c.name for c in cases] == ["BL105 unused-barrier", "BL203 sequential-barrier-participants", "BL101 undeclared-barrier"]
    assert [(c._elem.get("file"), c._elem.get("line"), c._elem.get("column")) for c in cases] == [
        ("release.yaml", "7", "35"), ("release.yaml", "24", "88"), ("release.yaml", "25", "90"),
    ]
    assert all(c.classname == "release.yaml" for c in cases)
    assert [c.is_passed for c in cases] == [True, False, False]
    assert cases[0].system_out == "release.yaml:7:35: BL105 [warning] barrier 'spare' is declared but no Barrier step uses it"
    failure = cases[1].result[0]
    assert isinstance(failure, junitparser.Failure)
    assert failure.message == BL203_MESSAGE
    assert failure.type == "BL203 error"
    assert failure.text.splitlines() == [
        f"release.yaml:24:88: BL203 [error] {BL203_MESSAGE}",
        "release.yaml:16:88: earlier participant of 'ready' (stage build)",
    ]
    (clean_case,) = list(clean_suite)
    assert (clean_case.name, clean_case.is_passed) == ("no findings", True)


def test_junit_failures_follow_fail_on(release, monkeypatch):
    junitparser = pytest.importorskip("junitparser")
    for fail_on, failures in (("warning", 3), ("never", 0)):
        run_main(["--fail-on", fail_on, "--output-format", "junit", "-o", "r.xml", "release.yaml"], monkeypatch, release)
        assert junitparser.JUnitXml.fromfile(str(release / "r.xml")).failures == failures, fail_on


def test_junit_escapes_markup(tmp_path, monkeypatch):
    junitparser = pytest.importorskip("junitparser")
    (tmp_path / "p.yaml").write_text(RELEASE.replace("barrierRef: redy", "barrierRef: '<&\"x>'"))
    path = tmp_path / "r.xml"
    run_main(["--format", "junit", "--output", str(path), "p.yaml"], monkeypatch, tmp_path)
    cases = list(list(junitparser.JUnitXml.fromfile(str(path)))[0])
    assert cases[2].result[0].message.startswith("barrier '<&\"x>' (stage deploy) is not declared")


# --------------------------------------------------------------------------------------- gitlab

GITLAB_SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def check_code_quality(report: list) -> None:
    """GitLab's Code Quality report format: the fields GitLab requires and their types
    (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format)."""
    assert isinstance(report, list)
    fingerprints = [issue["fingerprint"] for issue in report]
    assert len(set(fingerprints)) == len(fingerprints), "GitLab shows only the first issue of a fingerprint"
    for issue in report:
        assert isinstance(issue["description"], str) and issue["description"]
        assert isinstance(issue["check_name"], str) and issue["check_name"]
        assert isinstance(issue["fingerprint"], str) and re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in GITLAB_SEVERITIES
        path = issue["location"]["path"]
        assert isinstance(path, str) and not path.startswith(("/", "./")) and "\\" not in path
        begin = issue["location"]["lines"]["begin"]
        assert isinstance(begin, int) and begin >= 1


def test_gitlab_code_quality_report(release, monkeypatch):
    report = json.loads(render("gitlab", monkeypatch, release))
    check_code_quality(report)
    assert [(i["check_name"], i["severity"], i["location"]["lines"]["begin"], i["location"]["lines"]["end"]) for i in report] == [
        ("BL105", "minor", 7, 7),
        ("BL203", "major", 24, 24),
        ("BL101", "major", 25, 25),
    ]
    assert report[2]["description"] == "BL101 undeclared-barrier: barrier 'redy' (stage deploy) is not declared; did you mean 'ready'?"
    assert {i["location"]["path"] for i in report} == {"release.yaml"}


def test_gitlab_paths_are_relative_to_the_job_directory(release, monkeypatch):
    report = json.loads(render("gitlab", monkeypatch, release, str(release / "release.yaml")))
    check_code_quality(report)
    assert report[0]["location"]["path"] == "release.yaml"


def test_gitlab_fingerprints_survive_moved_lines(release, monkeypatch):
    before = json.loads(render("gitlab", monkeypatch, release))
    moved = RELEASE.replace("  stages:\n", "  # a comment\n  tags: {team: release}\n  stages:\n")
    (release / "release.yaml").write_text("# moved\n\n" + moved)
    after = json.loads(render("gitlab", monkeypatch, release))
    assert [i["location"]["lines"]["begin"] for i in after] == [9, 28, 29]
    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]


# --------------------------------------------------------------------------------------- sarif


def sarif_multitool() -> str | None:
    return tool_path(CACHE / "sarif" / "node_modules" / ".bin" / "sarif-multitool", name="sarif-multitool")


def validate_sarif(path: pathlib.Path, rule_kinds: str | None = None) -> list[str]:
    """Microsoft's SARIF Multitool: the SARIF 2.1.0 schema plus the rules code-scanning services apply
    (`rule_kinds` such as "Sarif;Gh;Ado" adds GitHub's and Azure DevOps' ingestion rules). Returns the
    error-level results (the tool exits 0 either way)."""
    tool = sarif_multitool()
    require_tool(tool is not None, "the SARIF Multitool (.ci/setup-integrations.sh)")
    report = path.with_suffix(".validation.sarif")
    report.unlink(missing_ok=True)
    # The npm launcher runs the tool through a shell: the `;` list must reach it quoted.
    kinds = ["--rule-kind", f'"{rule_kinds}"'] if rule_kinds else []
    result = subprocess.run([tool, "validate", str(path), "-o", str(report), *kinds], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Analysis completed successfully" in result.stdout, result.stdout
    validation = json.loads(report.read_text(encoding="utf-8-sig"))
    problems = []
    for run in validation["runs"]:
        for finding in run.get("results", []):
            level = finding.get("level", "warning")
            if level in ("error", "warning"):
                problems.append(f"{level} {finding['ruleId']}: {finding['message']}")
    return problems


def sarif_for(release: pathlib.Path, *paths: str) -> dict:
    result = run_cli(["-q", "--format", "sarif", "--output", "out.sarif", *(paths or ("release.yaml",))], release)
    assert result.returncode == 1, result.stderr
    return json.loads((release / "out.sarif").read_text())


def test_sarif_passes_the_multitool_with_no_errors_or_warnings(release):
    sarif_for(release, "release.yaml", "clean.yaml")
    assert validate_sarif(release / "out.sarif") == []


def test_sarif_multitool_does_catch_a_broken_file(release):
    """The validation above is only worth something if the tool rejects what code scanning rejects."""
    data = sarif_for(release)
    data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    (release / "broken.sarif").write_text(json.dumps(data))
    problems = validate_sarif(release / "broken.sarif")
    assert any("JSON1008" in p and "startLine" in p for p in problems), problems


def test_sarif_results_ranges_and_related_locations(release):
    data = sarif_for(release)
    assert data["version"] == "2.1.0"
    (run,) = data["runs"]
    results = run["results"]
    assert run["columnKind"] == "unicodeCodePoints"
    regions = [r["locations"][0]["physicalLocation"]["region"] for r in results]
    assert [(r["ruleId"], g["startLine"], g["startColumn"], g["endLine"], g["endColumn"]) for r, g in zip(results, regions)] == RELEASE_FINDINGS
    assert [r["level"] for r in results] == ["warning", "error", "error"]
    assert regions[2]["snippet"] == {"text": "redy"}
    artifact = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "release.yaml", "uriBaseId": "%SRCROOT%"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == release.as_uri() + "/"
    (related,) = results[1]["relatedLocations"]
    assert related["physicalLocation"]["region"]["startLine"] == 16
    assert related["message"]["text"] == "earlier participant of 'ready' (stage build)."
    assert results[2]["message"]["text"] == "barrier 'redy' (stage deploy) is not declared; did you mean 'ready'?."[:-2] + "?"
    fingerprints = [r["partialFingerprints"]["barrierLint/v2"] for r in results]
    assert len(set(fingerprints)) == 3


def test_sarif_rule_metadata_comes_from_the_rule_registry(release):
    from barrier_lint import __version__

    driver = sarif_for(release)["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == ("barrier-lint", __version__, __version__)
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == [rule.code for rule in ALL_RULES]
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for descriptor, rule in zip(driver["rules"], ALL_RULES):
        assert descriptor["helpUri"] == rule.url()
        assert descriptor["properties"]["name"] == rule.name
        assert descriptor["shortDescription"]["text"].rstrip(".") == rule.summary().rstrip(".")
        assert descriptor["defaultConfiguration"]["level"] == levels[rule.severity.value]
        assert descriptor["help"]["markdown"] == rule.documentation()
    results = sarif_for(release)["runs"][0]["results"]
    assert [driver["rules"][r["ruleIndex"]]["id"] for r in results] == [r["ruleId"] for r in results]


def test_sarif_with_paths_outside_the_root_and_no_findings_still_validates(release):
    """A path that climbs out of the working directory (%SRCROOT%) becomes an absolute file: URI, never
    `%SRCROOT%` + `../`; an absolute path inside the working directory is written relative to it."""
    (release / "sub").mkdir()
    result = run_cli(["--output-format", "sarif", "--output-file", "abs.sarif", "../release.yaml"], release / "sub")
    data = json.loads((release / "sub" / "abs.sarif").read_text())
    uri = data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert uri == {"uri": (release / "release.yaml").as_uri()}
    inside = run_cli(["--output-format", "sarif", "-o", "in.sarif", str(release / "sub" / ".." / "release.yaml")], release)
    assert inside.returncode == 1
    data = json.loads((release / "in.sarif").read_text())
    assert data["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "release.yaml", "uriBaseId": "%SRCROOT%"}
    run_cli(["--output-format", "sarif", "--output-file", "empty.sarif", "clean.yaml"], release)
    assert json.loads((release / "empty.sarif").read_text())["runs"][0]["results"] == []
    assert result.returncode == 1
    assert validate_sarif(release / "sub" / "abs.sarif") == []
    assert validate_sarif(release / "empty.sarif") == []


# --------------------------------------------------------------------------------------- values shown, never obeyed

HOSTILE_REF = "x\n::error file=evil.yaml::pwned \x1b[31mred\x01\u202e"
HOSTILE = (
    "pipeline:\n  identifier: p\n  flowControl: {barriers: [{name: B, identifier: b}]}\n  stages:\n"
    "    - stage: {identifier: s, type: Custom, spec: {execution: {steps: [{step: {type: Barrier, identifier: w,"
    ' spec: {barrierRef: "x\\n::error file=evil.yaml::pwned \\e[31mred\\x01\\u202e"}}}]}}}\n'
)
SHOWN_REF = "x\\n::error file=evil.yaml::pwned \\x1b[31mred\\x01\\u202e"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f\u202e]")


@pytest.fixture
def hostile(tmp_path: pathlib.Path) -> pathlib.Path:
    (tmp_path / "evil.yaml").write_text(HOSTILE)
    return tmp_path


@pytest.mark.parametrize("fmt", ["text", "concise", "full", "github"])
def test_line_formats_show_control_characters_escaped(hostile, monkeypatch, fmt):
    # Before: the value's line break began a line that GitHub Actions ran as `::error`, and ESC reached the terminal.
    out = render(fmt, monkeypatch, hostile, "evil.yaml")
    assert not RAW.search(out)
    assert [line for line in out.splitlines() if line.startswith("::") and fmt != "github"] == []
    if fmt == "github":
        [line] = [line for line in out.splitlines() if "BL101" in line]
        assert line.startswith("::error file=evil.yaml,line=5,")
        assert f"barrier '{SHOWN_REF}' (stage s) is not declared" in line
    else:
        assert f"barrier '{SHOWN_REF}' (stage s) is not declared" in out
        assert sum("BL101" in line for line in out.splitlines()) == (1 if fmt != "full" else 2)


def test_junit_with_control_characters_is_valid_xml(hostile, monkeypatch):
    import junitparser

    out = render("junit", monkeypatch, hostile, "evil.yaml")  # Before: `\x01` made the XML unreadable.
    (hostile / "report.xml").write_text(out)
    xml = junitparser.JUnitXml.fromfile(str(hostile / "report.xml"))
    [failure] = [r for suite in xml for case in suite for r in case.result if r.type.startswith("BL101")]
    assert f"barrier '{SHOWN_REF}' (stage s)" in failure.message


@pytest.mark.parametrize("fmt", ["json", "json-lines", "gitlab", "sarif"])
def test_json_formats_keep_the_value_exact(hostile, monkeypatch, fmt):
    out = render(fmt, monkeypatch, hostile, "evil.yaml")
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f]", out)  # JSON's own escapes
    if fmt == "json-lines":
        items = [json.loads(line) for line in out.splitlines()]
    else:
        items = json.loads(out)
    texts = {"json": lambda: [i["message"] for i in items], "json-lines": lambda: [i["message"] for i in items],
             "gitlab": lambda: [i["description"] for i in items],
             "sarif": lambda: [r["message"]["text"] for r in items["runs"][0]["results"]]}[fmt]()
    assert any(f"barrier '{HOSTILE_REF}' (stage s)" in text for text in texts)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "gitlab"])
def test_a_file_name_that_is_not_utf8_is_shown_not_crashed_on(tmp_path, monkeypatch, fmt):
    import os

    os.mkdir(tmp_path / "d")
    with open(os.path.join(os.fsencode(tmp_path / "d"), b"caf\xe9.yaml"), "w") as handle:
        handle.write(RELEASE)
    out = render(fmt, monkeypatch, tmp_path, "d")  # Before: UnicodeEncodeError, exit 3.
    assert "caf\\xe9.yaml" in out.replace("\\\\", "\\") or "caf%E9.yaml" in out


AZURE_PIPELINES = {
    "TF_BUILD": "True",
    "SYSTEM_COLLECTIONURI": "https://dev.azure.com/contoso/",
    "SYSTEM_TEAMPROJECT": "Payments",
    "SYSTEM_DEFINITIONID": "42",
    "BUILD_DEFINITIONNAME": "release-ci",
    "SYSTEM_PHASEID": "3f1c2b5e-8a7d-4c1e-9b2a-5d6e7f8a9b0c",
    "SYSTEM_PHASENAME": "Job",
    "BUILD_SOURCEBRANCH": "refs/heads/main",
    "BUILD_BUILDID": "1234",
}


def test_sarif_passes_github_and_azure_devops_rules(release):
    """GitHub's rules anywhere; Azure DevOps' (GHAzDO) rules in an Azure Pipelines job, whose predefined
    variables give the build properties those rules require of `automationDetails`."""
    clean = {k: v for k, v in os.environ.items() if k not in AZURE_PIPELINES}
    result = run_cli(["-q", "--output-format", "sarif", "-o", "gh.sarif", "release.yaml", "clean.yaml"], release, env=clean)
    assert result.returncode == 1, result.stderr
    run = json.loads((release / "gh.sarif").read_text())["runs"][0]
    assert run["automationDetails"] == {"id": "barrier-lint/"}
    assert run["tool"]["driver"]["fullName"].startswith("barrier-lint ")
    assert validate_sarif(release / "gh.sarif", "Sarif;Gh") == []
    result = run_cli(["-q", "--output-format", "sarif", "-o", "ado.sarif", "release.yaml", "clean.yaml"], release, env={**clean, **AZURE_PIPELINES})
    assert result.returncode == 1, result.stderr
    run = json.loads((release / "ado.sarif").read_text())["runs"][0]
    assert run["automationDetails"]["id"] == "azuredevops/pipeline/build/contoso/Payments/42/3f1c2b5e-8a7d-4c1e-9b2a-5d6e7f8a9b0c/refs%2Fheads%2Fmain/1234"
    assert validate_sarif(release / "ado.sarif", "Sarif;Gh;Ado") == []


def test_azure_devops_rules_do_catch_a_run_without_automation_details(release):
    result = run_cli(["-q", "--output-format", "sarif", "-o", "ado.sarif", "release.yaml"], release, env=AZURE_PIPELINES)
    assert result.returncode == 1
    data = json.loads((release / "ado.sarif").read_text())
    del data["runs"][0]["automationDetails"]
    del data["runs"][0]["tool"]["driver"]["fullName"]
    (release / "old.sarif").write_text(json.dumps(data))
    problems = validate_sarif(release / "old.sarif", "Sarif;Gh;Ado")
    assert sorted(p.split(":")[0] for p in problems) == ["error GHAzDO1014", "error GHAzDO1018"], problems
