"""JUnit XML, as Jenkins, GitLab (`artifacts:reports:junit`), Azure DevOps and CircleCI read it.

One `<testsuite>` per file checked and one `<testcase>` per finding: its name is the rule (`BL203
sequential-barrier-participants`), which stays the same when lines move, and its place is in the `file`,
`line` and `column` attributes. Only a finding at or above `--fail-on` is a `<failure>`; one below it
passes, with the finding in `<system-out>`, because it does not fail the build. A file without findings
has one passing test case, so a CI server shows what was checked as well as what failed.
"""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree as ET

from .common import FileResult, RenderOptions, cli_position, cli_span, escape, file_of


def as_element(results: list[FileResult], options: RenderOptions | None = None) -> ET.Element:
    options = options or RenderOptions()
    suites = ET.Element("testsuites", name="barrier-lint")
    total = failures = 0
    for result in results:
        # XML 1.0 cannot hold most control characters at all, escaped or not: they are shown escaped.
        path = escape(result.path)
        suite = ET.SubElement(suites, "testsuite", name=path)
        cases = failed = 0
        for d in result.diagnostics:
            line, col, _, _ = cli_position(d)
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{d.code} {d.rule}",
                classname=path,
                file=path,
                line=str(line),
                column=str(col),
                time="0",
            )
            message = escape(d.message)
            body = [f"{path}:{line}:{col}: {d.code} [{d.severity.value}] {message}"]
            for related in d.related:
                r_line, r_col, _, _ = cli_span(related.span)
                body.append(f"{escape(file_of(result, related.span))}:{r_line}:{r_col}: {escape(related.message)}")
            if options.fail_on is not None and d.severity.rank >= options.fail_on.rank:
                failure = ET.SubElement(case, "failure", message=message, type=f"{d.code} {d.severity.value}")
                failure.text = "\n".join(body)
                failed += 1
            else:
                ET.SubElement(case, "system-out").text = "\n".join(body)
            cases += 1
        if not result.diagnostics:
            ET.SubElement(suite, "testcase", name="no findings", classname=path, file=path, time="0")
            cases = 1
        suite.set("tests", str(cases))
        suite.set("failures", str(failed))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", "0")
        total += cases
        failures += failed
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("errors", "0")
    suites.set("time", "0")
    return suites


def render(results: list[FileResult], out: TextIO, options: RenderOptions) -> None:
    tree = as_element(results, options)
    ET.indent(tree)
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(tree, encoding="unicode"))
    out.write("\n")
