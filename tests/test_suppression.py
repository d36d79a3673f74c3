"""Inline suppression comments and BL901, through `lint()` (so the CLI and the language server agree), and
`parse.find_comments`, which decides what is a comment at all."""

from __future__ import annotations

import textwrap

import pytest

from barrier_lint import Config, Severity, lint
from barrier_lint.parse import find_comments

from .test_cli_integrations import RELEASE, run_main


def found(text: str, config: Config | None = None) -> list[tuple[str, int, int]]:
    """(code, 1-based line, 1-based column) of every finding."""
    return [(d.code, d.span.start_line + 1, d.span.start_col + 1) for d in lint(text, config or Config())]


def comments(text: str) -> list[tuple[int, int, str]]:
    return [(c.line + 1, c.col + 1, c.text) for c in find_comments(text)]


UNSUPPRESSED = [("BL105", 7, 35), ("BL203", 24, 88), ("BL101", 25, 90)]


def edit(line: int, new: str, text: str = RELEASE) -> str:
    lines = text.splitlines()
    lines[line - 1] = new(lines[line - 1]) if callable(new) else new
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------- find_comments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: b # c\n", [(1, 6, "# c")]),
        ("a: 'x # y' # real\nb: \"q # r\"\n", [(1, 12, "# real")]),
        ("a: x#y\nb: x #z\n", [(2, 6, "#z")]),  # '#' right after text is part of a plain scalar
        ("a: |\n  text # not\n  more\n# real\nb: >-\n  f # no\n", [(4, 1, "# real")]),
        ("a: | # header\n  x # no\nb: >- #h2\n  y\n", [(1, 6, "# header"), (3, 7, "#h2")]),
        ("a: |2-  # h\n   # not\n  x\n", [(1, 9, "# h")]),
        ("a: |+\n  x\n\n  # inside the kept block\nb: 1\n", []),
        ("a:\n  b: |\n    x\n  # dedented: a comment\n  c: 1\n", [(4, 3, "# dedented: a comment")]),
        ("a: 'multi\n  line # x'\nb: 1 # y\n", [(3, 6, "# y")]),
        ("a: \"multi\n  # still the string\"\n", []),
        ("a: [x, 'y#', z] # c\nb: {k: '#'} #d\n", [(1, 17, "# c"), (2, 13, "#d")]),
        ("a: [x, # c1\n  y # c2\n  ]\n", [(1, 8, "# c1"), (2, 5, "# c2")]),
        ("'a#b': 1 # c\nc#d: 2\n", [(1, 10, "# c")]),
        ("- |\n  # not\n- x # yes\n", [(3, 5, "# yes")]),
        ("# top\n---\na: 1 # c\n...\n# after\n", [(1, 1, "# top"), (3, 6, "# c"), (5, 1, "# after")]),
        ("a: é # ç\n", [(1, 6, "# ç")]),  # columns count code points
        ("a: b # c\r\nd: e\r\n", [(1, 6, "# c")]),
        ("\ufeffa: b # c\n", [(1, 6, "# c")]),
        ("a: b # c", [(1, 6, "# c")]),
        ("a: 'unterminated # x\nb: 1 # c\n", []),  # a syntax error: only what precedes it
        # libyaml breaks lines at U+2028, U+2029 and U+0085 inside a quoted string; the model does not.
        ("a: 'x\u2028y' # c\nb: 1 # d\n", [(1, 10, "# c"), (2, 6, "# d")]),
        ("a: \"x\u2029\x85y\"\nb: 1 # d\n", [(2, 6, "# d")]),
    ],
)
def test_find_comments(text, expected):
    assert comments(text) == expected


# --------------------------------------------------------------------------------------- suppression


def test_baseline_sample_has_its_findings():
    assert found(RELEASE) == UNSUPPRESSED


def test_disable_at_the_end_of_a_line():
    text = edit(25, lambda line: line + "  # barrier-lint: disable=BL101")
    assert found(text) == UNSUPPRESSED[:2]


def test_disable_by_name_and_several_codes():
    text = edit(24, lambda line: line + "  # barrier-lint: disable=sequential-barrier-participants, BL101 -- known, see #12")
    text = edit(7, lambda line: line + "  # barrier-lint: disable=unused-barrier", text)
    # BL101 on line 24 suppresses nothing: reported at the comment on line 24.
    assert found(text) == [("BL901", 24, 111), ("BL101", 25, 90)]
    (unused,) = [d for d in lint(text) if d.code == "BL901"]
    assert unused.message == "unused suppression: BL101 (undeclared-barrier) is not reported on this line"
    assert unused.severity is Severity.INFO
    assert (unused.span.end_line, unused.span.end_col) == (23, len(text.splitlines()[23]))


def test_line_separator_in_a_quoted_string_does_not_move_suppressions():
    # Before: the comment was placed one line down, the BL101 stayed and a BL901 pointed past the file.
    text = RELEASE.replace("name: Release", 'name: "Re\u2028lease"')
    assert found(text) == UNSUPPRESSED
    text = edit(25, lambda line: line + "  # barrier-lint: disable=BL101")
    assert found(text.replace("name: Release", 'name: "Re\u2028lease"')) == UNSUPPRESSED[:2]


def test_disable_next_line():
    text = edit(25, lambda line: "              # barrier-lint: disable-next-line=BL101\n" + line)
    assert found(text) == UNSUPPRESSED[:2]


def test_disable_next_line_covers_only_the_next_line():
    text = edit(23, lambda line: line + "  # barrier-lint: disable-next-line=BL101")
    assert found(text) == [UNSUPPRESSED[0], ("BL901", 23, 21), *UNSUPPRESSED[1:]]
    (unused,) = [d for d in lint(text) if d.code == "BL901"]
    assert unused.message == "unused suppression: BL101 (undeclared-barrier) is not reported on the next line"


def test_disable_file_anywhere_in_the_file():
    text = RELEASE + "# barrier-lint: disable-file=BL203,unused-barrier\n"
    assert found(text) == [("BL101", 25, 90)]


def test_disable_file_that_suppresses_nothing():
    text = "# barrier-lint: disable-file=BL205\n" + RELEASE
    assert found(text) == [("BL901", 1, 1), ("BL105", 8, 35), ("BL203", 25, 88), ("BL101", 26, 90)]
    assert [d.message for d in lint(text) if d.code == "BL901"] == [
        "unused suppression: BL205 (crossed-barrier-order) is not reported in this file"
    ]


def test_a_hash_inside_a_quoted_scalar_is_not_a_suppression():
    text = RELEASE.replace("name: Other,", "name: 'Other # barrier-lint: disable=BL101',")
    assert found(text) == [*UNSUPPRESSED[:2], ("BL101", 25, 122)]


def test_a_hash_inside_a_block_scalar_is_not_a_suppression():
    text = RELEASE.replace(
        "  stages:\n",
        "  description: |\n    # barrier-lint: disable-file=BL101\n    text\n  stages:\n",
    )
    assert found(text) == [("BL105", 7, 35), ("BL203", 27, 88), ("BL101", 28, 90)]


def test_a_suppression_on_a_block_scalar_header_works():
    text = RELEASE.replace(
        "  stages:\n",
        "  description: |  # barrier-lint: disable-file=BL101\n    text\n  stages:\n",
    )
    assert found(text) == [("BL105", 7, 35), ("BL203", 26, 88)]


def test_an_unknown_rule_is_reported():
    text = edit(25, lambda line: line + "  # barrier-lint: disable=BL101,BL999,no-such-rule")
    assert found(text) == [*UNSUPPRESSED[:2], ("BL901", 25, 112)]
    assert [d.message for d in lint(text) if d.code == "BL901"] == [
        "unused suppression: 'BL999', 'no-such-rule' are not rules"
    ]


def test_a_malformed_comment_is_reported():
    text = edit(25, lambda line: line + "  # barrier-lint: disable BL101")
    assert found(text) == [*UNSUPPRESSED, ("BL901", 25, 112)]
    assert "is not understood" in [d.message for d in lint(text) if d.code == "BL901"][0]


def test_disable_on_its_own_line_explains_disable_next_line():
    text = edit(25, lambda line: "              # barrier-lint: disable=BL101\n" + line)
    assert found(text) == [("BL105", 7, 35), ("BL203", 24, 88), ("BL901", 25, 15), ("BL101", 26, 90)]
    assert "use 'disable-next-line='" in [d.message for d in lint(text) if d.code == "BL901"][0]


def test_rules_the_configuration_turns_off_are_not_called_unused():
    text = edit(7, lambda line: line + "  # barrier-lint: disable=BL105")
    config = Config(ignore=frozenset({"BL105"}))
    assert found(text, config) == UNSUPPRESSED[1:]
    assert found(text, Config(severity={"BL105": None})) == UNSUPPRESSED[1:]


def test_bl901_itself_can_be_ignored_or_suppressed():
    text = edit(23, lambda line: line + "  # barrier-lint: disable=BL101")
    assert found(text, Config(ignore=frozenset({"BL901"}))) == UNSUPPRESSED
    assert found(text + "# barrier-lint: disable-file=BL901\n") == UNSUPPRESSED
    assert [d.severity for d in lint(text, Config(severity={"BL901": Severity.WARNING})) if d.code == "BL901"] == [Severity.WARNING]


def test_suppression_in_a_multi_document_file():
    text = RELEASE + "---\n" + edit(25, lambda line: line + "  # barrier-lint: disable=BL101")
    assert found(text) == [*UNSUPPRESSED, ("BL105", 33, 35), ("BL203", 50, 88)]


def test_suppressed_findings_do_not_fail_the_cli(tmp_path, monkeypatch):
    text = RELEASE + "# barrier-lint: disable-file=BL101, BL203\n"
    (tmp_path / "p.yaml").write_text(text)
    status, out, _ = run_main(["p.yaml"], monkeypatch, tmp_path)
    assert (status, out.splitlines()[0]) == (0, "p.yaml:7:35: BL105 [warning] barrier 'spare' is declared but no Barrier step uses it")


def test_yaml_that_is_not_harness_is_left_alone():
    text = textwrap.dedent(
        """\
        kind: ConfigMap  # barrier-lint: disable=BL101
        data: {a: 1}
        """
    )
    assert found(text) == []


@pytest.mark.parametrize("piece", [1, 5, 11, 12, 13, 1 << 18])
def test_a_marker_across_the_pieces_the_text_is_lowered_in_is_found(monkeypatch, piece):
    import barrier_lint.suppression as suppression

    monkeypatch.setattr(suppression, "_PIECE", piece)
    text = edit(24, lambda line: line + "  # Barrier-LINT: disable=BL203")
    assert found(text) == [("BL105", 7, 35), ("BL101", 25, 90)]
    for start in range(len("barrier-lint") + 2):
        assert suppression._mentions_barrier_lint("x" * start + "bArrier-lint") and not suppression._mentions_barrier_lint(
            "x" * start + "barrier-lin"
        )
