"""Outcomes of the checks that hold within one snapshot's rows (`batch_by="snapshot_id"`), kept per
snapshot between builds: a snapshot never changes, so while the code that parsed it and the code
that checks it do not change either, its outcome is read back instead of checked again.

Layout, beside the family's parse results (sources/parse_cache.py):
    <parse cache>/<family>/<parser version>/checks/<check version>/<check name>.json
        {"format", "check", "outcomes": {<snapshot id>: {"outcome": {"passed", "meta"}, "sha256"}}}

- **Key**: the snapshot id (content checksum and provenance) under the family's parser version
  (a parser change drops them with the parse results, that family's alone), and the check
  version (`check_version`): a digest of the code that decides an outcome from a snapshot's rows.
- **Only when the raw tables are of this code**: the family's mark in the build database
  (orchestration/incremental.py) must name the code this process runs; otherwise nothing is
  read back or kept (a check step run alone after an edit checks everything).
- **Only the current check version is kept**, and of it only the outcomes of the snapshots the
  check finds in its table (the others go when it runs). Deleting the folder is always safe (the
  next build checks again).
- **Written atomically** (a temporary file renamed into place), each outcome with the sha256 of
  its snapshot id and content: an outcome that does not read back as written counts as absent (a
  file that cannot be read at all: all of its outcomes), is checked again and written again.
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
    """The kept outcomes of one family's checks (the folder of the current check version): one file
    per check, each snapshot's outcome an entry with its own sha256. One file, not one per
    snapshot: at ×100 a check holds 2,000 UNTC vintages, and thousands of small files cost seconds
    to write and read where one costs milliseconds."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._entries: dict[str, dict[str, dict]] = {}
        self._changed: set[str] = set()

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
        if current.exists():
            for half in current.glob(".tmp-*"):
                half.unlink(missing_ok=True)
        return cls(current)

    def path(self, check: str) -> Path:
        return self.folder / f"{check}.json"

    def _of(self, check: str) -> dict[str, dict]:
        if check not in self._entries:
            try:
                kept = json.loads(self.path(check).read_bytes())
                if kept.get("format") != FORMAT or kept.get("check") != check:
                    raise ValueError("not this check's outcomes")
                self._entries[check] = dict(kept["outcomes"])
            except FileNotFoundError:
                self._entries[check] = {}
            except Exception:
                # Unreadable as a whole: every snapshot checked again, and the file written again.
                self._entries[check] = {}
                self._changed.add(check)
        return self._entries[check]

    def get(self, check: str, snapshot_id: str) -> tuple[bool, dict] | None:
        entries = self._of(check)
        entry = entries.get(snapshot_id)
        if entry is None:
            return None
        try:
            body = entry["outcome"]
            if (entry["sha256"] != _digest(snapshot_id, body) or not isinstance(body["passed"], bool)):
                raise ValueError("not the outcome written")
            return body["passed"], _decode(body["meta"])
        except Exception:
            # Damaged or edited: checked again, and written again.
            del entries[snapshot_id]
            self._changed.add(check)
            return None

    def put(self, check: str, snapshot_id: str, outcome: tuple[bool, dict]) -> None:
        body = {"passed": outcome[0], "meta": _encode(outcome[1])}
        self._of(check)[snapshot_id] = {"outcome": body, "sha256": _digest(snapshot_id, body)}
        self._changed.add(check)

    def keep_only(self, check: str, snapshot_ids: set[str]) -> None:
        """The outcomes of snapshots the table no longer holds go."""
        entries = self._of(check)
        for gone in set(entries) - set(snapshot_ids):
            del entries[gone]
            self._changed.add(check)

    def save(self) -> None:
        """Write the files of the checks whose outcomes changed, each atomically: a temporary file
        renamed into place, so a killed build leaves the old file or the new one."""
        for check in sorted(self._changed):
            self.folder.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"format": FORMAT, "check": check, "outcomes": self._entries[check]})
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.folder)
            try:
                with os.fdopen(fd, "w") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, self.path(check))
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        self._changed.clear()


def _digest(snapshot_id: str, body: dict) -> str:
    return hashlib.sha256(f"{snapshot_id}\n{json.dumps(body, sort_keys=True)}".encode()).hexdigest()
