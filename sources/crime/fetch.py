"""Live fetch of every configured UN-CTS file (sources/crime/datasets.yaml, format cts)."""
from __future__ import annotations

from ..catalog import FetchReport, dataset_url, datasets, fetch_item
from ..fetch import FetchPolicy
from ..snapshots import SnapshotStore
from .cts import parse_cts


def _describe(result) -> dict:
    release = result.facts.get("release_date")
    return {"published": release.isoformat(), "as_of": release.isoformat()} if release else {}


def fetch_cts(store: SnapshotStore, policy: FetchPolicy | None = None) -> list[FetchReport]:
    reports = []
    for name, cfg in datasets().items():
        if cfg.get("format") != "cts":
            continue
        url = dataset_url(name)
        reports.append(fetch_item(
            store, dataset=name, item=name, fmt="cts", url=url,
            filename=url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or f"{name}.xlsx",
            validate=lambda data, filename: parse_cts(data, filename=filename), policy=policy,
            describe=_describe))
    return reports
