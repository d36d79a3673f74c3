"""Baselines: accept today's findings, report only new ones.

A finding is recorded by a fingerprint made of what it is about, never of where that sits: its file, its
code, the barrier, and the identifiers of its stage, step groups and step (`stage deploy > step wait`, the
`subject` of the model), plus a counter for findings that share all of those. Steps and stages added,
removed or reordered around it, lines moving, and edits far away in a template it is reached through
leave it unchanged; renaming its step or stage, or changing its code or barrier, makes it a new finding.
Findings about no element (BL000, BL107) use their message with the numbers taken out; BL901 its comment.
The same fingerprints are published by the sarif (`partialFingerprints`) and gitlab (`fingerprint`)
formats, so code-scanning services track findings the same way; within one run no two are equal.

The file is JSON: {"version": 2, "findings": [{"fingerprint", "file", "code", "barrier", "subject",
"message"}, ...]}; paths in it are relative to the baseline file's folder, so it works from any directory.
Version 1 fingerprints held list positions; such a file is refused with a request to record it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter

from .diagnostics import Diagnostic
from .output.common import FileResult, escape, write_atomically

VERSION = 2
_NUMBERS = re.compile(r"\d+")


class BaselineError(Exception):
    pass


def _path_key(path: str, base: str | None) -> str:
    if path == "-" or base is None:
        return path.replace(os.sep, "/")
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def _identity(path_key: str, d: Diagnostic) -> str:
    where = d.tree_path or _NUMBERS.sub("#", d.message)
    return "\0".join((path_key, d.code, d.barrier or "", where))


def fingerprints(results: list[FileResult], base: str | None = None) -> tuple[tuple[str, ...], ...]:
    """One fingerprint per finding, in the order of `results` and their diagnostics. Paths are taken
    relative to `base` (a folder) when given, as written otherwise."""
    seen: Counter[str] = Counter()
    out = []
    for result in results:
        key = _path_key(result.path, base)
        prints = []
        for d in result.diagnostics:
            identity = _identity(key, d)
            seen[identity] += 1
            digest = hashlib.sha256(f"{identity}\0{seen[identity]}".encode("utf-8", "surrogateescape")).hexdigest()
            prints.append(digest[:32])
        out.append(tuple(prints))
    return tuple(out)


def write_baseline(path: str, results: list[FileResult]) -> int:
    """Record every finding of `results`; returns how many."""
    base = os.path.dirname(os.path.abspath(path))
    entries = []
    for result, prints in zip(results, fingerprints(results, base)):
        for d, fingerprint in zip(result.diagnostics, prints):
            entries.append(
                {
                    "fingerprint": fingerprint,
                    "file": escape(_path_key(result.path, base), syntax_escapes_controls=True),
                    "code": d.code,
                    "barrier": d.barrier,
                    "subject": d.tree_path,
                    "message": d.message,  # for people reading the file; not part of the match
                }
            )
    document = {"version": VERSION, "tool": "barrier-lint", "findings": entries}
    write_atomically(path, lambda handle: handle.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n"))
    return len(entries)


def read_baseline(path: str) -> frozenset[str]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise BaselineError(f"baseline {path} is not JSON: {exc}") from None
    if isinstance(data, dict) and data.get("version") == 1:
        raise BaselineError(
            f"baseline {path} was written by an older barrier-lint whose fingerprints changed when steps moved; "
            f"record it again with --write-baseline {path}"
        )
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"baseline {path} is not a barrier-lint baseline (version {VERSION})")
    try:
        return frozenset(str(entry["fingerprint"]) for entry in data["findings"])
    except (TypeError, KeyError):
        raise BaselineError(f"baseline {path}: every finding needs a fingerprint") from None


def filter_baseline(path: str, results: list[FileResult], known: frozenset[str]) -> tuple[list[FileResult], int]:
    """`results` without the findings recorded in the baseline at `path`; also how many were dropped."""
    base = os.path.dirname(os.path.abspath(path))
    out, dropped = [], 0
    for result, prints in zip(results, fingerprints(results, base)):
        kept = [d for d, fingerprint in zip(result.diagnostics, prints) if fingerprint not in known]
        dropped += len(result.diagnostics) - len(kept)
        out.append(FileResult(result.path, kept, result.text))
    return out, dropped


def stale_entries(path: str, results: list[FileResult]) -> int:
    """How many entries of the baseline at `path` match no finding of `results`, counting only entries of
    the files in `results` (a run over part of the repository says nothing about the other files)."""
    base = os.path.dirname(os.path.abspath(path))
    try:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)["findings"]
    except (OSError, ValueError, KeyError, TypeError):
        return 0  # read_baseline reports what is wrong with the file
    files = {_path_key(result.path, base) for result in results}
    current = {fingerprint for prints in fingerprints(results, base) for fingerprint in prints}
    return sum(1 for entry in entries if isinstance(entry, dict) and entry.get("file") in files and entry.get("fingerprint") not in current)
