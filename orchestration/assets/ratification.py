"""UN Treaty Collection: snapshots in, raw event tables out, each guarded by checks."""

import dagster as dg
from dagster import AssetExecutionContext
import polars as pl

from schemas.ratification import Instruments, TreatyActions, TreatyEndnotes, TreatyStatus, UntcRejects, UntcSnapshots
from sources.ratification.fetch import fetch_untc
from sources.ratification.ingest import ingest

from ..checks import family_checks, pandera_check, rule_check
from ..freshness import freshness_check
from ..metadata import rejects_metadata, table_metadata
from ..resources import PipelineResource
from .snapshots import snapshot_asset
from ..warehouse.database import connect, write_table

SNAPSHOTS = ["raw", "untc_snapshots"]
ACTIONS = ["raw", "untc_treaty_actions"]
STATUS = ["raw", "untc_treaty_status"]
ENDNOTES = ["raw", "untc_endnotes"]
REJECTS = ["raw", "untc_rejects"]
INSTRUMENTS = ["raw", "instruments"]


untc_snapshots = snapshot_asset(
    "ratification", SNAPSHOTS, fetch_untc,
    "Every UNTC status snapshot: the bundled files, plus live fetches when enabled.")


@dg.multi_asset(
    specs=[dg.AssetSpec(dg.AssetKey(k), group_name="ratification", kinds={"python", "duckdb"},
                        deps=[dg.AssetKey(SNAPSHOTS), dg.AssetKey(["raw", "countries"])])
           for k in (ACTIONS, STATUS, ENDNOTES, REJECTS, INSTRUMENTS)],
    name="untc_raw_tables",
    description="Parse every UNTC snapshot (MTDSG XML and status tables) into events, counts, notes and rejects.",
)
def untc_raw_tables(context: AssetExecutionContext, pipeline: PipelineResource):
    store = pipeline.store()
    tables = ingest(store, store.list("untc_status"))
    written = {ACTIONS[1]: tables.actions, STATUS[1]: tables.status, ENDNOTES[1]: tables.endnotes,
               REJECTS[1]: tables.rejects, INSTRUMENTS[1]: tables.instruments}
    with connect(pipeline.paths().build_db) as con:
        for table, frame in written.items():
            write_table(con, "raw", table, frame)
    rows_in = int(tables.status["rows_in"].sum())
    for key in (ACTIONS, STATUS, ENDNOTES, REJECTS, INSTRUMENTS):
        frame = written[key[1]]
        meta = rejects_metadata(frame) if key == REJECTS else table_metadata(frame)
        if key == STATUS:
            meta.update(rows_in=rows_in, rows_accepted=int(tables.status["rows_accepted"].sum()),
                        rows_rejected=int(tables.status["rows_rejected"].sum()))
        yield dg.MaterializeResult(asset_key=dg.AssetKey(key), metadata=meta)


def _participants_mapped(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    unmapped = frame.filter(pl.col("participant_iso3").is_null())
    names = sorted(set(unmapped["participant"].to_list()))
    meta = {"unmapped_names": names, "unmapped_rows": unmapped.height}
    if names:
        meta["where"] = dg.MetadataValue.json(
            unmapped.select("participant", "source_file", "source_row").unique().head(50).to_dicts())
    return not names, meta


def _declared_counts(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    full = frame.filter(pl.col("has_participant_table"))
    diff = full.filter(
        (pl.col("declared_parties").is_not_null() & (pl.col("declared_parties") != pl.col("counted_parties")))
        | (pl.col("declared_signatories").is_not_null()
           & (pl.col("declared_signatories") != pl.col("counted_signatories"))))
    cols = ["instrument", "source_file", "declared_parties", "counted_parties",
            "declared_signatories", "counted_signatories"]
    return diff.is_empty(), {"compared_files": full.filter(pl.col("declared_parties").is_not_null()).height,
                             "differences": dg.MetadataValue.json(diff.select(cols).to_dicts())}


def _reject_rate(frame: pl.DataFrame, pipeline: PipelineResource) -> tuple[bool, dict]:
    status = read_status(pipeline)
    rows_in = int(status["rows_in"].sum()) or 1
    rejected = int(status["rows_rejected"].sum())
    rate = rejected / rows_in
    by_reason = frame.group_by("reason").len().sort("len", descending=True).head(20).to_dicts()
    return rate <= pipeline.max_reject_rate, {
        "rows_in": rows_in, "rows_rejected": rejected, "reject_rate": round(rate, 4),
        "max_reject_rate": pipeline.max_reject_rate, "by_reason": dg.MetadataValue.json(by_reason)}


def read_status(pipeline: PipelineResource) -> pl.DataFrame:
    from ..checks import read_table
    return read_table(pipeline, *STATUS)


checks = family_checks("ratification", snapshots=[
    pandera_check(UntcSnapshots),
    freshness_check(SNAPSHOTS, "ratification"),
], tables=[
    pandera_check(TreatyActions),
    pandera_check(TreatyStatus),
    pandera_check(TreatyEndnotes),
    pandera_check(Instruments),
    pandera_check(UntcRejects),
    rule_check(ACTIONS, "participants_mapped",
               "Every participant name maps to a country or participant code; unmapped names are listed.",
               _participants_mapped),
    rule_check(REJECTS, "untc_reject_rate",
               "Rejected rows stay under the configured share of rows read (a layout change shows here).",
               _reject_rate),
    rule_check(STATUS, "declared_counts_match",
               "Parties and signatories counted in a file equal the numbers the file declares.",
               _declared_counts, blocking=False),
])
