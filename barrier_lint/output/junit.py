"""JUnit XML, as Jenkins, GitLab (`artifacts:reports:junit`), Azure DevOps and CircleCI read it.

One `<testsuite>` per file checked, one failed `<testcase>` per finding (classname: the file; name: code,
rule and position), and one passing test case for a file without findings, so a CI server shows what was
checked as well as what failed.
"""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from .common import FileResult, RenderOptions, cli_position, cli_span, escape, file_of


def as_element(results: list[FileResult]) -> ET.Element:
    suites = ET.Element("testsuites", name="barrier-lint")
    total = failures = 0
    for result in results:
        # XML 1.0 cannot hold most control characters at all, escaped or not: they are shown escaped.
        path = escape(result.path)
        suite = ET.SubElement(suites, "testsuite", name=path)
        cases = 0
        for d in result.diagnostics:
            line, col, _, _ = cli_position(d)
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{d.code} {d.rule} at line {line}, column {col}",
                classname=path,
                file=path,
                line=str(line),
                time="0",
            )
            message = escape(d.message)
            body = [f"{path}:{line}:{col}: {d.code} {message}"]
            for related in d.related:
                r_line, r_col, _, _ = cli_span(related.span)
                body.append(f"{escape(file_of(result, related.span))}:{r_line}:{r_col}: {escape(related.message)}")
            failure = ET.SubElement(case, "failure", message=message, type=f"{d.code} {d.severity.value}")
            failure.text = "\n".join(body)
            cases += 1
        if not result.diagnostics:
            ET.SubElement(suite, "testcase", name="no findings", classname=path, file=path, time="0")
            cases = 1
        suite.set("tests", str(cases))
        suite.set("failures", str(len(result.diagnostics)))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0")
        total += cases
        failures += len(result.diagnostics)
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", "0")
    suites.set("time", "0")
    return suites


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    tree = as_element(results)
    ET.indent(tree)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(tree, encoding="unicode"))
    out.write("\n")
