"""How old each source's data may grow before it is overdue, judged by the data's own date (the rule
is sources/freshness.py; here it is each family's asset check).

A snapshot asset is materialized at every build, so the time of its last materialization says
nothing about the data: the check reads the `as_of` date of the newest snapshot of every item (the
release or status date the file carries, else the day it was fetched). An overdue or stale source
is a warning: the build still publishes what it has, and says how old it is. Each family promises
its ages in its datasets file (`freshness:` in sources/<package>/datasets.yaml).
"""
from datetime import datetime, timezone

import dagster as dg
import polars as pl

from sources.family import family
from sources.freshness import expected_age, judged, overdue_items  # noqa: F401  (also read from here)

from .checks import Check, rule_check


def _rule(frame: pl.DataFrame, ctx) -> tuple[bool, dict]:
    return judged(frame, datetime.now(timezone.utc).date(), ctx.family.freshness())


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
