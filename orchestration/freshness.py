"""How old each source's data may grow before it is overdue, judged by the data's own date.

A snapshot asset is materialized at every build, so the time of its last materialization says
nothing about the data: the check reads the `as_of` date of the newest snapshot of every item (the
release or status date the file carries, else the day it was fetched). An overdue or stale source
is a warning: the build still publishes what it has, and says how old it is.
"""
from datetime import date, datetime, timezone

import dagster as dg
import polars as pl

from .checks import Check, rule_check

# Dataset name prefix -> (days, why). Datasets without an entry (the strategy text, filled
# templates) have no schedule of their own.
EXPECTED_MAX_AGE = {
    "untc_status": (7, "UNTC status pages change whenever a State acts: expected weekly"),
    "cts_": (365, "dataUNODC publishes each UN-CTS file once a year"),
    "wdr_": (365, "the World Drug Report annex comes once a year"),
    "crop_compiled_": (365, "crop surveys and the WDR annex come once a year"),
    "iati_": (31, "IATI publishers refresh their activity files about monthly"),
}


def expected_age(dataset: str) -> tuple[int, str] | None:
    for prefix, rule in EXPECTED_MAX_AGE.items():
        if dataset.startswith(prefix):
            return rule
    return None


def overdue_items(frame: pl.DataFrame, today: date) -> tuple[list[dict], int]:
    """The items whose newest snapshot is older than its dataset allows, and how many were judged."""
    judged, overdue = 0, []
    newest = frame.sort("as_of", "version", nulls_last=False).group_by("dataset", "item", maintain_order=True).last()
    for row in newest.iter_rows(named=True):
        rule = expected_age(row["dataset"])
        day = row["as_of"] or (row.get("accessed") or "")[:10]
        if rule is None or not day:
            continue
        judged += 1
        age = (today - date.fromisoformat(day[:10])).days
        if age > rule[0]:
            overdue.append({"dataset": row["dataset"], "item": row["item"], "as_of": day, "age_days": age,
                            "expected_within_days": rule[0], "why": rule[1]})
    return overdue, judged


def _rule(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    overdue, judged = overdue_items(frame, datetime.now(timezone.utc).date())
    stale = (frame.filter(pl.col("is_stale")).select("name", "last_fetch_error", "last_fetch_at").to_dicts()
             if "is_stale" in frame.columns else [])
    return not overdue and not stale, {
        "items_judged": judged, "overdue_items": len(overdue), "stale_snapshots": len(stale),
        "overdue": dg.MetadataValue.json(overdue), "stale": dg.MetadataValue.json(stale)}


# Every freshness check, for the refresh job, which runs these and leaves the others to the build.
FRESHNESS_CHECKS: list[dg.AssetCheckKey] = []


def freshness_check(snapshots_key: list[str], family: str) -> Check:
    check = rule_check(snapshots_key, f"{family}_fresh",
                      "Every item's newest snapshot is within the age its source is expected to refresh in "
                      "(UNTC weekly, UN-CTS and the WDR annex yearly, IATI monthly) and its last fetch did not "
                      "fail. A warning: the build publishes what it has.", _rule, blocking=False)
    FRESHNESS_CHECKS.append(dg.AssetCheckKey(dg.AssetKey(snapshots_key), check.name))
    return check
