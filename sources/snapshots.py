"""The raw layer: immutable, content-addressed snapshots with a provenance sidecar.

Layout under the store root:
    objects/sha256/<ab>/<sha256>                      the bytes, read-only
    catalog/<dataset>/<version>/<filename>.json       the sidecar (provenance, checksums)
    verified/<ab>/<sha256 of a path>.json             a bundled file's and its sidecar's size and times
                                                      when last hashed and stored

A snapshot is named by dataset, version and file name. Storing the same name again with the same
bytes is a no-op; with other bytes it is refused.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

import polars as pl

from . import yamltext
from .errors import SnapshotConflict

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")

# Provenance fields a sidecar carries; checksums and size are computed, never trusted.
PROVENANCE_FIELDS = (
    "dataset", "family", "format", "item", "version", "filename", "producer", "title", "url",
    "accessed", "published", "as_of", "licence", "upstream", "notes",
)


def safe_name(value: str, what: str) -> str:
    """Names become path parts: allow no separators, no dot-dot, nothing hidden."""
    if not isinstance(value, str) or not _SAFE_NAME.match(value) or ".." in value:
        raise ValueError(f"{what} {value!r} is not a safe name (letters, digits, '.', '_', '-')")
    return value


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Snapshot:
    dataset: str
    family: str
    format: str
    item: str
    version: str
    filename: str
    sha256: str
    size: int
    meta_sha256: str
    stored_at: str
    producer: str | None = None
    title: str | None = None
    url: str | None = None
    accessed: str | None = None
    published: str | None = None
    as_of: str | None = None
    licence: str | None = None
    upstream: dict | None = None
    notes: str | None = None
    path: str = field(default="", compare=False)

    @property
    def name(self) -> str:
        return f"{self.dataset}/{self.version}/{self.filename}"

    @property
    def snapshot_id(self) -> str:
        """Data and metadata together: an edit to either is a change (a new snapshot id)."""
        return hashlib.sha256(f"{self.sha256}:{self.meta_sha256}".encode()).hexdigest()

    def record(self) -> dict:
        out = asdict(self)
        out["upstream"] = json.dumps(self.upstream, sort_keys=True) if self.upstream else None
        out["snapshot_id"] = self.snapshot_id
        out["name"] = self.name
        return out


def _meta_digest(meta: dict) -> str:
    canonical = {k: _iso(meta.get(k)) if k != "upstream" else meta.get(k) for k in PROVENANCE_FIELDS}
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, default=str).encode()).hexdigest()


def _atomic_write(path: Path, data: bytes, mode: int = 0o444) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class SnapshotStore:
    def __init__(self, root: Path):
        self.root = Path(root)

    def _blob(self, sha: str) -> Path:
        return self.root / "objects" / "sha256" / sha[:2] / sha

    def _entry(self, dataset: str, version: str, filename: str) -> Path:
        return (self.root / "catalog" / safe_name(dataset, "dataset")
                / safe_name(version, "version") / f"{safe_name(filename, 'file name')}.json")

    def put(self, data: bytes, meta: dict, sha: str | None = None) -> Snapshot:
        """`sha`: the bytes' sha256 when the caller has just computed it."""
        for key in ("dataset", "family", "format", "item", "version", "filename"):
            if not meta.get(key):
                raise ValueError(f"snapshot metadata lacks {key!r}")
        entry = self._entry(meta["dataset"], str(meta["version"]), meta["filename"])
        sha = sha or hashlib.sha256(data).hexdigest()
        meta_sha = _meta_digest(meta)
        if entry.exists():
            existing = self._load(entry)
            if existing.sha256 != sha:
                raise SnapshotConflict(
                    f"snapshot {existing.name} is already stored with sha256 {existing.sha256}; "
                    f"refusing other bytes (sha256 {sha}). Give the new file a new version.")
            if existing.meta_sha256 != meta_sha:
                raise SnapshotConflict(
                    f"snapshot {existing.name} is already stored with other metadata; "
                    "refusing to rewrite provenance. Give it a new version.")
            return existing
        blob = self._blob(sha)
        if not blob.exists():
            _atomic_write(blob, data)
        record = {k: _iso(meta.get(k)) if k != "upstream" else meta.get(k) for k in PROVENANCE_FIELDS}
        record.update(sha256=sha, size=len(data), meta_sha256=meta_sha,
                      stored_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
        _atomic_write(entry, json.dumps(record, indent=2, sort_keys=True).encode(), mode=0o644)
        return self._load(entry)

    def _load(self, entry: Path) -> Snapshot:
        record = json.loads(entry.read_text())
        known = {k: record.get(k) for k in Snapshot.__dataclass_fields__ if k != "path"}
        snap = Snapshot(**known, path=str(self._blob(record["sha256"])))
        return snap

    def read_bytes(self, snap: Snapshot) -> bytes:
        data = Path(snap.path).read_bytes()
        if hashlib.sha256(data).hexdigest() != snap.sha256:
            raise SnapshotConflict(f"snapshot {snap.name}: stored bytes no longer match sha256 {snap.sha256}")
        return data

    def list(self, dataset: str | None = None) -> list[Snapshot]:
        base = self.root / "catalog"
        if dataset:
            base = base / safe_name(dataset, "dataset")
        if not base.exists():
            return []
        return sorted((self._load(p) for p in base.rglob("*.json")),
                      key=lambda s: (s.dataset, s.item, s.as_of or "", s.version, s.filename))

    def import_bundled(self, sidecar: Path) -> Snapshot:
        """Store a file bundled in the repository, refusing it if it no longer matches its sidecar.

        Every build and nightly run imports every bundled file (a no-op once stored): a file and
        sidecar whose sizes, times and inodes are those they had when the file was last hashed and
        found to match its sidecar and its stored snapshot are not read again, as git trusts its
        index (2,151 files, 2.7 GiB at ×100: 12 s of hashing a night, twice). Any write to a file
        changes its ctime, which no user can set back, so an edited file is still read, hashed and
        refused."""
        sidecar = Path(sidecar)
        known = self._verified(sidecar)
        if known is not None:
            return known
        meta = yamltext.load(sidecar.read_text())
        data_path = sidecar.with_name(meta["filename"])
        stats = (sidecar.stat(), data_path.stat())
        data = data_path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        if sha != meta.get("sha256") or len(data) != meta.get("size"):
            raise SnapshotConflict(
                f"bundled file {data_path} does not match its sidecar {sidecar.name} "
                f"(sha256 {sha}, {len(data)} bytes; sidecar says {meta.get('sha256')}, {meta.get('size')} bytes)")
        snap = self.put(data, meta, sha=sha)
        if _stat_key(*stats) == _stat_key(sidecar.stat(), data_path.stat()):   # not written meanwhile
            record = {"stat": _stat_key(*stats), "name": snap.name, "sha256": sha}
            _atomic_write(self._verified_path(sidecar), json.dumps(record).encode(), mode=0o644)
        return snap

    def _verified_path(self, sidecar: Path) -> Path:
        key = hashlib.sha256(str(sidecar.resolve()).encode()).hexdigest()
        return self.root / "verified" / key[:2] / f"{key}.json"

    def _verified(self, sidecar: Path) -> Snapshot | None:
        """The stored snapshot of a bundled file unchanged, with its sidecar, since it was last
        hashed and stored; else None (the full import then says what is wrong, if anything)."""
        try:
            record = json.loads(self._verified_path(sidecar).read_text())
            dataset, version, filename = record["name"].split("/", 2)
            data_path = sidecar.with_name(filename)
            if record["stat"] != _stat_key(sidecar.stat(), data_path.stat()):
                return None
            existing = self._load(self._entry(dataset, version, filename))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return existing if existing.sha256 == record["sha256"] else None


def _stat_key(*stats: os.stat_result) -> list:
    return [[st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev] for st in stats]


def bundled_sidecars(bundle_root: Path, family: str | None = None) -> list[Path]:
    base = bundle_root / family if family else bundle_root
    return sorted(base.rglob("*.snapshot.yaml"))


def snapshot_frame(snaps: list[Snapshot]) -> pl.DataFrame:
    """The provenance of snapshots as a table (raw.<family>_snapshots)."""
    cols = ["snapshot_id", "name", "dataset", "family", "format", "item", "version", "filename",
            "sha256", "meta_sha256", "size", "producer", "title", "url", "accessed", "published",
            "as_of", "licence", "upstream", "notes", "stored_at"]
    # One record() per snapshot (asdict is the cost: 2,151 snapshots at ×100, a list made twice a night).
    return pl.DataFrame([{c: record[c] for c in cols} for record in (s.record() for s in snaps)],
                        schema={c: (pl.Int64 if c == "size" else pl.Utf8) for c in cols})
