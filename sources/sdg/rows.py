"""How an SDG Global Database file (a DDF re-cut CSV or a stored SDG API series) becomes rows of the
family's raw tables: one observation per published figure, tagged with its snapshot and file."""
from __future__ import annotations

import polars as pl

from ..parsing import FrameResult
from ..snapshots import Snapshot
from .api import parse_api
from .ddf import parse_ddf

PARSERS = {
    "sdg_ddf_csv": lambda data, snap: parse_ddf(data, filename=snap.filename),
    "sdg_api_json": lambda data, snap: parse_api(data, filename=snap.filename),
}


def rows(result: FrameResult, snap: Snapshot, tag: list[pl.Expr]) -> dict[str, pl.DataFrame]:
    return {"sdg_observations": result.accepted.with_columns(*tag)} if result.accepted.height else {}


def observations_summary(tables: dict[str, pl.DataFrame]) -> dict:
    observations = tables["sdg_observations"]
    if not observations.height:
        return {"by_series": {}}
    by_series = observations.group_by("series_code").agg(pl.len()).sort("series_code")
    return {"by_series": dict(by_series.iter_rows()),
            "by_area_kind": dict(observations.group_by("area_kind").len().sort("area_kind").iter_rows())}
