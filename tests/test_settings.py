"""Configuration files: finding, reading, checking (`barrier_lint.settings`) and what the CLI does with them."""

from __future__ import annotations

import os
import pathlib
import textwrap

import pytest

from barrier_lint import Severity, lint
from barrier_lint.config import DEFAULT_STAGE_TYPES, Config
from barrier_lint.settings import ConfigError, config_for, config_from_dict, find_config_file, load_config

from .test_cli_integrations import RELEASE, run_main


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def codes(text: str, config: Config) -> list[tuple[str, int, int]]:
    return [(d.code, d.span.start_line + 1, d.span.start_col + 1) for d in lint(text, config)]


# --------------------------------------------------------------------------------------- finding


def test_nearest_configuration_wins(tmp_path):
    top = write(tmp_path / "pyproject.toml", "[tool.barrier-lint]\nignore = ['BL105']\n")
    inner = write(tmp_path / "a" / ".barrier-lint.toml", "ignore = ['BL101']\n")
    (tmp_path / "a" / "b").mkdir()
    assert find_config_file(tmp_path / "a" / "b" / "p.yaml") == inner
    assert find_config_file(tmp_path / "a") == inner
    assert find_config_file(tmp_path / "other.yaml") == top


def test_barrier_lint_toml_wins_over_pyproject_in_one_folder(tmp_path):
    write(tmp_path / "pyproject.toml", "[tool.barrier-lint]\nignore = ['BL105']\n")
    own = write(tmp_path / ".barrier-lint.toml", "ignore = ['BL101']\n")
    assert find_config_file(tmp_path / "p.yaml") == own


def test_pyproject_without_our_table_does_not_count(tmp_path):
    top = write(tmp_path / "pyproject.toml", "[tool.barrier-lint]\nignore = ['BL105']\n")
    write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n[tool.ruff]\nline-length = 100\n")
    assert find_config_file(tmp_path / "sub" / "p.yaml") == top


def test_no_configuration_gives_the_defaults(tmp_path):
    # (pytest's temporary folders have no configuration file above them)
    assert find_config_file(tmp_path / "p.yaml") is None
    assert config_for(tmp_path / "p.yaml") == Config()


# --------------------------------------------------------------------------------------- reading


def test_every_key(tmp_path):
    path = write(
        tmp_path / "pyproject.toml",
        """\
        [tool.barrier-lint]
        select = ["BL1", "BL203"]
        ignore = ["single-participant"]
        severity = { BL105 = "error", conditional-participant = "off", BL101 = "INFO" }
        exclude = ["legacy/", "*.generated.yaml"]
        stage-types = ["Deployment", "Custom", "Approval"]

        [tool.barrier-lint.per-file-ignores]
        "examples/**" = ["BL202", "undeclared-barrier"]
        """,
    )
    config = load_config(path)
    assert config.select == frozenset({"BL1", "BL203"})
    assert config.ignore == frozenset({"single-participant"})
    assert config.severity == {"BL105": Severity.ERROR, "BL206": None, "BL101": Severity.INFO}
    assert config.exclude == ("legacy/", "*.generated.yaml")
    assert config.per_file_ignores == (("examples/**", frozenset({"BL202", "undeclared-barrier"})),)
    assert config.stage_types == frozenset({"Deployment", "Custom", "Approval"})
    assert (config.root, config.source) == (str(tmp_path), str(path))


def test_configuration_changes_findings(tmp_path):
    path = write(tmp_path / ".barrier-lint.toml", 'severity = { BL105 = "error", BL203 = "off" }\n')
    config = load_config(path)
    assert codes(RELEASE, config) == [("BL105", 7, 35), ("BL101", 25, 90)]
    assert [d.severity for d in lint(RELEASE, config)] == [Severity.ERROR, Severity.ERROR]


def test_stage_types_reach_bl302():
    text = RELEASE.replace("type: Custom", "type: Approval")
    assert ("BL302", 16, 30) in codes(text, Config())
    config = config_from_dict({"stage-types": ["Approval"]}, "test")
    assert [c for c in codes(text, config) if c[0] == "BL302"] == []
    assert config_from_dict({}, "test").stage_types == DEFAULT_STAGE_TYPES


def test_barrier_lint_toml_may_also_use_the_tool_table(tmp_path):
    path = write(tmp_path / ".barrier-lint.toml", "[tool.barrier-lint]\nignore = ['BL101']\n")
    assert load_config(path).ignore == frozenset({"BL101"})


def test_per_file_ignores_resolve_per_file(tmp_path):
    write(tmp_path / "pyproject.toml", '[tool.barrier-lint.per-file-ignores]\n"examples/**" = ["BL101"]\n"*.tmpl.yaml" = ["BL105"]\n')
    assert config_for(tmp_path / "examples" / "a" / "p.yaml").ignore == frozenset({"BL101"})
    assert config_for(tmp_path / "x" / "p.tmpl.yaml").ignore == frozenset({"BL105"})
    assert config_for(tmp_path / "p.yaml").ignore == frozenset()
    assert config_for(tmp_path / "examples.yaml").ignore == frozenset()


def test_exclude_patterns_are_relative_to_the_configuration(tmp_path):
    config = load_config(write(tmp_path / "pyproject.toml", '[tool.barrier-lint]\nexclude = ["legacy/", "/top.yaml", "*.gen.yaml"]\n'))
    assert config.excludes(str(tmp_path / "legacy" / "deep" / "p.yaml"))
    assert config.excludes(str(tmp_path / "legacy"), is_dir=True)
    assert not config.excludes(str(tmp_path / "legacy.yaml"))
    assert config.excludes(str(tmp_path / "top.yaml"))
    assert not config.excludes(str(tmp_path / "sub" / "top.yaml"))
    assert config.excludes(str(tmp_path / "sub" / "x.gen.yaml"))
    assert not config.excludes(str(tmp_path.parent / "legacy" / "p.yaml"))  # outside the configuration's folder


def test_config_for_rereads_a_changed_file(tmp_path):
    path = write(tmp_path / ".barrier-lint.toml", "ignore = ['BL101']\n")
    assert config_for(tmp_path / "p.yaml").ignore == frozenset({"BL101"})
    path.write_text("ignore = ['BL105']\n")
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert config_for(tmp_path / "p.yaml").ignore == frozenset({"BL105"})


# --------------------------------------------------------------------------------------- checking


@pytest.mark.parametrize(
    ("table", "key", "message"),
    [
        ({"selct": ["BL1"]}, "selct", "unknown key (did you mean 'select'?)"),
        ({"colour": True}, "colour", "unknown key; known keys: select, ignore, severity, exclude, per-file-ignores, stage-types, stable-templates, template-paths"),
        ({"select": "BL1"}, "select", "must be a list of strings"),
        ({"select": ["BL1", 3]}, "select", "3 is not a non-empty string"),
        ({"ignore": ["BL999"]}, "ignore", "unknown rule 'BL999' (did you mean 'BL901'?)"),
        ({"severity": {"BL105": "fatal"}}, "severity.BL105", "'fatal' is not one of error, warning, info, off"),
        ({"severity": {"no-such-rule": "off"}}, "severity.no-such-rule", "unknown rule (a code like BL105 or a name like unused-barrier)"),
        ({"severity": "error"}, "severity", "must be a table of rule = severity (error, warning, info or off)"),
        ({"exclude": [""]}, "exclude", "'' is not a non-empty string"),
        ({"per-file-ignores": ["x"]}, "per-file-ignores", 'must be a table of "pattern" = [rules]'),
        ({"per-file-ignores": {"a/**": ["BL0000"]}}, "per-file-ignores.a/**", "unknown rule 'BL0000' (did you mean 'BL000'?)"),
        ({"stage-types": []}, "stage-types", "must name at least one stage type (e.g. Deployment)"),
    ],
)
def test_bad_values_name_the_source_and_key(table, key, message):
    with pytest.raises(ConfigError) as caught:
        config_from_dict(table, "editor settings")
    assert (caught.value.source, caught.value.key, caught.value.message) == ("editor settings", key, message)
    assert str(caught.value) == f"editor settings: {key}: {message}"


def test_keys_in_pyproject_are_named_with_their_table(tmp_path):
    path = write(tmp_path / "pyproject.toml", '[tool.barrier-lint]\nseverity = { BL105 = "loud" }\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (caught.value.source, caught.value.key) == (str(path), "tool.barrier-lint.severity.BL105")


def test_broken_toml_is_a_config_error(tmp_path):
    path = write(tmp_path / ".barrier-lint.toml", "ignore = [\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.source == str(path) and caught.value.key == ""
    assert caught.value.message.startswith("not valid TOML: ")


def test_stray_keys_next_to_the_tool_table_are_reported(tmp_path):
    path = write(tmp_path / ".barrier-lint.toml", "ignore = ['BL101']\n[tool.barrier-lint]\nselect = ['BL1']\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "ignore"


# --------------------------------------------------------------------------------------- the CLI


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    write(tmp_path / "pipelines" / "release.yaml", RELEASE)
    write(tmp_path / "examples" / "release.yaml", RELEASE)
    write(
        tmp_path / "pyproject.toml",
        """\
        [tool.barrier-lint]
        severity = { unused-barrier = "off" }
        per-file-ignores = { "examples/" = ["BL101"] }
        """,
    )
    return tmp_path


def test_cli_applies_the_configuration_per_file(project, monkeypatch):
    status, out, _ = run_main(["-q", "--format", "concise", "."], monkeypatch, project)
    assert status == 1
    assert [line.split(" ", 3)[:3] for line in out.splitlines()] == [
        ["examples/release.yaml:24:88:", "error", "BL203"],
        ["pipelines/release.yaml:24:88:", "error", "BL203"],
        ["pipelines/release.yaml:25:90:", "error", "BL101"],
    ]


def test_cli_config_option_replaces_the_search(project, monkeypatch):
    write(project / "ci.toml", "select = ['BL105']\n")
    status, out, _ = run_main(["-q", "--config", "ci.toml", "pipelines"], monkeypatch, project)
    assert (status, out) == (0, "pipelines/release.yaml:7:35: BL105 [warning] barrier 'spare' is declared but no Barrier step uses it\n")


def test_cli_select_replaces_and_ignore_adds(project, monkeypatch):
    status, out, _ = run_main(["-q", "--select", "BL1", "--ignore", "BL101", "pipelines"], monkeypatch, project)
    assert (status, out) == (0, "")  # BL105 is off in the configuration, BL101 ignored, BL203 not selected


def test_cli_reports_a_bad_configuration_with_file_and_key_and_exit_2(project, monkeypatch):
    write(project / "pipelines" / ".barrier-lint.toml", "severty = {}\n")
    status, out, err = run_main(["pipelines"], monkeypatch, project)
    assert (status, out) == (2, "")
    assert err == f"barrier-lint: {project / 'pipelines' / '.barrier-lint.toml'}: severty: unknown key (did you mean 'severity'?)\n"


def test_cli_missing_config_file_is_exit_2(project, monkeypatch):
    status, _, err = run_main(["--config", "nope.toml", "pipelines"], monkeypatch, project)
    assert status == 2
    assert err.startswith("barrier-lint: nope.toml: cannot read: ")


def test_show_config(project, monkeypatch):
    status, out, _ = run_main(["--show-config", "examples/release.yaml"], monkeypatch, project)
    assert status == 0
    lines = out.splitlines()
    assert lines[:9] == [
        "# configuration for examples/release.yaml",
        f"# from {project / 'pyproject.toml'}",
        f"# patterns relative to {project}",
        "[tool.barrier-lint]",
        'ignore = ["BL101"]  # with the per-file ignores for this path',
        'severity = {"BL105" = "off"}',
        "exclude = []",
        'per-file-ignores = {"examples/" = ["BL101"]}',
        'stage-types = ["Custom", "Deployment"]',
    ]
    assert "#   BL101  undeclared-barrier                 off" in lines
    assert "#   BL105  unused-barrier                     off" in lines
    assert "#   BL203  sequential-barrier-participants    error" in lines
    # What it prints is a configuration barrier-lint reads back.
    import tomllib

    table = tomllib.loads(out)["tool"]["barrier-lint"]
    assert config_from_dict(table, "show-config").severity == {"BL105": None}


def test_show_config_without_a_file(tmp_path, monkeypatch):
    status, out, _ = run_main(["--show-config"], monkeypatch, tmp_path)
    assert status == 0
    assert out.splitlines()[1] == "# no configuration file found: the defaults"
