"""The result cache (as ruff has): a file's findings are reused while nothing they depend on has changed.

A result is keyed by
- the barrier-lint version and this cache's format,
- the file's bytes (a hash), its name as reported and the working directory (messages name other files
  relative to it), whether it was named explicitly, and the effective configuration;
- when templates resolve: the names of every file of the workspace and the bytes of its template files
  (a file that appears, or a template that changes, could change what any use resolves to), and, stored
  with the result, the hash of every other file the analysis read (`Workspace.depends`) but the templates,
  whose bytes the key holds already; a result whose
  analysis looked pipelines up (chained pipelines, input sets) also records the hash of every file of the
  workspace, since a pipeline's identity can change in any file.

Beside the results, the cache remembers each file's status (size, modification and change times in
nanoseconds, inode, device) with its hash, as git's index and ruff do: a file whose status is unchanged is
not read again on the next run (its hash, which the key still holds, comes from the table). A status taken
less than `RACY_NS` after the file last changed is not remembered (git's "racy" case: a change within the
file system's timestamp granularity would leave the same times behind), and the change time, which no
program can set back, catches a modification hidden by restoring the modification time.

The cache is one JSON file per workspace root, in `.barrier-lint-cache/` there (or, when that folder
cannot be written, `$XDG_CACHE_HOME/barrier-lint/`, `~/.cache` by default), written atomically
(a temporary file, then a rename). A cache that cannot be read, is corrupt or was written by another
version is ignored and rewritten: never an error. It holds data only (JSON, never pickle): a cache
folder committed to a repository cannot run code.
"""

from __future__ import annotations

import json
import os
import stat
import time

from . import __version__
from .diagnostics import Diagnostic, Related, Severity
from .model import Origin, Span
from .patterns import key_at_line_start
from .records import fields, is_record

try:  # the BLAKE2 module alone: hashlib would also load OpenSSL, a cost at every start
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - a Python built without it
    from hashlib import blake2b

CACHE_DIR = ".barrier-lint-cache"
FORMAT = 2
FILE_NAME = f"results-{FORMAT}.json"
DEFINES_TEMPLATE = key_at_line_start("template")
# A file status taken within this long of the file's last change is not trusted on the next run. Two seconds
# cover the coarsest timestamps in use (FAT's) and the kernel's coarse clock lagging the one read here.
RACY_NS = 2_000_000_000


def digest(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    return blake2b(data, digest_size=16).hexdigest()


def canonical(value) -> object:
    """A JSON-able form of a configuration that is the same in every process (sets sorted)."""
    import enum

    if is_record(value):
        return {f.name: canonical(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v) for v in value), key=repr)
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        return sorted(([canonical(k), canonical(v)] for k, v in value.items()), key=repr)
    if isinstance(value, enum.Enum):
        return value.value
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


class FileHashes:
    """Each file's (size, hash, whether it may hold a template), found once per run: from the cache's stat
    table when the file's status is the one remembered, else from one read. The command line's key of a
    file and its workspace's fingerprint share it, so no file is read twice for the cache."""

    def __init__(self, table: object = None) -> None:
        self.table: dict[str, list] = table if isinstance(table, dict) else {}  # absolute path -> stat entry
        self.known: dict[str, tuple[int, str, bool]] = {}  # this run's, by absolute path
        self.changed = False

    def trusted(self, path: str, limit: int) -> tuple[int, str, bool] | None:
        """What is known of the file without reading it (this run, or its status unchanged since a run
        that read it), when it is a regular file of at most `limit` bytes; else None: read it."""
        return self._trusted(os.path.abspath(path), limit)

    def _trusted(self, key: str, limit: int) -> tuple[int, str, bool] | None:
        found = self.known.get(key)
        if found is not None:
            return found if found[0] <= limit else None
        entry = self.table.get(key)
        if entry is None:
            return None
        try:
            status = os.stat(key)
        except (OSError, ValueError):
            return None
        try:
            if (
                stat.S_ISREG(status.st_mode) and status.st_size <= limit and type(entry) is list and len(entry) == 7
                and entry[:5] == [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev]
                and type(entry[5]) is str
            ):
                found = self.known[key] = (status.st_size, entry[5], entry[6] is True)
                return found
        except TypeError:
            pass  # an entry of another shape: read the file
        return None

    def record(self, path: str, data: bytes, status: os.stat_result) -> tuple[int, str, bool]:
        """The file's bytes as read now, and its status from just before the read."""
        key = os.path.abspath(path)
        found = self.known[key] = (len(data), digest(data), DEFINES_TEMPLATE(data))
        settled = time.time_ns() - RACY_NS
        if status.st_mtime_ns < settled and status.st_ctime_ns < settled and status.st_size == len(data):
            entry = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev, *found[1:]]
            if self.table.get(key) != entry:
                self.table[key] = entry
                self.changed = True
        elif self.table.pop(key, None) is not None:
            self.changed = True
        return found

    def keep_only_known(self) -> None:
        """Forget the files not met this run (called when the run listed the whole workspace)."""
        if len(self.table) != len(self.known) or any(k not in self.known for k in self.table):
            self.table = {k: v for k, v in self.table.items() if k in self.known}
            self.changed = True

    def of(self, path: str, limit: int) -> tuple[int, str, bool] | None:
        """`trusted`, else read (None for a file that cannot be read or is over the limit)."""
        from .discovery import NotReadable, read_file_stat

        key = os.path.abspath(path)
        found = self._trusted(key, limit)
        if found is None and key not in self.known:
            try:  # the same bounded, non-blocking read as everywhere: a FIFO here must not hang the run
                data, status = read_file_stat(path, limit)
            except (OSError, NotReadable):
                return None
            found = self.record(path, data, status)
        return found


class Fingerprint:
    """What a workspace's files are now: their hashes (`FileHashes`: one read at most of each), and the
    parts of the key that every result of the workspace shares."""

    def __init__(self, paths, hashes: FileHashes | None = None) -> None:
        from .output.common import display_name
        from .workspace.files import MAX_RESOLVE_BYTES

        if hashes is None:
            hashes = FileHashes()
        self.hashes: dict[str, str] = {}
        templates = []
        for path in paths:
            found = hashes.of(path, MAX_RESOLVE_BYTES)
            if found is None:
                continue
            name = display_name(path)
            self.hashes[name] = found[1]
            if found[2]:
                templates.append((name, found[1]))
        names = sorted(self.hashes)
        self.shared = digest(json.dumps([names, sorted(templates)]))
        self.templates = {name for name, _ in templates}  # whose bytes `shared` holds already
        self.everything = digest(json.dumps(sorted(self.hashes.items())))


class ResultCache:
    def __init__(self, path: str | None) -> None:
        self.path = path
        self.entries: dict[str, dict] = {}
        self.hashes = FileHashes()
        self.changed = False
        if path is None:
            return
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
            if isinstance(data, dict) and data.get("format") == FORMAT and data.get("version") == __version__:
                entries = data.get("entries")
                if isinstance(entries, dict):
                    self.entries = entries
                    self.hashes = FileHashes(data.get("stats"))
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            pass  # no cache yet, or one we cannot use: start afresh

    @classmethod
    def for_root(cls, root: str) -> ResultCache:
        return cls(cache_file(root))

    def holds(self, file: str) -> bool:
        """Whether the cache has an entry for `file`, under any key."""
        return file in self.entries

    def get(self, file: str, key: str, fingerprint: Fingerprint | None) -> tuple[list[Diagnostic], bool] | None:
        """The findings stored for `file` under `key`, and whether it holds Harness YAML; None for a miss."""
        entry = self.entries.get(file)
        if not isinstance(entry, dict) or entry.get("key") != key:
            return None
        try:
            depends = entry.get("depends") or {}
            if depends:
                if fingerprint is None or any(fingerprint.hashes.get(n) != h for n, h in depends.items()):
                    return None
            wide = entry.get("everything")
            if wide is not None and (fingerprint is None or fingerprint.everything != wide):
                return None
            return [_diagnostic(d) for d in entry["diagnostics"]], bool(entry["harness"])
        except (KeyError, TypeError, ValueError, IndexError):
            return None  # an entry of another shape: a miss

    def put(
        self, file: str, key: str, diagnostics: list[Diagnostic], harness: bool, depends: set[str], wide: bool,
        fingerprint: Fingerprint | None,
    ) -> None:
        if self.path is None:
            return
        hashes = {}
        if depends:
            if fingerprint is None:
                return
            for name in sorted(depends):
                if name not in fingerprint.hashes:
                    return  # a file we cannot see again: do not cache what depends on it
                if name not in fingerprint.templates:  # a template's bytes are in the key (`shared`) already
                    hashes[name] = fingerprint.hashes[name]
        if wide and fingerprint is None:
            return
        try:
            encoded = [_encode(d) for d in diagnostics]
            json.dumps(encoded)
        except (TypeError, ValueError):
            return  # a finding whose data is not JSON: not cached
        self.entries[file] = {
            "key": key, "depends": hashes, "everything": fingerprint.everything if wide else None,
            "diagnostics": encoded, "harness": harness,
        }
        self.changed = True

    def save(self) -> None:
        if self.path is None or not (self.changed or self.hashes.changed):
            return
        from .output.common import write_atomically  # the one atomic write (a temporary file, then a rename)

        folder = os.path.dirname(self.path)
        entries = {"format": FORMAT, "version": __version__, "entries": self.entries, "stats": self.hashes.table}
        try:
            os.makedirs(folder, exist_ok=True)
            _mark(folder)
            write_atomically(self.path, lambda handle: json.dump(entries, handle, separators=(",", ":")))
        except OSError:
            pass  # a cache we cannot write costs the next run time, nothing else


def cache_file(root: str) -> str | None:
    """Where the cache of workspace `root` lives: `.barrier-lint-cache/` in it when it can be written there,
    else under `$XDG_CACHE_HOME/barrier-lint/`; None when neither can."""
    local = os.path.join(root, CACHE_DIR)
    if os.path.isdir(local) and os.access(local, os.W_OK) or not os.path.exists(local) and os.access(root, os.W_OK):
        return os.path.join(local, FILE_NAME)
    home = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(home, "barrier-lint", digest(os.path.abspath(root)))
    return os.path.join(folder, FILE_NAME)


def _mark(folder: str) -> None:
    """A `.gitignore` and a CACHEDIR.TAG in the cache folder, as ruff writes: git and backups skip it."""
    for name, text in ((".gitignore", "# Automatically created by barrier-lint.\n*\n"),
                       ("CACHEDIR.TAG", "Signature: 8a477f597d28d172789f06886806bc55\n# barrier-lint's result cache\n")):
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)


def _span(span: Span) -> list:
    origin = span.origin
    return [span.start_line, span.start_col, span.end_line, span.end_col,
            None if origin is None else [origin.file, _span(origin.via), origin.label]]


def _unspan(data: list) -> Span:
    origin = data[4]
    return Span(int(data[0]), int(data[1]), int(data[2]), int(data[3]),
                None if origin is None else Origin(str(origin[0]), _unspan(origin[1]), str(origin[2])))


def _encode(d: Diagnostic) -> dict:
    return {
        "code": d.code, "rule": d.rule, "severity": d.severity.value, "message": d.message, "span": _span(d.span),
        "related": [[_span(r.span), r.message] for r in d.related], "document": d.document, "barrier": d.barrier,
        "tree_path": d.tree_path, "data": d.data,
    }


def _diagnostic(data: dict) -> Diagnostic:
    return Diagnostic(
        code=str(data["code"]), rule=str(data["rule"]), severity=Severity(data["severity"]),
        message=str(data["message"]), span=_unspan(data["span"]),
        related=tuple(Related(_unspan(s), str(m)) for s, m in data["related"]), document=int(data["document"]),
        barrier=data["barrier"], tree_path=str(data["tree_path"]), data=dict(data["data"]),
    )
