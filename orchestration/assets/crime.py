"""Crime statistics: every UN-CTS release and the WDR drug seizures table into raw tables."""
import dagster as dg
import polars as pl

from schemas.common import Rejects, Snapshots, SourceFiles
from schemas.crime import CtsObservations, DrugSeizures, ReportingUnits
from sources.crime.fetch import fetch_cts
from sources.crime.ingest import ingest

from ..checks import family_checks, file_reject_rate, pandera_check, rule_check
from ..freshness import freshness_check
from ..metadata import rejects_metadata, table_metadata
from ..resources import PipelineResource
from ..warehouse import connect, table_by_parts, write_table
from .snapshots import family_snapshots, snapshot_asset

SNAPSHOTS = ["raw", "crime_snapshots"]
OBSERVATIONS = ["raw", "cts_observations"]
SEIZURES = ["raw", "wdr_drug_seizures"]
FILES = ["raw", "crime_files"]
REJECTS = ["raw", "crime_rejects"]
UNITS = ["raw", "reporting_units"]

crime_snapshots = snapshot_asset(
    "crime_statistics", SNAPSHOTS, fetch_cts,
    "Every release of every UN-CTS file and the WDR drug seizures table: bundled, plus live fetches.")


@dg.multi_asset(
    specs=[dg.AssetSpec(dg.AssetKey(k), group_name="crime_statistics", kinds={"python", "duckdb"},
                        deps=[dg.AssetKey(SNAPSHOTS), dg.AssetKey(["raw", "countries"])])
           for k in (OBSERVATIONS, SEIZURES, FILES, REJECTS, UNITS)],
    name="crime_raw_tables",
    description="Parse every crime-statistics snapshot: observations kept losslessly with their row, "
                "rejects with their reason, one line per file with its header fingerprint.",
)
def crime_raw_tables(pipeline: PipelineResource):
    store = pipeline.store()
    with connect(pipeline.paths().build_db) as con:
        with table_by_parts(con, *OBSERVATIONS) as observations:
            tables = ingest(store, family_snapshots(store, "crime_statistics"),
                            lambda frame, snap: observations.append(frame, f" from {snap.name}"))
        for key, frame in ((SEIZURES, tables.seizures), (FILES, tables.files), (REJECTS, tables.rejects),
                           (UNITS, tables.units)):
            write_table(con, key[0], key[1], frame)
    files = tables.files
    by_dataset = files.filter(pl.col("format") == "cts").group_by("dataset").agg(pl.col("rows_accepted").sum()).sort("dataset")
    yield dg.MaterializeResult(asset_key=dg.AssetKey(OBSERVATIONS), metadata=table_metadata(
        pl.DataFrame(schema=observations.schema), row_count=observations.rows,
        by_dataset=dg.MetadataValue.json(dict(by_dataset.iter_rows()))))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(SEIZURES), metadata=table_metadata(tables.seizures))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(FILES), metadata=table_metadata(
        files, files=dg.MetadataValue.json(files.select("dataset", "source_file", "release_date", "header_fingerprint",
                                                        "rows_in", "rows_accepted", "rows_rejected").to_dicts())))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(REJECTS), metadata=rejects_metadata(tables.rejects))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(UNITS), metadata=table_metadata(tables.units))


def _duplicate_keys(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    dups = frame.filter(pl.col("key_occurrences") > 1)
    by_file = dups.group_by("source_file").len().sort("source_file").to_dicts()
    # Reported, never resolved: the official files repeat keys, and every row is kept.
    return dups.height == 0, {"rows_sharing_a_key": dups.height, "by_file": dg.MetadataValue.json(by_file)}


checks = family_checks("crime_statistics", snapshots=[
    pandera_check(SNAPSHOTS, Snapshots),
    freshness_check(SNAPSHOTS, "crime_statistics"),
], tables=[
    # 19 million rows at ×100: checked a million rows at a time, each snapshot's rows together.
    pandera_check(OBSERVATIONS, CtsObservations, batch_by="snapshot_id"),
    pandera_check(SEIZURES, DrugSeizures),
    pandera_check(FILES, SourceFiles),
    pandera_check(REJECTS, Rejects),
    pandera_check(UNITS, ReportingUnits),
    file_reject_rate(FILES, "crime_reject_rate"),
    rule_check(OBSERVATIONS, "cts_duplicate_keys",
               "Rows that share a natural key in the official files: kept with their row numbers, reported.",
               _duplicate_keys, blocking=False, batch_by="snapshot_id"),
])
