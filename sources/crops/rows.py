"""How a crop-survey file becomes rows of the family's raw tables: an annex table's values with the
crop and measure its title names and its totals checked against its rows, or compiled figures."""
from __future__ import annotations

import json

import polars as pl

from ..parsing import FrameResult
from ..snapshots import Snapshot
from .compiled import parse_compiled
from .wdr_annex import parse_wdr_annex

CROP_OF_TABLE = {"6.1": "coca_bush", "6.2": "opium_poppy", "6.3": "cannabis"}
MEASURE_WORDS = (("eradicat", "eradication_ha"), ("production", "production_t"), ("manufacture", "manufacture_t"),
                 ("cultivation", "cultivation_ha"))


def table_identity(filename: str, title: str) -> tuple[str | None, str]:
    """('coca_bush', 'cultivation_ha') from '6.1.1_-_…' and 'Global illicit cultivation of coca bush …'."""
    crop = next((c for prefix, c in CROP_OF_TABLE.items() if filename.startswith(prefix)), None)
    lowered = title.lower()
    if crop is None:
        crop = "coca_bush" if "coca" in lowered else "opium_poppy" if "opium" in lowered else (
            "cannabis" if "cannabis" in lowered else None)
    measure = next((m for word, m in MEASURE_WORDS if word in lowered), "cultivation_ha")
    return crop, measure


PARSERS = {
    # An annex snapshot's version is its edition: wdr-2022 is the WDR 2022.
    "wdr_annex": lambda data, snap: parse_wdr_annex(data, filename=snap.filename,
                                                    edition=snap.version.replace("wdr-", "WDR ")),
    "crop_compiled": lambda data, snap: parse_compiled(data, filename=snap.filename),
}


def rows(result: FrameResult, snap: Snapshot, tag: list[pl.Expr]) -> dict[str, pl.DataFrame]:
    if snap.format != "wdr_annex":
        return {"crop_compiled_values": result.accepted.with_columns(*tag)} if result.accepted.height else {}
    crop, measure = table_identity(snap.filename, result.facts["title"])
    edition = result.facts["edition"]
    out = {"crop_annex_values": result.accepted.with_columns(
        *tag, pl.lit(crop).alias("crop"), pl.lit(measure).alias("measure"),
        pl.lit(result.facts["unit"]).alias("unit"), pl.lit(edition).alias("edition"),
        pl.lit(int(edition.split()[-1])).alias("edition_year"),
        pl.lit(result.facts["title"]).alias("table_title"))}
    checks = [{**chk, "snapshot_id": snap.snapshot_id, "source_file": snap.filename, "crop": crop,
               "measure": measure, "edition": edition} for chk in result.facts["total_checks"]]
    if checks:
        out["crop_total_checks"] = pl.DataFrame(checks, infer_schema_length=None)
    return out


def file_row(row: dict, result: FrameResult, snap: Snapshot) -> dict:
    # The total checks have a table of their own.
    return {**row, "facts": json.dumps({k: v for k, v in result.facts.items() if k != "total_checks"}, default=str)}


def total_checks_summary(tables: dict[str, pl.DataFrame]) -> dict:
    checks = tables["crop_total_checks"]
    return {"discrepancies": checks.filter(~pl.col("agrees")).to_dicts() if checks.height else []}
