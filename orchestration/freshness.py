"""How old each source's data may grow before it is overdue, judged by the data's own date.

A snapshot asset is materialized at every build, so the time of its last materialization says
nothing about the data: the check reads the `as_of` date of the newest snapshot of every item (the
release or status date the file carries, else the day it was fetched). An overdue or stale source
is a warning: the build still publishes what it has, and says how old it is. Each family promises
its ages in its datasets file (`freshness:` in sources/<package>/datasets.yaml).
"""
from datetime import date, datetime, timezone

import dagster as dg
import polars as pl

from sources.family import family, freshness_rules

from .checks import Check, rule_check


def expected_age(dataset: str, rules: dict[str, tuple[int, str]]) -> tuple[int, str] | None:
    """(days, why) of the first prefix that starts the dataset's name. Datasets without one (the
    strategy text, filled templates) have no schedule of their own."""
    for prefix, rule in rules.items():
        if dataset.startswith(prefix):
            return rule
    return None


def overdue_items(frame: pl.DataFrame, today: date,
                  rules: dict[str, tuple[int, str]] | None = None) -> tuple[list[dict], int]:
    """The items whose newest snapshot is older than its dataset allows, and how many were judged;
    by the given rules, else by every family's."""
    rules = freshness_rules() if rules is None else rules
    judged, overdue = 0, []
    newest = frame.sort("as_of", "version", nulls_last=False).group_by("dataset", "item", maintain_order=True).last()
    for row in newest.iter_rows(named=True):
        rule = expected_age(row["dataset"], rules)
        day = row["as_of"] or (row.get("accessed") or "")[:10]
        if rule is None or not day:
            continue
        judged += 1
        age = (today - date.fromisoformat(day[:10])).days
        if age > rule[0]:
            overdue.append({"dataset": row["dataset"], "item": row["item"], "as_of": day, "age_days": age,
                            "expected_within_days": rule[0], "why": rule[1]})
    return overdue, judged


def _rule(frame: pl.DataFrame, ctx) -> tuple[bool, dict]:
    overdue, judged = overdue_items(frame, datetime.now(timezone.utc).date(), ctx.family.freshness())
    stale = (frame.filter(pl.col("is_stale")).select("name", "last_fetch_error", "last_fetch_at").to_dicts()
             if "is_stale" in frame.columns else [])
    return not overdue and not stale, {
        "items_judged": judged, "overdue_items": len(overdue), "stale_snapshots": len(stale),
        "overdue": overdue, "stale": stale}


# Every freshness check, for the refresh job, which runs these and leaves the others to the build.
FRESHNESS_CHECKS: list[dg.AssetCheckKey] = []


def freshness_check(snapshots_key: list[str], name: str) -> Check:
    """The family's check that its data are not overdue; `family(name).freshness()` gives its ages."""
    family(name)
    check = rule_check(snapshots_key, f"{name}_fresh",
                      "Every item's newest snapshot is within the age its source is expected to refresh in "
                      "(UNTC weekly, UN-CTS and the WDR annex yearly, IATI monthly) and its last fetch did not "
                      "fail. A warning: the build publishes what it has.", _rule, blocking=False)
    FRESHNESS_CHECKS.append(dg.AssetCheckKey(dg.AssetKey(snapshots_key), check.name))
    return check
