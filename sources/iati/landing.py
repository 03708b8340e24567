"""The landing folder: files that arrive by hand (filled submission templates) become snapshots."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from pathlib import Path

from ..snapshots import Snapshot, SnapshotStore, safe_name

DATASET = "submission_templates"


def landing_dir(home: Path) -> Path:
    return home / "var" / "landing" / "templates"


def iati_landing_dir(home: Path) -> Path:
    return home / "var" / "landing" / "iati"


def import_landing(store: SnapshotStore, home: Path) -> list[Snapshot]:
    """Each filled template (.xlsx) and real IATI file (.xml) in the landing folders, stored once
    (its checksum is its version). A real IATI file replaces the illustrative sample."""
    out = _import(store, landing_dir(home), "*.xlsx", DATASET, "submission_template",
                  "UNODC programme managers (submission template)")
    out += _import(store, iati_landing_dir(home), "*.xml", "iati_activities", "iati_xml",
                   "IATI activity file dropped in by hand")
    return out


def store_name(name: str) -> str:
    """'Kenya report (2).xlsx' -> 'Kenya_report_2_.xlsx': people name files freely; a snapshot name
    is a path part and keeps to letters, digits, '.', '_' and '-'."""
    stem, dot, suffix = name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem if dot else name)
    stem = re.sub(r"\.{2,}", ".", stem).strip("._-")[:100] or "file"
    return f"{stem}.{re.sub(r'[^A-Za-z0-9]', '', suffix)}" if dot else stem


def _import(store: SnapshotStore, folder: Path, pattern: str, dataset: str, fmt: str, producer: str) -> list[Snapshot]:
    known = {(s.version, s.filename): s for s in store.list(dataset)}
    out = []
    for path in sorted(folder.glob(pattern)) if folder.exists() else []:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        name = safe_name(store_name(path.name), "file name")
        if (sha[:16], name) in known:
            out.append(known[(sha[:16], name)])
            continue
        now = datetime.now(timezone.utc)
        out.append(store.put(data, {
            "dataset": dataset, "family": "project_outputs", "format": fmt,
            "item": Path(name).stem, "version": sha[:16], "filename": name,
            "producer": producer, "title": f"{path.name} (landing folder)",
            "url": None, "accessed": now.isoformat(timespec="seconds"), "as_of": now.date().isoformat(),
            "licence": "Internal reporting to the warehouse", "published": None,
            "upstream": {"landing_file": path.name}, "notes": "dropped into the landing folder",
        }))
    return out
