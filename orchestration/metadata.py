"""What the Dagster UI shows of a table an asset wrote: its rows and its columns."""

import dagster as dg
import polars as pl


def table_metadata(frame: pl.DataFrame, row_count: int | None = None, **extra) -> dict:
    """`dagster/row_count` and `dagster/column_schema` (name and type of every column) of a written table;
    `row_count` when the frame is only the table's schema (a table written in parts)."""
    schema = dg.TableSchema(columns=[dg.TableColumn(name, str(dtype)) for name, dtype in frame.schema.items()])
    return {"dagster/row_count": frame.height if row_count is None else row_count,
            "dagster/column_schema": schema, **extra}


def rejects_metadata(rejects: pl.DataFrame, **extra) -> dict:
    """A rejects table: its columns, how many rows each reason rejected, and the first fifty rows."""
    meta = table_metadata(rejects, **extra)
    if rejects.height:
        reasons = rejects.with_columns(pl.col("reason").str.replace(r":.*$", "")).group_by("reason").len()
        meta["rejects_by_reason"] = dg.MetadataValue.json(
            {r: n for r, n in reasons.sort("len", descending=True).iter_rows()})
        meta["rejects"] = dg.MetadataValue.json(rejects.head(50).to_dicts())
    return meta
