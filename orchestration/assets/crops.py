"""Illicit crop surveys: WDR annex tables and compiled survey figures into raw tables."""
import dagster as dg
import polars as pl

from schemas.crops import AnnexValues, CompiledValues, CropFiles, CropRejects, CropSnapshots, TotalChecks
from sources.crops.ingest import ingest

from ..checks import family_checks, file_reject_rate, pandera_check, rule_check
from ..freshness import freshness_check
from ..metadata import rejects_metadata, table_metadata
from ..resources import PipelineResource
from ..warehouse.database import connect, write_table
from .snapshots import family_snapshots, snapshot_asset

SNAPSHOTS = ["raw", "crop_snapshots"]
ANNEX = ["raw", "crop_annex_values"]
COMPILED = ["raw", "crop_compiled_values"]
CHECKS = ["raw", "crop_total_checks"]
FILES = ["raw", "crop_files"]
REJECTS = ["raw", "crop_rejects"]

crop_snapshots = snapshot_asset(
    "crop_surveys", SNAPSHOTS, None,
    "WDR statistical annex workbooks (6.1.x, 6.2.x) and compiled survey figures, bundled; the annex "
    "changes its file names every edition, so a new edition arrives as a new snapshot (see the README).")


@dg.multi_asset(
    specs=[dg.AssetSpec(dg.AssetKey(k), group_name="crop_surveys", kinds={"python", "duckdb"},
                        deps=[dg.AssetKey(SNAPSHOTS), dg.AssetKey(["raw", "countries"])])
           for k in (ANNEX, COMPILED, CHECKS, FILES, REJECTS)],
    name="crop_raw_tables",
    description="Parse every crop snapshot: one value per table cell with its row, edition, series and "
                "estimate; each table checked against its own totals.",
)
def crop_raw_tables(pipeline: PipelineResource):
    store = pipeline.store()
    tables = ingest(store, family_snapshots(store, "crop_surveys"))
    with connect(pipeline.paths().build_db) as con:
        for key, frame in ((ANNEX, tables.annex_values), (COMPILED, tables.compiled_values),
                           (CHECKS, tables.total_checks), (FILES, tables.files), (REJECTS, tables.rejects)):
            write_table(con, key[0], key[1], frame)
    yield dg.MaterializeResult(asset_key=dg.AssetKey(ANNEX), metadata=table_metadata(tables.annex_values))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(COMPILED), metadata=table_metadata(tables.compiled_values))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(CHECKS), metadata=table_metadata(
        tables.total_checks, discrepancies=dg.MetadataValue.json(
            tables.total_checks.filter(~pl.col("agrees")).to_dicts() if tables.total_checks.height else [])))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(FILES), metadata=table_metadata(tables.files))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(REJECTS), metadata=rejects_metadata(tables.rejects))


def _totals_agree(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    off = frame.filter(~pl.col("agrees")) if frame.height else frame
    return off.height == 0, {
        "totals_checked": frame.height,
        "discrepancies": dg.MetadataValue.json(
            off.select("source_file", "total", "year", "published", "rows_sum", "difference").to_dicts()
            if off.height else [])}


checks = family_checks("crop_surveys", snapshots=[
    pandera_check(CropSnapshots),
    freshness_check(SNAPSHOTS, "crop_surveys"),
], tables=[
    pandera_check(AnnexValues),
    pandera_check(CompiledValues),
    pandera_check(TotalChecks),
    pandera_check(CropFiles),
    pandera_check(CropRejects),
    file_reject_rate(FILES, "crop_reject_rate"),
    rule_check(CHECKS, "crop_totals_match_rows",
               "Each annex table's totals against the sum of its rows; a discrepancy is reported with its numbers, "
               "never hidden, and does not stop the load.", _totals_agree, blocking=False),
])
