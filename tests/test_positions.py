"""Positions are 1-based lines and code-point columns in the CLI, whatever the file's encoding details."""

from __future__ import annotations

from barrier_lint import lint
from barrier_lint.cli import lint_bytes
from barrier_lint.config import Config

from .conftest import findings

PIPELINE = """\
pipeline:
  identifier: release
  flowControl:
    barriers:
      - {name: Déployé, identifier: deployed}
  stages:
    - parallel:
        - stage: {identifier: a, type: Custom, spec: {execution: {steps: [{step: {type: Barrier, identifier: w, name: "Étape 🚀 prête", spec: {barrierRef: deployd}, timeout: 10m}}]}}}
        - stage: {identifier: b, type: Custom, spec: {execution: {steps: [{step: {type: Barrier, identifier: w, name: plain, spec: {barrierRef: deployed}, timeout: 10m}}]}}}
"""


# The misspelt reference, and the declared barrier left with one participant.
EXPECTED = [("BL101", 8, 155), ("BL202", 9, 145)]


def test_non_ascii_columns_count_code_points():
    line = PIPELINE.splitlines()[7]
    # "Étape 🚀 prête": É and ê are one code point each, the emoji is one code point (two UTF-16 units).
    assert line.index("deployd") == 154
    assert len(line[:154].encode("utf-16-le")) // 2 == 155  # what a UTF-16 client would count
    assert findings(PIPELINE) == EXPECTED
    first = lint(PIPELINE)[0]
    assert (first.span.end_line, first.span.end_col) == (7, 161)


def test_crlf_line_endings_keep_positions():
    assert findings(PIPELINE.replace("\n", "\r\n")) == EXPECTED


def test_byte_order_mark_is_not_a_column():
    assert findings("\ufeff" + PIPELINE) == EXPECTED
    data = "\ufeff".encode() + PIPELINE.replace("\n", "\r\n").encode("utf-8")
    assert [(d.code, d.span.start_line + 1, d.span.start_col + 1) for d in lint_bytes(data, Config(), True)] == EXPECTED


def test_block_scalar_end_and_multiline_values():
    text = PIPELINE.replace("    barriers:\n", "    # a comment with barrierRef: nope\n    barriers:\n")
    assert findings(text) == [("BL101", 9, 155), ("BL202", 10, 145)]


def test_unicode_line_separators_are_not_line_breaks():
    # libyaml breaks lines at U+2028/U+2029/U+0085; editors and the LSP count only \n, \r\n and \r.
    for separator in ("\u2028", "\u2029", "\x85"):
        text = PIPELINE.replace("Étape", f"É{separator}tape")
        assert findings(text) == [("BL101", 8, 156), ("BL202", 9, 145)], repr(separator)


def test_lone_carriage_returns_are_line_breaks():
    assert findings(PIPELINE.replace("\n", "\r")) == EXPECTED
