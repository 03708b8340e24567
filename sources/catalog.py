"""Datasets, their live locations and their current snapshots."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from typing import Callable

from .errors import FetchError, SourceError
from .family import families
from .fetch import FetchPolicy, http_get
from .settings import bundled_dir, fill_template, settings
from .snapshots import Snapshot, SnapshotStore, bundled_sidecars


@lru_cache(maxsize=1)
def datasets() -> dict[str, dict]:
    """Every family's datasets (sources/<package>/datasets.yaml), each with its `family`; a dataset
    declared by two families is refused."""
    out: dict[str, dict] = {}
    for family in families():
        for name, cfg in (family.datasets_file().get("datasets") or {}).items():
            if name in out:
                raise ValueError(f"dataset {name!r} is declared by {out[name]['family']} and by {family.name}")
            out[name] = {"family": family.name, **cfg}
    return out


def dataset_url(dataset: str, **fields: str) -> str:
    """The live URL of one file of a dataset; the `url_env` variable overrides the template."""
    cfg = datasets()[dataset]
    template = settings().get(cfg["url_env"]) or cfg["url"]
    # Only the named placeholders, as plain names: never str.format, which evaluates
    # '{chapter.__class__.__mro__}' and indexes '{0}'.
    return fill_template(template, tuple(fields), **fields)


def import_bundled(store: SnapshotStore, family: str) -> list[Snapshot]:
    return [store.import_bundled(p) for p in bundled_sidecars(bundled_dir(), family)]


def fetch_version(now: datetime, sha256: str) -> str:
    """A fetched snapshot's version: when it was fetched, and which bytes, so two fetches of
    different bytes within one second never claim the same version."""
    return f"{now.strftime('%Y-%m-%dT%H%M%SZ')}-{sha256[:12]}"


def latest_by_item(snaps: list[Snapshot]) -> dict[str, Snapshot]:
    out: dict[str, Snapshot] = {}
    for s in sorted(snaps, key=lambda s: (s.as_of or "", s.version)):
        out[s.item] = s
    return out


@dataclass
class FetchReport:
    dataset: str
    item: str
    url: str
    status: str              # new | unchanged | failed
    message: str = ""
    snapshot: Snapshot | None = None


def fetch_item(store: SnapshotStore, *, dataset: str, item: str, url: str, filename: str,
               fmt: str, validate: Callable[[bytes, str], object],
               policy: FetchPolicy | None = None, headers: dict | None = None,
               describe: Callable[[object], dict] | None = None) -> FetchReport:
    """Fetch one file; store it as a new snapshot only when it is valid and its bytes changed.

    A failed or invalid fetch stores nothing, so the last good snapshot stays current.
    """
    cfg = datasets()[dataset]
    try:
        data = http_get(url, policy, headers)
        parsed = validate(data, filename)
    except (FetchError, SourceError) as exc:
        return FetchReport(dataset, item, url, "failed", str(exc))
    sha = hashlib.sha256(data).hexdigest()
    previous = latest_by_item([s for s in store.list(dataset) if s.item == item]).get(item)
    if previous is not None and previous.sha256 == sha:
        return FetchReport(dataset, item, url, "unchanged", f"same bytes as {previous.name}", previous)
    now = datetime.now(timezone.utc)
    meta = {
        "dataset": dataset, "family": cfg["family"], "format": fmt, "item": item,
        "version": fetch_version(now, sha), "filename": filename,
        "producer": cfg["producer"], "title": f"{dataset} {item}", "url": url,
        "accessed": now.isoformat(timespec="seconds"), "as_of": now.date().isoformat(),
        "licence": cfg["licence"], "published": None, "upstream": None,
        "notes": "fetched live",
    }
    # What the file says of itself (a release date) wins over the access date.
    meta.update(describe(parsed) if describe else {})
    snap = store.put(data, meta)
    return FetchReport(dataset, item, url, "new", f"stored {snap.name}", snap)
