"""Mutated real pipelines (lines dropped, duplicated, broken with YAML punctuation, keys swapped) never
make the analysis raise: bad input gets findings, not tracebacks. Seeded, so a failure reproduces."""

from __future__ import annotations

import random

import pytest

from barrier_lint import lint

from .conftest import CORPUS, FIXTURES, ROOT

SOURCES = sorted(FIXTURES.glob("*/*.yaml")) + sorted((ROOT / "examples").glob("*.yaml"))
SOURCES += sorted(CORPUS.glob("*.y*ml")) if CORPUS.is_dir() else []
INSERTS = [" ", "-", ":", "[", "{", "&a ", "*a", "<<: *a\n", "\t", '"', "'", "#", "\n  ", "Barrier", "<+input>", "parallel:", "rollbackSteps:"]
KEYS = ["Barrier", "stage", "steps", "parallel", "identifier", "barrierRef", "dependsOn", "strategy", "when", "timeout", "spec"]


def mutate(text: str, rng: random.Random) -> str:
    lines = text.splitlines(True)
    for _ in range(rng.randint(1, 4)):
        if not lines:
            break
        j = rng.randrange(len(lines))
        op = rng.random()
        if op < 0.3:
            del lines[j]
        elif op < 0.5:
            lines.insert(j, lines[rng.randrange(len(lines))])
        elif op < 0.7:
            k = rng.randrange(len(lines[j]) + 1)
            lines[j] = lines[j][:k] + rng.choice(INSERTS) + lines[j][k:]
        else:
            lines[j] = lines[j].replace(rng.choice(KEYS), rng.choice(KEYS + ["x", ""]))
    return "".join(lines)


@pytest.mark.parametrize("seed", range(10))
def test_mutated_pipelines_never_raise(seed):
    rng = random.Random(seed)
    texts = [p.read_text(encoding="utf-8-sig") for p in SOURCES]
    for _ in range(100):
        lint(mutate(rng.choice(texts), rng), assume_harness=True)
