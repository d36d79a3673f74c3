"""The bounded fuzzing run of CI (the long one is bench/fuzz_long.py): generated Harness pipelines, YAML
torture and byte mutations of the real corpus, each checked for the properties of `fuzz_strategies`
(no exception, ranges inside the document, deterministic, no BL000 on valid Harness YAML), the regression
corpus replayed, and the same findings through the CLI and through the language server.

Derandomized: CI tries the same few thousand inputs every time, so a failure reproduces. Scale the run
with BARRIER_LINT_FUZZ_SCALE (a float, 1 by default).
"""

from __future__ import annotations

import base64
import json
import os
import pathlib
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from lsprotocol import types

from tests import fuzz_strategies as F
from tests.lsp_fixtures.harness import make_client_fixture

REGRESSIONS = sorted((pathlib.Path(__file__).parent / "fuzz_regressions").glob("*.json"))
SCALE = float(os.environ.get("BARRIER_LINT_FUZZ_SCALE", "1"))


def bounded(examples: int):
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    )


@bounded(600)
@given(F.harness_pipelines())
def test_generated_harness_pipelines(text):
    F.check_text(text, valid_harness=True)
    F.check_bytes(text.encode("utf-8"))


@bounded(800)
@given(F.yaml_torture())
def test_yaml_torture(text):
    F.check_text(text)


@pytest.mark.skipif(not F.CORPUS_FILES, reason="the shared corpus (../shared/corpus/real) is not here")
@bounded(1500)
@given(F.corpus_mutations())
def test_corpus_byte_mutations(data):
    F.check_bytes(data)


def load_regression(path: pathlib.Path) -> tuple[str, str | bytes]:
    item = json.loads(path.read_text(encoding="utf-8"))
    return item["kind"], item["input"] if item["kind"] == "text" else base64.b64decode(item["input"])


@pytest.mark.timeout(60)
@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.stem)
def test_every_input_that_ever_failed(path):
    kind, value = load_regression(path)
    if kind == "text":
        F.check_text(value)
        if not any("\ud800" <= c <= "\udfff" for c in value):
            F.check_bytes(value.encode("utf-8"))
    else:
        F.check_bytes(value)


def test_the_regression_corpus_is_there():
    assert len(REGRESSIONS) >= 12


# --------------------------------------------------------------------------------------- CLI and server agree

client = make_client_fixture(clients=["visual-studio-code"])


def collect(strategy, examples: int) -> list:
    found: list = []

    @bounded(examples)
    @given(strategy)
    def gather(value):
        found.append(value)

    gather()
    return list(dict.fromkeys(found))


def utf16(line: str, col: int) -> int:
    return len(line[:col].encode("utf-16-le")) // 2


def cli_findings(folder: pathlib.Path) -> dict[str, list[tuple]]:
    """What the CLI reports for every file of `folder`, walked as a directory (so, as in the editor, YAML
    that is not Harness YAML gets no BL000), in UTF-16 columns."""
    from barrier_lint.cli import build_parser

    options = {o for action in build_parser()._actions for o in action.option_strings}
    fmt = "--output-format" if "--output-format" in options else "--format"
    # Each file on its own, as the server reads a document opened without workspace folders (the generated
    # files name templates and pipelines of each other by chance).
    alone = ["--no-resolve"] if "--no-resolve" in options else []
    result = subprocess.run(
        [sys.executable, "-m", "barrier_lint", fmt, "json", "--exit-zero", "--no-respect-gitignore", *alone, str(folder)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    found: dict[str, list[tuple]] = {}
    for item in json.loads(result.stdout):
        name = pathlib.Path(item["file"]).name
        lines = F.split_lines((folder / name).read_text(encoding="utf-8"))
        start = utf16(lines[item["line"] - 1], item["column"] - 1)
        end = utf16(lines[item["end_line"] - 1], item["end_column"] - 1)
        found.setdefault(name, []).append(
            (item["code"], item["line"] - 1, start, item["end_line"] - 1, end, item["message"])
        )
    return found


@pytest.mark.timeout(600)
async def test_cli_and_language_server_report_the_same_findings(client, tmp_path):
    texts = collect(F.harness_pipelines(), 60) + collect(F.yaml_torture(), 60)
    texts = [t.removeprefix("\ufeff") for t in texts]  # editors hand the server the text without its BOM
    for number, text in enumerate(texts):
        (tmp_path / f"input{number:03}.yaml").write_bytes(text.encode("utf-8"))
    expected = cli_findings(tmp_path)
    assert sum(map(len, expected.values())) > 100  # the comparison has something to compare
    session = client.session
    for number, text in enumerate(texts):
        name = f"input{number:03}.yaml"
        published = await session.open((tmp_path / name).as_uri(), text)
        got = [
            (d.code, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character, d.message)
            for d in published.diagnostics
        ]
        assert sorted(got) == sorted(expected.get(name, [])), (name, text)
        session.client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=(tmp_path / name).as_uri()))
        )
