"""Tidy files: CSV (UTF-8 with a byte-order mark, fixed decimals) and Parquet with the same columns,
each with a metadata JSON beside it."""
from __future__ import annotations

import json
import re
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
    "in_annex_table": "false for a figure the annex table does not contain (such as a later press report), shown apart",
    "release_id": "the release of unodc-indicators the file was exported from",
    "snapshot_id": "the source snapshot(s): see dim_snapshot in the warehouse",
    "source_file": "the source file the figure was read from",
    "source_rows": "the row(s) of the source file",
}


def column_name(header: str) -> str:
    """A long table's own header as a tidy column name: 'Drug sub-group' -> 'drug_sub_group'."""
    return re.sub(r"[^a-z0-9]+", "_", header.lower()).strip("_")


def tidy(frame: pl.DataFrame, release_id: str | None = None) -> pl.DataFrame:
    iso3 = pl.when(pl.col("area_code").str.contains(r"^[A-Z]{3}$")).then(pl.col("area_code"))
    first = ["table_number", "band", "area_code", "area_name", "label"]
    rest = [c for c in frame.columns if c not in first]
    out = frame.select(pl.col("table_number"), pl.col("band").alias("region"), iso3.alias("iso3"),
                       pl.col("area_code"), pl.col("area_name"), pl.col("label"), *rest)
    from .frames import TIDY

    names = {c: c if c in TIDY or c in ("region", "iso3") else column_name(c) for c in out.columns}
    if release_id is not None:
        names["release_id"] = "release_id"
    seen: dict[str, str] = {}
    for c, name in names.items():
        if name.lower() in seen:
            # Two columns a spreadsheet or a case-blind database would take for one (`unit` and `Unit`).
            raise ValueError(f"columns {seen[name.lower()]!r} and {c!r} differ only by case once written")
        seen[name.lower()] = c
    out = out.rename({c: n for c, n in names.items() if c in out.columns})
    return out.with_columns(pl.lit(release_id).alias("release_id")) if release_id is not None else out


def neutralise(frame: pl.DataFrame) -> pl.DataFrame:
    """A text that Excel would take for a formula gets a leading apostrophe, so it stays text."""
    text = [c for c, t in frame.schema.items() if t == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(FORMULA_START)).then(pl.lit("'") + pl.col(c)).otherwise(pl.col(c)).alias(c)
        for c in text)


def write_csv(path: Path, frame: pl.DataFrame, decimals: int | None = None) -> None:
    """Full precision: a figure is written as stored (the shortest text that reads back to the same
    number); `decimals` is the annex's display precision and is not applied to data files."""
    body = neutralise(frame).write_csv(float_scientific=False, null_value="")
    path.write_bytes(BOM + body.encode("utf-8"))


def write_parquet(path: Path, frame: pl.DataFrame, meta: dict | None = None) -> None:
    """Parquet with the release, licence, source checksums and units as key-value metadata of the
    schema, so that the file describes itself without its JSON neighbour."""
    import pyarrow.parquet as pq

    table = frame.to_arrow()
    if meta:
        kv = {k: v if isinstance(v, str) else json.dumps(v, sort_keys=True, ensure_ascii=False, default=str)
              for k, v in meta.items() if v is not None}
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **{k.encode(): v.encode() for k, v in kv.items()}})
    pq.write_table(table, path, compression="zstd", write_statistics=True)


def write_metadata(path: Path, meta: dict) -> None:
    path.write_text(json.dumps(meta, indent=1, sort_keys=True, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
