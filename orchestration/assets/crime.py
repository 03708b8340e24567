"""Crime statistics: every UN-CTS release and the WDR drug seizures table into raw tables."""
import dagster as dg
import polars as pl

from schemas.crime import CrimeFiles, CrimeRejects, CrimeSnapshots, CtsObservations, DrugSeizures, ReportingUnits
from sources.crime.fetch import fetch_cts
from sources.crime.ingest import ingest

from ..checks import family_checks, file_reject_rate, pandera_check, rule_check
from ..freshness import freshness_check
from ..metadata import rejects_metadata, table_metadata
from ..resources import PipelineResource
from ..warehouse.database import connect, table_by_parts, write_table
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


# A newer release that loses more than this share of the published release's rows, indicators or
# countries does not publish unless accepted by name (UNODC_ACCEPT_SHRINK, README "Settings").
MAX_SHRINK = 0.2


def _newest_releases_shrink(files: pl.DataFrame, pipeline: PipelineResource) -> tuple[bool, dict]:
    """Each UN-CTS dataset's newest release against the same dataset in the published warehouse."""
    import duckdb

    from sources.settings import settings
    from ..warehouse.database import connect as open_db

    cts = files.filter(pl.col("format") == "cts")
    if cts.is_empty():
        return True, {"compared": 0}
    newest = cts.filter(pl.col("release_date").fill_null("") == pl.col("release_date").fill_null("").max().over("dataset"))
    ids = newest["snapshot_id"].to_list()
    with open_db(pipeline.paths().build_db) as con:
        new = con.execute(f"""select dataset, count(*), count(distinct indicator), count(distinct country_iso3)
                              from raw.cts_observations where snapshot_id in ({", ".join("?" * len(ids))})
                              group by dataset""", ids).fetchall()
    published = {}
    db = pipeline.paths().published_db
    if db.exists():
        try:
            with open_db(db, read_only=True) as con:
                published = {d: (r, i, c) for d, r, i, c in con.execute(
                    """select dataset, count(*), count(distinct indicator), count(distinct country_iso3)
                       from fct_crime_statistics group by dataset""").fetchall()}
        except duckdb.Error:
            published = {}
    accepted = set(settings().accept_shrink or ())
    shrunk, accepted_now = [], []
    for dataset, rows, indicators, countries in new:
        if dataset not in published:
            continue
        before = dict(zip(("rows", "indicators", "countries"), published[dataset]))
        after = {"rows": rows, "indicators": indicators, "countries": countries}
        lost = {k: before[k] - after[k] for k in before if before[k] and (before[k] - after[k]) / before[k] > MAX_SHRINK}
        if lost:
            case = {"dataset": dataset, "published": before, "newest_release": after,
                    "lost": {k: f"{n} of {before[k]} ({n / before[k]:.0%})" for k, n in lost.items()}}
            (accepted_now if dataset in accepted else shrunk).append(case)
    meta = {}
    if shrunk:
        # First: the build's failure summary shows the start of the metadata.
        meta["says"] = "; ".join(
            f"{c['dataset']}: the newest release has " + ", ".join(f"lost {v} {k}" for k, v in c["lost"].items())
            + " against the published warehouse (accept with UNODC_ACCEPT_SHRINK=" + c["dataset"] + ")"
            for c in shrunk)
    meta.update({"compared": len([d for d, *_ in new if d in published]), "max_shrink": MAX_SHRINK,
                 "shrunk": dg.MetadataValue.json(shrunk),
                 "accepted_by_UNODC_ACCEPT_SHRINK": dg.MetadataValue.json(accepted_now)})
    return not shrunk, meta


checks = family_checks("crime_statistics", snapshots=[
    pandera_check(CrimeSnapshots),
    freshness_check(SNAPSHOTS, "crime_statistics"),
], tables=[
    pandera_check(CtsObservations),
    pandera_check(DrugSeizures),
    pandera_check(CrimeFiles),
    pandera_check(CrimeRejects),
    pandera_check(ReportingUnits),
    file_reject_rate(FILES, "crime_reject_rate"),
    rule_check(FILES, "cts_newest_release_does_not_shrink",
               f"The newest release of a UN-CTS dataset keeps at least {1 - MAX_SHRINK:.0%} of the published "
               "release's rows, indicators and countries, unless accepted by name (UNODC_ACCEPT_SHRINK).",
               _newest_releases_shrink),
    rule_check(OBSERVATIONS, "cts_duplicate_keys",
               "Rows that share a natural key in the official files: kept with their row numbers, reported.",
               _duplicate_keys, blocking=False, batch_by="snapshot_id"),
])
