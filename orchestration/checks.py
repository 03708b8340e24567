"""Asset checks that read the build database; each records its outcome for the publish gate."""

from typing import Callable

import dagster as dg
import pandera.polars as pa
import polars as pl

from schemas import validate

from .resources import PipelineResource
from .warehouse import connect, ident, record_check

# Every blocking check must have passed, in its latest run, before anything is published.
BLOCKING_CHECKS: list[str] = []


def read_table(pipeline: PipelineResource, schema: str, table: str) -> pl.DataFrame:
    with connect(pipeline.paths().build_db, read_only=False) as con:
        return pl.from_arrow(con.sql(f"select * from {ident(schema)}.{ident(table)}").to_arrow_table())


def _finish(context, pipeline: PipelineResource, name: str, asset: str, passed: bool,
            blocking: bool, metadata: dict, severity=dg.AssetCheckSeverity.ERROR) -> dg.AssetCheckResult:
    with connect(pipeline.paths().build_db) as con:
        plain = {k: getattr(v, "value", v) for k, v in metadata.items()}
        record_check(con, check=name, asset=asset, passed=passed, blocking=blocking,
                     details=plain, run_id=context.run.run_id)
    return dg.AssetCheckResult(passed=passed, metadata=metadata, severity=severity)


def pandera_check(asset_key: list[str], model: type[pa.DataFrameModel]) -> dg.AssetChecksDefinition:
    schema, table = asset_key
    name = f"pandera_{table}"
    BLOCKING_CHECKS.append(name)

    @dg.asset_check(asset=dg.AssetKey(asset_key), name=name, blocking=True,
                    description=f"pandera model {model.__name__}: types, codes, ranges; failing rows shown")
    def _check(context, pipeline: PipelineResource) -> dg.AssetCheckResult:
        frame = read_table(pipeline, schema, table)
        passed, cases = validate(model, frame)
        meta = {"rows": frame.height, "failures": len(cases)}
        if cases:
            meta["failure_cases"] = dg.MetadataValue.json(cases)
        return _finish(context, pipeline, name, f"{schema}.{table}", passed, True, meta)

    return _check


def rule_check(asset_key: list[str], name: str, description: str,
               rule: Callable[[pl.DataFrame, PipelineResource], tuple[bool, dict]],
               blocking: bool = True) -> dg.AssetChecksDefinition:
    """A check written as a function of the table: returns (passed, metadata)."""
    schema, table = asset_key
    if blocking:
        BLOCKING_CHECKS.append(name)

    @dg.asset_check(asset=dg.AssetKey(asset_key), name=name, blocking=blocking, description=description)
    def _check(context, pipeline: PipelineResource) -> dg.AssetCheckResult:
        passed, meta = rule(read_table(pipeline, schema, table), pipeline)
        return _finish(context, pipeline, name, f"{schema}.{table}", passed, blocking, meta,
                       severity=dg.AssetCheckSeverity.ERROR if blocking else dg.AssetCheckSeverity.WARN)

    return _check


RATE_MIN_ROWS = 50


def file_reject_rate(files_key: list[str], name: str) -> dg.AssetChecksDefinition:
    """No file of the family rejects more than the configured share of its rows (a layout change).

    Files under RATE_MIN_ROWS rows (a filled template, an annex table) are not rated: a few bad
    rows there are rejected and reported while the rest loads, and a changed layout stops such a
    file with its own error.
    """

    def rule(rejects: pl.DataFrame, pipeline: PipelineResource) -> tuple[bool, dict]:
        files = read_table(pipeline, *files_key).filter(pl.col("rows_in") >= RATE_MIN_ROWS).with_columns(
            (pl.col("rows_rejected") / pl.col("rows_in").clip(1)).alias("rate")).sort("rate", descending=True)
        worst = float(files["rate"][0]) if files.height else 0.0
        reasons = (rejects.with_columns(pl.col("reason").str.replace(r":.*$", "")).group_by("reason").len()
                   .sort("len", descending=True).to_dicts() if rejects.height else [])
        return worst <= pipeline.max_reject_rate, {
            "rows_in": int(files["rows_in"].sum()), "rows_rejected": int(files["rows_rejected"].sum()),
            "worst_file": dg.MetadataValue.json(files.head(1).select("source_file", "rate").to_dicts()),
            "max_reject_rate": pipeline.max_reject_rate, "files_rated_from_rows": RATE_MIN_ROWS,
            "by_reason": dg.MetadataValue.json(reasons)}

    rejects_key = [files_key[0], files_key[1].replace("_files", "_rejects")]
    return rule_check(rejects_key, name,
                      "No file has more than the configured share of rejected rows (a layout change shows here).",
                      rule)
