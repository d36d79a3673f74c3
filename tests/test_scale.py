"""The fast paths of issue 13 give the answers of the slow definitions they replace."""

from __future__ import annotations

import difflib
import random

from barrier_lint import lint
from barrier_lint.rules.bl101_undeclared_barrier import _Closest


def test_closest_declaration_is_difflibs_answer():
    rng = random.Random(13)
    alphabet = "ab_c1d2"
    for _ in range(300):
        declared = list(dict.fromkeys("".join(rng.choices(alphabet, k=rng.randint(0, 9))) for _ in range(rng.randint(0, 12))))
        closest = _Closest(declared, [])
        for _ in range(5):
            ref = "".join(rng.choices(alphabet, k=rng.randint(1, 9)))
            expected = difflib.get_close_matches(ref, declared, n=1, cutoff=0.6)
            assert closest(ref) == (expected[0] if expected else None), (ref, declared)


def _many_suppressed(n: int) -> str:
    lines = ["pipeline:", "  identifier: p", "  stages:", "    - stage:", "        identifier: s", "        type: Custom",
             "        spec:", "          execution:", "            steps:"]
    for i in range(n):
        comment = "  # barrier-lint: disable=BL101" if i % 2 else "  # barrier-lint: disable=BL202"
        lines += ["              - step:", "                  type: Barrier", f"                  identifier: g{i}",
                  "                  spec:", f"                    barrierRef: b{i}{comment}", "                  timeout: 1m"]
    lines.append("# barrier-lint: disable-file=BL105")
    return "\n".join(lines) + "\n"


def test_suppression_comments_by_line_keep_the_same_findings():
    found = [(d.code, d.span.start_line, d.span.start_col) for d in lint(_many_suppressed(4))]
    # Odd steps: BL101 suppressed on its line; even steps: the BL202 comment suppresses nothing (BL901) and
    # BL101 stays; the file-wide BL105 comment suppresses nothing either.
    assert found == [("BL101", 13, 32), ("BL901", 13, 36), ("BL101", 25, 32), ("BL901", 25, 36), ("BL901", 33, 0)]
