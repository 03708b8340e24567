"""Outcomes of the checks that hold within one snapshot's rows (`batch_by="snapshot_id"`), kept per
snapshot between builds: a snapshot never changes, so while the code that parsed it and the code
that checks it do not change either, its outcome is read back instead of checked again.

Layout, beside the family's parse results (sources/parse_cache.py):
    <parse cache>/<family>/<parser version>/checks/<check version>/<check name>/<snapshot id>.json

- **Key**: the snapshot id (content checksum and provenance) under the family's parser version
  (a parser change drops them with the parse results, that family's alone), and the check
  version (`check_version`): a digest of the code that decides an outcome from a snapshot's rows.
- **Only when the raw tables are of this code**: the family's mark in the build database
  (orchestration/incremental.py) must name the code this process runs; otherwise nothing is
  read back or kept (a check step run alone after an edit checks everything).
- **Only the current check version is kept**; the outcomes of snapshots no longer read go with
  their parse results (`ParseCache.keep_only`) and whenever a check no longer finds the snapshot
  in its table. Deleting the folder is always safe (the next build checks again).
- **Written atomically** (a temporary file renamed into place) with the sha256 of its content:
  an outcome that cannot be read back, or does not say what it should, counts as absent.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import dagster as dg

from sources.parse_cache import CHECKS
from sources.settings import PROJECT_ROOT

# What decides a check's outcome from a snapshot's rows, besides the parser (the parser version):
# the table metadata and rules, the check runner, how the rows are tagged and written into the
# build database and read back, and the libraries that do it.
CHECK_CODE = ("schemas", "orchestration/checks.py", "orchestration/check_outcomes.py", "orchestration/limits.py",
              "orchestration/warehouse/database.py", "orchestration/warehouse/by_snapshot.py",
              "orchestration/assets/family.py", "sources/ingest.py", "sources/family.py")
LIBRARIES = ("pandera", "polars", "duckdb", "pyarrow")
FORMAT = "1"


@lru_cache(maxsize=1)
def check_version() -> str:
    digest = hashlib.sha256(f"format {FORMAT}\npython {sys.version.split()[0]}\n".encode())
    for name in LIBRARIES:
        digest.update(f"library {name} {metadata.version(name)}\n".encode())
    files = []
    for entry in CHECK_CODE:
        path = PROJECT_ROOT / entry
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    for path in files:
        if "__pycache__" in path.parts:
            continue
        digest.update(f"file {path.relative_to(PROJECT_ROOT).as_posix()} ".encode())
        digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def _encode(meta: dict) -> dict:
    return {k: {"json": v.data} if isinstance(v, dg.JsonMetadataValue) else {"value": v} for k, v in meta.items()}


def _decode(meta: dict) -> dict:
    return {k: dg.MetadataValue.json(v["json"]) if "json" in v else v["value"] for k, v in meta.items()}


class KeptOutcomes:
    """The kept outcomes of one family's checks (the folder of the current check version)."""

    def __init__(self, folder: Path):
        self.folder = folder

    @classmethod
    def open(cls, con, parse_cache: Path, family_name: str | None) -> KeptOutcomes | None:
        """The family's kept outcomes, or None when they may not be used: a name that is no family
        with raw tables, or raw tables not written by this code."""
        from sources.family import with_raw_tables
        from sources.parse_cache import ParseCache, _remove

        from .incremental import code_version, read_marks

        declared = next((f for f in with_raw_tables() if f.name == family_name), None)
        if declared is None:
            return None
        mark = read_marks(con).get(f"family:{declared.name}")
        if mark is None or mark.get("code") != code_version():
            return None
        checks = ParseCache(parse_cache).open(declared) / CHECKS
        current = checks / check_version()[:32]
        if checks.exists():
            for other in checks.iterdir():
                if other != current:
                    _remove(other)
        return cls(current)

    def _path(self, check: str, snapshot_id: str) -> Path:
        return self.folder / check / f"{snapshot_id}.json"

    def get(self, check: str, snapshot_id: str) -> tuple[bool, dict] | None:
        path = self._path(check, snapshot_id)
        try:
            kept = json.loads(path.read_bytes())
            body = json.dumps(kept["outcome"], sort_keys=True)
            if (kept["sha256"] != hashlib.sha256(body.encode()).hexdigest() or kept["check"] != check
                    or kept["snapshot_id"] != snapshot_id or not isinstance(kept["outcome"]["passed"], bool)):
                raise ValueError("not the outcome written")
            return kept["outcome"]["passed"], _decode(kept["outcome"]["meta"])
        except FileNotFoundError:
            return None
        except Exception:
            # Damaged, edited or of another layout: checked again, and written again.
            path.unlink(missing_ok=True)
            return None

    def put(self, check: str, snapshot_id: str, outcome: tuple[bool, dict]) -> None:
        folder = self.folder / check
        folder.mkdir(parents=True, exist_ok=True)
        body = {"passed": outcome[0], "meta": _encode(outcome[1])}
        text = json.dumps({"check": check, "snapshot_id": snapshot_id, "outcome": body,
                           "sha256": hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()})
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path(check, snapshot_id))
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def keep_only(self, check: str, snapshot_ids: set[str]) -> None:
        """The outcomes of snapshots the table no longer holds go, and any half-written file."""
        folder = self.folder / check
        if folder.exists():
            for path in folder.iterdir():
                if path.name.startswith(".tmp-") or path.stem not in snapshot_ids:
                    path.unlink(missing_ok=True)
