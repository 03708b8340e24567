"""Tidy files: CSV (UTF-8 with a byte-order mark, fixed decimals) and Parquet with the same columns,
each with a metadata JSON beside it."""
from __future__ import annotations

import json
from pathlib import Path

import polars as pl

# What Excel would read as the start of a formula when it opens a CSV file.
FORMULA_START = r"^[=+\-@\t\r]"
BOM = "\ufeff".encode()

COLUMN_DOCS = {
    "table_number": "the annex table",
    "region": "the band the row is shown under (M49 region, or the table's own grouping)",
    "iso3": "ISO 3166-1 alpha-3 code of the country or area (empty for regions, the world and totals)",
    "area_code": "the area as the source table codes it (ISO3, or an M49 code for regions and the world)",
    "area_name": "the country or area name (UN M49 short name where the area is a country)",
    "label": "the row label as the table shows it (footnote letters included)",
    "series": "a second series for the same area (its footnote letter), if any",
    "footnotes": "footnote text of the row (its letter is the series, or is given in the annex workbook)",
    "is_total": "the row is a published total, never to be added to its parts",
    "year": "the year of the figure",
    "value": "the best estimate; empty when not available (never zero)",
    "value_text": "the value as the source wrote it where it is not a plain number (such as <5)",
    "obs_status": "SDMX observation status (A normal, E estimated, Q suppressed ...)",
    "lower_bound": "minimum of the estimate's range, if published",
    "upper_bound": "maximum of the estimate's range, if published",
    "unit": "unit of measure",
    "is_illustrative": "true where the figure comes from the generated, illustrative IATI sample",
    "snapshot_id": "the source snapshot(s): see dim_snapshot in the warehouse",
    "source_file": "the source file the figure was read from",
    "source_rows": "the row(s) of the source file",
}


def tidy(frame: pl.DataFrame) -> pl.DataFrame:
    iso3 = pl.when(pl.col("area_code").str.contains(r"^[A-Z]{3}$")).then(pl.col("area_code"))
    first = ["table_number", "band", "area_code", "area_name", "label"]
    rest = [c for c in frame.columns if c not in first]
    return frame.select(pl.col("table_number"), pl.col("band").alias("region"), iso3.alias("iso3"),
                        pl.col("area_code"), pl.col("area_name"), pl.col("label"), *rest)


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """A text that Excel would take for a formula gets a leading apostrophe, so it stays text."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text)


def write_csv(path: Path, frame: pl.DataFrame, decimals: int) -> None:
    body = neutralise(frame).write_csv(float_precision=decimals, float_scientific=False, null_value="")
    path.write_bytes(BOM + body.encode("utf-8"))


def write_parquet(path: Path, frame: pl.DataFrame) -> None:
    frame.write_parquet(path, compression="zstd", statistics=True)


def write_metadata(path: Path, meta: dict) -> None:
    path.write_text(json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
