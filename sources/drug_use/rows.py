"""How a WDR drug workbook becomes rows of the family's raw tables: each table the workbook holds
(prevalence, regional prevalence, prices, purities) tagged with its snapshot, file and edition."""
from __future__ import annotations

import polars as pl

from ..parsing import FrameResult
from ..snapshots import Snapshot
from .workbook import parse_drug_use

PARSERS = {"wdr_drug_annex": lambda data, snap: parse_drug_use(data, filename=snap.filename)}
RAW_TABLE = {"prevalence": "drug_use_prevalence", "regional_prevalence": "drug_use_regional_prevalence",
             "prices": "drug_use_prices", "purities": "drug_use_purities"}


def edition(snap: Snapshot) -> str:
    """'wdr-2022' -> 'WDR 2022'; a version of another form is kept as it is."""
    version = snap.version or ""
    return f"WDR {version[4:]}" if version.lower().startswith("wdr-") else version


def rows(result: FrameResult, snap: Snapshot, tag: list[pl.Expr]) -> dict[str, pl.DataFrame]:
    return {RAW_TABLE[name]: frame.with_columns(*tag, pl.lit(edition(snap)).alias("edition"))
            for name, frame in result.tables.items() if frame.height}


def tables_summary(tables: dict[str, pl.DataFrame]) -> dict:
    prevalence = tables["drug_use_prevalence"]
    return {"rows": {name: frame.height for name, frame in tables.items() if name.startswith("drug_use_")},
            "drugs": sorted(prevalence["drug"].unique().to_list()) if prevalence.height else []}
