"""Which `Config` applies to an open document: the configuration file the CLI would use for that file
(`barrier_lint.settings.config_for`), overridden by the editor's settings.

Editor settings arrive three ways, all holding the keys of a `[tool.barrier-lint]` table (`select`,
`ignore`, `severity`, and `stage-types`/`stageTypes` too):
- `initializationOptions` (`{"select": [...]}`, or the same under `"barrierLint"`);
- `workspace/didChangeConfiguration` pushing `{"barrierLint": {...}}`;
- `workspace/configuration` pulled per workspace folder (section `barrierLint`, scope = the folder), when
  the client supports it; in a multi-root workspace each folder gets its own settings.

Editor settings win key by key: `select` and `stage-types` replace the file's, `ignore` adds to it, and
`severity` entries replace the file's entry for the same rule.
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass, field
from urllib.parse import unquote, urlparse

from barrier_lint.config import Config
from barrier_lint.records import replace
from barrier_lint.settings import KEYS, ConfigError, config_for, config_from_dict

SECTION = "barrierLint"
# Keys that configure the server itself, not the analysis.
SERVER_KEYS = ("debounceMs",)
_ALIASES = {"stageTypes": "stage-types", "perFileIgnores": "per-file-ignores"}


def uri_to_path(uri: str) -> pathlib.Path | None:
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return pathlib.Path(unquote(parsed.path))


def editor_table(settings) -> dict:
    """The barrier-lint keys of a settings object, with editor-style aliases turned into the TOML keys.

    Editors send what they have: keys of other tools or of the client (`trace`, `interpreter`) are left
    out here (see `unknown_keys`), and an empty `select` list (Lua's `{}`) means "not set", not "no rule".
    """
    if not isinstance(settings, dict):
        return {}
    if isinstance(settings.get(SECTION), dict):
        settings = settings[SECTION]
    table = {_ALIASES.get(k, k): v for k, v in settings.items()}
    if table.get("select") == []:
        del table["select"]
    return {k: v for k, v in table.items() if k in KEYS}


def unknown_keys(settings) -> list[str]:
    if not isinstance(settings, dict):
        return []
    if isinstance(settings.get(SECTION), dict):
        settings = settings[SECTION]
    return sorted(k for k in settings if _ALIASES.get(k, k) not in KEYS and k not in SERVER_KEYS and k != SECTION)


def merge(base: Config, editor: dict, source: str, root: str | None = None) -> Config:
    """`base` (from a configuration file) with the editor's settings on top. Raises ConfigError.

    `stable-templates` entries replace the file's entry for the same templateRef; `template-paths`
    replaces the file's, relative to `root` (the workspace folder); `exclude` is not merged here: its
    patterns are relative to the folder (see `editor_excludes`)."""
    if not editor:
        return base
    override = config_from_dict(editor, source, root=root)
    return replace(
        base,
        stable_templates=tuple({**dict(base.stable_templates), **dict(override.stable_templates)}.items()),
        template_paths=override.template_paths if "template-paths" in editor else base.template_paths,
        select=override.select if "select" in editor else base.select,
        ignore=base.ignore | override.ignore,
        severity={**base.severity, **override.severity},
        stage_types=override.stage_types if "stage-types" in editor else base.stage_types,
    )


@dataclass
class Settings:
    """Editor settings known to the server: global ones and, once pulled, those of each workspace folder."""

    global_settings: dict = field(default_factory=dict)
    folders: list[str] = field(default_factory=list)  # workspace folder URIs
    by_folder: dict[str, dict] = field(default_factory=dict)  # folder URI ("" for no folder) -> settings

    def folder_of(self, uri: str) -> str:
        """The innermost workspace folder holding `uri`, or "" when none does."""
        best = ""
        for folder in self.folders:
            prefix = folder.rstrip("/") + "/"
            if uri.startswith(prefix) and len(folder) > len(best):
                best = folder
        return best

    def editor_settings(self, uri: str) -> dict:
        folder = self.folder_of(uri)
        if folder in self.by_folder:
            return self.by_folder[folder]
        return self.global_settings

    def config_for(self, uri: str) -> tuple[Config, list[str]]:
        """The configuration for a document, and the problems met building it (for the client's log)."""
        problems: list[str] = []
        path = uri_to_path(uri)
        base = Config()
        if path is not None:
            try:
                base = config_for(path)
            except ConfigError as exc:
                problems.append(f"configuration file ignored: {exc}")
            except OSError as exc:
                problems.append(f"configuration file unreadable: {exc}")
        folder = uri_to_path(self.folder_of(uri)) if self.folder_of(uri) else None
        try:
            editor = editor_table(self.editor_settings(uri))
            return merge(base, editor, "editor settings (barrierLint)", str(folder) if folder else None), problems
        except ConfigError as exc:
            problems.append(f"editor settings ignored: {exc}")
            return base, problems


def editor_excludes(settings: Settings, folder: str) -> Config:
    """The editor's `exclude` patterns for a workspace folder (a path), relative to it."""
    editor = editor_table(settings.editor_settings(pathlib.Path(folder).as_uri() + "/"))
    try:
        return config_from_dict({"exclude": editor.get("exclude", [])}, "editor settings (barrierLint)", root=folder)
    except ConfigError:
        return Config()
