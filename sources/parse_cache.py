"""Parse results kept between builds: a snapshot never changes, so while its parser does not change
either, its `FrameResult` is read back instead of parsed again.

Layout under the cache root (the home's `var/parse_cache/`):
    <family>/<parser version>/<snapshot id>/meta.json       counts, header, facts, warnings (typed JSON)
                                            /<frame>.parquet accepted rows, rejects, further tables

- **Key**: the snapshot id (the sha256 of the file's bytes and of its provenance, so everything a
  parser is handed, bytes and snapshot, is the same) under the family's parser version.
- **Parser version** (`parser_files`, `version_of`): a digest of the modules the family's parsers
  live in and every module of `sources/` they import, followed transitively through the source
  (a lazy import inside a function counts); a package imported brings its folder's data files too
  (`sources/geography/*.csv`, `sources/strategy/registry.yaml`), the family's own folder always
  does, its subfolders included (`sources/crime/*.csv`, its `datasets.yaml` with the datasets' parse
  options such as `single_indicator`); then the installed versions of the libraries those modules import, the
  Python version and this module's format. An edit to one family's parser changes that family's
  version only; an edit to a shared module (sources/parsing.py, sources/excel.py, geography)
  changes every family that uses it.
- **Only the current version is kept**: opening a family removes its other versions and any
  half-written entry a killed build left; a complete load of a family removes the entries of
  snapshots it no longer reads. Deleting the folder is always safe (the next build parses again).
- **Written atomically**: an entry is written into a temporary folder and renamed into place, so a
  killed build never leaves a half entry under its name; an entry that cannot be read back
  (damaged, edited: each file's sha256 is checked; of an older layout) counts as absent, is
  removed and written again.
- **Check outcomes live beside the entries** (`checks/`, orchestration/check_outcomes.py): they go
  with the family's version; a snapshot's go when its checks no longer find it.
- **Only successes are kept**: a file its parser refuses (SourceError) is parsed again, and refused
  again, by every build; a result whose facts hold a value the typed JSON does not carry is not
  kept (it is parsed every time, never altered).
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import polars as pl

from .parsing import FrameResult

SOURCES = Path(__file__).resolve().parent
# Changes when the layout of an entry changes: every older entry is then of another version.
FORMAT = "1"
META = "meta.json"
# The folder, beside a family's entries, of the check outcomes kept per snapshot
# (orchestration/check_outcomes.py): no snapshot id, so never taken for an entry.
CHECKS = "checks"


# --------------------------------------------------------------------------- parser version

def _module_file(module: str, root: Path) -> Path | None:
    """The file of a module of the `sources` package under `root` (a package: its __init__.py)."""
    parts = module.split(".")[1:]
    base = root.joinpath(*parts)
    if (base / "__init__.py").exists():
        return base / "__init__.py"
    if base.with_suffix(".py").exists():
        return base.with_suffix(".py")
    return None


def _imports(path: Path, module: str) -> tuple[set[str], set[str]]:
    """(modules of `sources` named, top-level names of other libraries) imported anywhere in a file."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    ours, libraries = set(), set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                (ours if alias.name.split(".")[0] == "sources" else libraries).add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target.split(".")[0] != "sources":
                libraries.add(target)
                continue
            ours.add(target)
            # `from . import rows` names a module; `from . import instruments` a name of the package.
            ours.update(f"{target}.{alias.name}" for alias in node.names)
    return ours, {name.split(".")[0] for name in libraries if name and name != "__future__"}


def parser_files(modules: list[str], own_folder: Path | None = None, root: Path = SOURCES) -> tuple[list[Path], set[str]]:
    """Every file the parsers of `modules` read (modules of `sources` as "sources.crime.rows", found
    under `root`), and the other libraries they import: see the module's docstring."""
    seen: set[str] = set()
    files: set[Path] = set()
    libraries: set[str] = set()
    todo = list(modules)
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        # Importing a.b.c runs the __init__ of a and of a.b first.
        parts = module.split(".")
        todo.extend(".".join(parts[:i]) for i in range(1, len(parts)))
        path = _module_file(module, root)
        if path is None:
            continue
        files.add(path)
        if path.name == "__init__.py" and path.parent != root:
            files.update(p for p in path.parent.iterdir() if p.is_file() and p.suffix not in (".py", ".pyc"))
        ours, others = _imports(path, module)
        todo.extend(ours)
        libraries |= others
    if own_folder is not None:
        # The family's data wherever it sits in its folder: a reference list in a subfolder is read
        # by its parsers as much as one beside them.
        files.update(p for p in own_folder.rglob("*")
                     if p.is_file() and p.suffix != ".pyc" and "__pycache__" not in p.relative_to(own_folder).parts)
    return sorted(files), libraries


@lru_cache(maxsize=1)
def _distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def _library_version(name: str) -> str:
    if name in sys.stdlib_module_names:
        return "stdlib"
    distributions = _distributions().get(name) or [name]
    try:
        return metadata.version(distributions[0])
    except metadata.PackageNotFoundError:
        return "unknown"


def version_of(files: list[Path], libraries: set[str] = frozenset(), root: Path = SOURCES) -> str:
    """A digest of the files (by their path under `root` and their bytes), the libraries' installed
    versions, the Python version and the cache's format."""
    digest = hashlib.sha256(f"format {FORMAT}\npython {sys.version.split()[0]}\n".encode())
    for name in sorted(libraries):
        digest.update(f"library {name} {_library_version(name)}\n".encode())
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        digest.update(f"file {path.relative_to(root).as_posix()} ".encode())
        digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def parser_modules(family) -> list[str]:
    """The modules that hold the family's parsers (a lambda's is the module it is written in)."""
    return sorted({parser.__module__ for parser in family.parsers.values()})


_VERSIONS: dict[tuple[Path, str], str] = {}


def family_version(family, root: Path = SOURCES) -> str:
    """The parser version of a declared family, its files read under `root` (a copy of `sources/`
    in the tests), computed once per process: the parsers a process runs are those it imported,
    whatever happens to the files later."""
    key = (root, family.name)
    if key not in _VERSIONS:
        files, libraries = parser_files(parser_modules(family), root / family.folder.name, root)
        _VERSIONS[key] = version_of(files, libraries, root)
    return _VERSIONS[key]


# --------------------------------------------------------------------------- typed JSON of facts

class NotKept(Exception):
    """A parse result that the cache does not carry exactly: it is not kept."""


def _encode(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [_encode(v) for v in value]
    if isinstance(value, tuple):
        return {"$t": "tuple", "v": [_encode(v) for v in value]}
    if isinstance(value, datetime):
        return {"$t": "datetime", "v": value.isoformat()}
    if isinstance(value, date):
        return {"$t": "date", "v": value.isoformat()}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and "$t" not in value:
            return {k: _encode(v) for k, v in value.items()}
        return {"$t": "dict", "v": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise NotKept(f"a value of type {type(value).__name__}")


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        kind = value.get("$t")
        if kind is None:
            return {k: _decode(v) for k, v in value.items()}
        if kind == "tuple":
            return tuple(_decode(v) for v in value["v"])
        if kind == "datetime":
            return datetime.fromisoformat(value["v"])
        if kind == "date":
            return date.fromisoformat(value["v"])
        if kind == "dict":
            return {_decode(k): _decode(v) for k, v in value["v"]}
        raise ValueError(f"unknown tag {kind!r}")
    return value


# --------------------------------------------------------------------------- the cache

@dataclass
class Counts:
    reused: int = 0       # results read back
    parsed: int = 0       # results parsed (and kept)
    not_kept: int = 0     # results parsed and not kept (a value the cache does not carry)
    damaged: int = 0      # entries that could not be read back: removed, parsed again


@dataclass
class ParseCache:
    root: Path
    sources: Path = SOURCES       # where the parsers' files are read for their version
    counts: dict[str, Counts] = field(default_factory=dict)
    _opened: set[str] = field(default_factory=set)

    def _folder(self, family) -> Path:
        return self.root / family.name / family_version(family, self.sources)[:32]

    def open(self, family) -> Path:
        """The family's folder of its current version; its other versions and any half-written
        entry are removed the first time it is opened."""
        folder = self._folder(family)
        if family.name not in self._opened:
            for other in (self.root / family.name).glob("*"):
                if other != folder:
                    _remove(other)
            for half in folder.glob(".tmp-*"):
                _remove(half)
            self._opened.add(family.name)
            self.counts.setdefault(family.name, Counts())
        return folder

    def get(self, family, snap) -> FrameResult | None:
        """The kept parse of the snapshot, or None. Its bytes are not read again; a stored file that
        went missing or changed its size is parsed (and refused by the store) as before."""
        entry = self.open(family) / snap.snapshot_id
        if not entry.exists():
            return None
        if snap.path:
            try:
                if Path(snap.path).stat().st_size != snap.size:
                    return None
            except OSError:
                return None
        try:
            result = _read(entry)
        except Exception:
            # Damaged or of an older layout: parsed again and written again.
            self.counts[family.name].damaged += 1
            _remove(entry)
            return None
        self.counts[family.name].reused += 1
        return result

    def put(self, family, snap, result: FrameResult) -> None:
        folder = self.open(family)
        try:
            meta = _meta(result)
        except NotKept:
            self.counts[family.name].not_kept += 1
            return
        folder.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder))
        try:
            for name, frame in _frames(result).items():
                frame.write_parquet(tmp / f"{name}.parquet")
                meta["frames"][name] = _sha256(tmp / f"{name}.parquet")
            (tmp / META).write_text(json.dumps(meta, allow_nan=True))
            for path in tmp.iterdir():
                with open(path, "rb") as fh:
                    os.fsync(fh.fileno())
            entry = folder / snap.snapshot_id
            if entry.exists():
                _remove(entry)
            os.rename(tmp, entry)
        finally:
            if tmp.exists():
                _remove(tmp)
        self.counts[family.name].parsed += 1

    def keep_only(self, family, snaps) -> None:
        """After a complete load: the entries of snapshots the family no longer reads go (the check
        outcomes under `checks/` go when their checks next run and no longer find the snapshot)."""
        keep = {s.snapshot_id for s in snaps}
        for entry in self.open(family).glob("*"):
            if entry.name != CHECKS and entry.name not in keep:
                _remove(entry)


def _frames(result: FrameResult) -> dict[str, pl.DataFrame]:
    out = {"accepted": result.accepted, "rejects": result.rejects}
    for name, frame in result.tables.items():
        out[f"table.{name}"] = frame
    return out


def _meta(result: FrameResult) -> dict:
    plain = {f.name: getattr(result, f.name) for f in fields(result)
             if f.name not in ("accepted", "rejects", "tables")}
    for name, frame in _frames(result).items():
        if not isinstance(frame, pl.DataFrame):
            raise NotKept(f"frame {name} is a {type(frame).__name__}")
    return {"format": FORMAT, "result": _encode(plain), "tables": list(result.tables), "frames": {}}


def _read(entry: Path) -> FrameResult:
    meta = json.loads((entry / META).read_text())
    if meta.get("format") != FORMAT:
        raise ValueError(f"entry of format {meta.get('format')!r}")
    frames = {}
    for name, sha in meta["frames"].items():
        path = entry / f"{name}.parquet"
        # A damaged page need not stop the reader: it could read back other values.
        if _sha256(path) != sha:
            raise ValueError(f"{path.name} is not the file written")
        frames[name] = pl.read_parquet(path)
    plain = _decode(meta["result"])
    return FrameResult(**plain, accepted=frames["accepted"], rejects=frames["rejects"],
                       tables={name: frames[f"table.{name}"] for name in meta["tables"]})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
