"""How old each source's data may grow before it is overdue, judged by the data's own date: the rule
alone, without Dagster, so that a nightly run with nothing to do can say it without loading Dagster
(orchestration/freshness.py makes it the families' asset checks).
"""
from __future__ import annotations

from datetime import date

import polars as pl

from .family import freshness_rules


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


def judged(frame: pl.DataFrame, today: date, rules: dict[str, tuple[int, str]]) -> tuple[bool, dict]:
    """The freshness check's outcome on a family's snapshot list: passed, and what it found."""
    overdue, count = overdue_items(frame, today, rules)
    stale = (frame.filter(pl.col("is_stale")).select("name", "last_fetch_error", "last_fetch_at").to_dicts()
             if "is_stale" in frame.columns else [])
    return not overdue and not stale, {
        "items_judged": count, "overdue_items": len(overdue), "stale_snapshots": len(stale),
        "overdue": overdue, "stale": stale}


def warning(check_name: str, details: dict) -> str:
    """One line for a freshness check that did not pass: what is overdue and what is stale."""
    overdue = ", ".join(f"{o['item']} (as of {o['as_of']})" for o in details.get("overdue") or [])
    stale = ", ".join(s["name"] for s in details.get("stale") or [])
    return f"{check_name}: " + "; ".join(
        part for part in (f"overdue: {overdue}" if overdue else "",
                          f"stale (last fetch failed): {stale}" if stale else "") if part)
