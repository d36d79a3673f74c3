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


WORDS = ["deploy", "prod", "staging", "canary", "region", "us", "eu", "east", "west", "ready", "done", "sync",
         "gate", "db", "migrate", "api", "web", "smoke", "tests"]


def _vocabulary(rng, n):
    return list(dict.fromkeys(
        "_".join(rng.sample(WORDS, rng.randint(2, 4))) + rng.choice(["", "_1", "_2", "_v2"]) for _ in range(n)
    ))


def _misspelt(rng, word):
    """One edit: two neighbours swapped, a character dropped, doubled or replaced."""
    i, kind = rng.randrange(len(word)), rng.randrange(4)
    if kind == 0 and i + 1 < len(word):
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind <= 1:
        return word[:i] + word[i + 1:]
    if kind == 2:
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("abcdefgh_") + word[i + 1:]


def _difflib(ref, declared):
    found = difflib.get_close_matches(ref, declared, n=1, cutoff=0.6)
    return found[0] if found else None


def test_closest_is_difflibs_answer_up_to_the_exact_bound():
    rng = random.Random(7)
    declared = _vocabulary(rng, 400)[: _Closest.EXACT]
    assert len(declared) == _Closest.EXACT
    closest = _Closest(declared, [])
    refs = [_misspelt(rng, rng.choice(declared)) for _ in range(100)] + ["_".join(rng.sample(WORDS, 3)) for _ in range(100)]
    assert [closest(ref) for ref in refs] == [_difflib(ref, declared) for ref in refs]


def test_above_the_bound_a_misspelling_gets_difflibs_answer():
    # Many declarations: the candidates come from the trigram index, and a one-edit misspelling keeps
    # most trigrams of what it misspells, so the answer is difflib's for each of these.
    rng = random.Random(1)
    declared = _vocabulary(rng, 600)
    assert len(declared) > _Closest.EXACT
    closest = _Closest(declared, [])
    refs = [_misspelt(rng, rng.choice(declared)) for _ in range(400)]
    assert [closest(ref) for ref in refs] == [_difflib(ref, declared) for ref in refs]


def test_above_the_bound_a_value_sharing_only_common_trigrams_gets_a_close_candidate():
    # The reading where the index and difflib part: a recombination of common words shares no rare
    # trigram with difflib's closest; the suggestion is the closest of the candidates (still above the
    # cutoff), and the same every time.
    rng = random.Random(1)
    declared = _vocabulary(rng, 600)
    closest = _Closest(declared, [])
    assert closest("west_ready_us") == "west_api_us_v2"
    assert _difflib("west_ready_us", declared) == "west_ready_2"
    assert difflib.SequenceMatcher(None, "west_ready_us", "west_api_us_v2").ratio() >= _Closest.CUTOFF
    assert _Closest(declared, [])("west_ready_us") == "west_api_us_v2"


def test_many_declarations_and_misspellings_suggest_each_ones_own():
    n = 400
    lines = ["pipeline:", "  identifier: p", "  flowControl:", "    barriers:"]
    lines += [f"      - {{name: d{i}, identifier: deploy_region_{i:05d}}}" for i in range(n)]
    lines += ["  stages:", "    - stage:", "        identifier: s", "        type: Custom", "        spec:",
              "          execution:", "            steps:"]
    for i in range(n):
        lines.append(f"              - step: {{type: Barrier, identifier: g{i}, spec: {{barrierRef: deploy_regoin_{i:05d}}}}}")
    found = [(d.code, d.span.start_line, d.data["suggestion"]) for d in lint("\n".join(lines) + "\n") if d.code == "BL101"]
    assert found == [("BL101", 4 + n + 7 + i, f"deploy_region_{i:05d}") for i in range(n)]
