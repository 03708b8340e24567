"""The landing folder: files that arrive by hand (filled submission templates) become snapshots."""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from pathlib import Path

from ..snapshots import Snapshot, SnapshotStore, safe_name

DATASET = "submission_templates"


def landing_dir(home: Path) -> Path:
    return home / "var" / "landing" / "templates"


def import_landing(store: SnapshotStore, home: Path) -> list[Snapshot]:
    """Each .xlsx in the landing folder, stored once (its checksum is its version)."""
    folder = landing_dir(home)
    known = {(s.version, s.filename): s for s in store.list(DATASET)}
    out = []
    for path in sorted(folder.glob("*.xlsx")) if folder.exists() else []:
        data = path.read_bytes()
        sha = hashlib.sha256(data).hexdigest()
        name = safe_name(path.name.replace(" ", "_"), "file name")
        if (sha[:16], name) in known:
            out.append(known[(sha[:16], name)])
            continue
        now = datetime.now(timezone.utc)
        out.append(store.put(data, {
            "dataset": DATASET, "family": "project_outputs", "format": "submission_template",
            "item": Path(name).stem, "version": sha[:16], "filename": name,
            "producer": "UNODC programme managers (submission template)", "title": f"Filled template {path.name}",
            "url": None, "accessed": now.isoformat(timespec="seconds"), "as_of": now.date().isoformat(),
            "licence": "Internal reporting to the warehouse", "published": None,
            "upstream": {"landing_file": path.name}, "notes": "dropped into the landing folder",
        }))
    return out
