from __future__ import annotations

import pandera.polars as pa
import polars as pl

ISO3_PATTERN = r"^[A-Z]{3}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
M49_PATTERN = r"^\d{3}$"


class Snapshots(pa.DataFrameModel):
    """The provenance of every snapshot a build read (raw.*_snapshots)."""

    snapshot_id: str = pa.Field(unique=True, str_matches=SHA256_PATTERN)
    dataset: str = pa.Field(str_matches=r"^[a-z0-9_]+$")
    version: str
    filename: str
    sha256: str = pa.Field(str_matches=SHA256_PATTERN)
    size: int = pa.Field(gt=0)
    licence: str = pa.Field(str_length={"min_value": 3})
    as_of: str = pa.Field(str_matches=r"^\d{4}-\d{2}-\d{2}$")

    class Config:
        strict = False


class Rejects(pa.DataFrameModel):
    """Every rejected row keeps its file, its place and its reason."""

    dataset: str
    snapshot_id: str = pa.Field(str_matches=SHA256_PATTERN)
    file: str = pa.Field(str_length={"min_value": 1})
    row: int = pa.Field(ge=1, nullable=True)
    column: str = pa.Field(nullable=True)
    value: str = pa.Field(nullable=True)
    reason: str = pa.Field(str_length={"min_value": 3})

    class Config:
        strict = False

    @pa.dataframe_check(error="a rejected row names its row or its column")
    def located(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("row").is_not_null() | pl.col("column").is_not_null())


class SourceFiles(pa.DataFrameModel):
    """One line per source file read (crime and crop families alike)."""

    snapshot_id: str = pa.Field(unique=True, str_matches=SHA256_PATTERN)
    header_fingerprint: str = pa.Field(str_matches=r"^[0-9a-f]{16}$")
    rows_in: int = pa.Field(ge=0)
    rows_accepted: int = pa.Field(ge=0)
    rows_rejected: int = pa.Field(ge=0)
    rows_not_available: int = pa.Field(ge=0)   # rows of only `..`: neither a figure nor an error

    class Config:
        strict = False

    @pa.dataframe_check(error="rows in = accepted + rejected + not available")
    def reconciles(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("rows_in") == pl.col("rows_accepted") + pl.col("rows_rejected")
                                     + pl.col("rows_not_available"))


# --------------------------------------------------------------------------- rule checks
# Plain functions of a raw table and the check's context (orchestration/checks.py RuleContext):
# each returns (passed, details); the Dagster wrapper shows lists and dicts as JSON.

def file_reject_rate(rejects: pl.DataFrame, ctx) -> tuple[bool, dict]:
    """No file of the family rejects more than the configured share of its rows (a layout change).

    Files under `ctx.rate_min_rows` rows (a filled template, an annex table) are not rated: a few
    bad rows there are rejected and reported while the rest loads, and a changed layout stops such
    a file with its own error. A file of any size whose every row was rejected fails the check.
    """
    every = ctx.table(ctx.family.files)
    # A file whose every row was rejected contributed nothing, whatever its size: unusable.
    empty = every.filter((pl.col("rows_in") > 0) & (pl.col("rows_accepted") == 0))
    files = every.filter(pl.col("rows_in") >= ctx.rate_min_rows).with_columns(
        (pl.col("rows_rejected") / pl.col("rows_in").clip(1)).alias("rate")).sort("rate", descending=True)
    worst = float(files["rate"][0]) if files.height else 0.0
    reasons = (rejects.with_columns(pl.col("reason").str.replace(r":.*$", "")).group_by("reason").len()
               .sort("len", descending=True).to_dicts() if rejects.height else [])
    meta = {"every_row_rejected": ", ".join(f"{f} ({n} of {n} rows rejected)" for f, n in
                                            empty.select("source_file", "rows_in").iter_rows())} if empty.height else {}
    return worst <= ctx.max_reject_rate and empty.is_empty(), {
        **meta, "rows_in": int(files["rows_in"].sum()), "rows_rejected": int(files["rows_rejected"].sum()),
        "worst_file": files.head(1).select("source_file", "rate").to_dicts(),
        "max_reject_rate": ctx.max_reject_rate, "files_rated_from_rows": ctx.rate_min_rows,
        "by_reason": reasons}
