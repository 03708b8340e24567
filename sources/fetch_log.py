"""The outcome of the last live fetch of every item: a failed fetch leaves its source stale.

A fetch that fails keeps the last good snapshot (nothing new is stored); this log says so, so the
build can mark that snapshot stale, with the error, until a later fetch of the item succeeds.
"""
from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import polars as pl


def log_file(home: Path) -> Path:
    return home / "var" / "fetch_log.json"


def load(home: Path) -> dict[str, dict]:
    path = log_file(home)
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        # A damaged log only loses the stale marks; the next fetch writes it anew.
        return {}


def record(home: Path, reports) -> dict[str, dict]:
    """Remember each report's outcome by dataset and item (FetchReport: dataset, item, status, message)."""
    log = load(home)
    now = datetime.now(timezone.utc).isoformat(timespec="seconds")
    for r in reports:
        entry = log.get(f"{r.dataset}/{r.item}", {})
        entry.update(dataset=r.dataset, item=r.item, last_attempt=now, status=r.status, url=r.url)
        if r.status == "failed":
            entry["error"] = r.message
        else:
            entry["error"] = None
            entry["last_success"] = now
        log[f"{r.dataset}/{r.item}"] = entry
    path = log_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".fetch_log-")
    with os.fdopen(fd, "w") as fh:
        json.dump(log, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)
    return log


def mark_stale(frame: pl.DataFrame, log: dict[str, dict]) -> pl.DataFrame:
    """Add is_stale, last_fetch_error and last_fetch_at to a snapshot table (raw.*_snapshots).

    The newest snapshot of an item whose last fetch failed is the one the build still uses: it is
    the stale one. Older snapshots of the item and items never fetched are not stale.
    """
    newest = (frame.sort("as_of", "version", nulls_last=False)
              .group_by("dataset", "item", maintain_order=True).last().select("snapshot_id"))
    newest_ids = set(newest["snapshot_id"].to_list()) if frame.height else set()
    rows = []
    for snapshot_id, dataset, item in frame.select("snapshot_id", "dataset", "item").iter_rows():
        entry = log.get(f"{dataset}/{item}") or {}
        failed = entry.get("status") == "failed" and snapshot_id in newest_ids
        rows.append({"is_stale": failed, "last_fetch_error": entry.get("error") if failed else None,
                     "last_fetch_at": entry.get("last_attempt")})
    marks = pl.DataFrame(rows, schema={"is_stale": pl.Boolean, "last_fetch_error": pl.Utf8, "last_fetch_at": pl.Utf8})
    return pl.concat([frame, marks], how="horizontal")
