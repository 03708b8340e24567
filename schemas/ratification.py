"""Raw ratification tables: one event per dated cell of a UNTC status file, each file's counts and
end notes, the rejects, and the reviewed instrument registry."""
from __future__ import annotations

from datetime import date

import polars as pl

from sources.ratification.cells import ALL_KINDS

from .common import HEADER_FINGERPRINT, ISO3_PATTERN, SNAPSHOT_ID, SOURCE_FILE, Rejects, Snapshots, source_row
from .tables import Column, Table, row_rule

MTDSG_PATTERN = r"^[IVXL]+-\d+(-[a-z])?$"
INSTRUMENT = Column("instrument", pl.Utf8, "The treaty's UNTC (MTDSG) number, e.g. XVIII-12.", pattern=MTDSG_PATTERN)
# A count a status file declares or the parser makes: no treaty has more participants than States.
COUNT = {"nullable": True, "ge": 0, "le": 300}

UntcSnapshots = Snapshots.named("untc_snapshots", "Provenance of every UNTC snapshot read.")

TreatyActions = Table(
    "untc_treaty_actions", "One event per dated cell of every UNTC status snapshot, with its file, row and column.", [
        SNAPSHOT_ID, INSTRUMENT,
        Column("participant_raw", pl.Utf8, "The participant's cell as the file writes it, footnote markers included.", nullable=True),
        Column("participant", pl.Utf8, "The participant's name, footnote markers removed.", min_length=2, max_length=120),
        Column("participant_iso3", pl.Utf8, "ISO3 code of the participant; empty where the name is not mapped (a check reports it).",
               nullable=True, pattern=ISO3_PATTERN),
        Column("name_match", pl.Utf8, "How the name was mapped: the reviewed table, country_converter, or not.",
               isin=["table", "country_converter", "unmapped", "empty"]),
        Column("footnotes", pl.Utf8, "The footnote numbers the participant's cell carries, comma-separated.", nullable=True,
               pattern=r"^\d+(,\d+)*$"),
        Column("action_kind", pl.Utf8, "What the participant did (dim_code_list action_kind).", isin=sorted(ALL_KINDS)),
        Column("action_date", pl.Date, "The date of the action.", ge=date(1900, 1, 1), le=date.today()),
        Column("action_letter", pl.Utf8, "The letter after the date that names the action (a accession, d succession ...).",
               nullable=True, isin=["a", "A", "AA", "d", "c", "s"]),
        Column("raw_cell", pl.Utf8, "The dated cell as the file writes it.", min_length=8),
        SOURCE_FILE, source_row(),
        Column("source_column", pl.Utf8, "The column of the file the date was read from, as its header names it."),
        Column("source_format", pl.Utf8, "The file's format: untc_xml or untc_table."),
    ], [
        row_rule("one_event_per_cell", "one event per file, row and column",
                 ~pl.struct("snapshot_id", "source_row", "source_column").is_duplicated()),
    ],
    # Every rule holds within one status file (the one repeat it looks for is within a snapshot):
    # checked, and kept, snapshot by snapshot, since the table grows by a vintage per status file.
    batch_by="snapshot_id")

TreatyStatus = Table(
    "untc_treaty_status", "Per snapshot, the counts the file declares and the counts the parser found.", [
        SNAPSHOT_ID, INSTRUMENT,
        Column("format", pl.Utf8, "The file's format: untc_xml or untc_table."),
        SOURCE_FILE,
        Column("as_of", pl.Date, "The date the file's status is as of (its snapshot's).", nullable=True),
        Column("has_participant_table", pl.Boolean, "False for a file with only its header (status counts, no participants)."),
        Column("title", pl.Utf8, "The treaty's title as the file gives it.", nullable=True),
        Column("conclusion", pl.Utf8, "Where and when the treaty was concluded, as the file gives it.", nullable=True),
        Column("entry_into_force_text", pl.Utf8, "The file's entry-into-force line.", nullable=True),
        Column("declared_signatories", pl.Int64, "Signatories the file declares.", **COUNT),
        Column("declared_parties", pl.Int64, "Parties the file declares.", **COUNT),
        Column("counted_signatories", pl.Int64, "Signatories the parser counted.", **COUNT),
        Column("counted_parties", pl.Int64, "Parties the parser counted.", **COUNT),
        Column("rows_in", pl.Int64, "Participant rows read.", ge=0),
        Column("rows_accepted", pl.Int64, "Participant rows loaded.", ge=0),
        Column("rows_rejected", pl.Int64, "Participant rows rejected.", ge=0),
        Column("header_fingerprint", pl.Utf8, "Hash of the participant table's header: a changed layout shows here.",
               nullable=True, pattern=HEADER_FINGERPRINT.pattern),
    ], [
        row_rule("rows_reconcile", "participant rows in = accepted + rejected",
                 pl.col("rows_in") == pl.col("rows_accepted") + pl.col("rows_rejected")),
    ])

TreatyEndnotes = Table("untc_endnotes", "The end notes of every UNTC status file, by their number.", [
    SNAPSHOT_ID, INSTRUMENT,
    Column("note_index", pl.Utf8, "The note's number, as the footnotes column refers to it.", pattern=r"^\d+$"),
    Column("note_text", pl.Utf8, "The note's text (its markup kept).", min_length=1),
], batch_by="snapshot_id")

# The treaty rejects name their dataset and snapshot first, as they always have.
UntcRejects = Table("untc_rejects", "Rejected rows with file, row, column and reason.",
                    [*Rejects.columns[-2:], *Rejects.columns[:-2]], Rejects.checks)

Instruments = Table("instruments", "The reviewed instrument registry (sources/ratification/instruments.yaml).", [
    Column("code", pl.Utf8, "The project's code of the instrument (e.g. UNTOC).", unique=True, pattern=r"^[A-Z0-9]{2,12}$"),
    Column("mtdsg_no", pl.Utf8, "The instrument's UNTC (MTDSG) number.", unique=True, pattern=MTDSG_PATTERN),
    Column("chapter", pl.Utf8, "The MTDSG chapter: VI (drugs) or XVIII (penal matters).", isin=["VI", "XVIII"]),
    Column("family", pl.Utf8, "The group of conventions it belongs to.", isin=["drugs", "crime", "corruption", "terrorism"]),
    Column("title", pl.Utf8, "The instrument's title.", min_length=10),
    Column("place", pl.Utf8, "Where it was adopted."),
    Column("adopted_on", pl.Date, "The day it was adopted.", ge=date(1945, 1, 1), le=date.today()),
    Column("entry_into_force_on", pl.Date, "The day it entered into force.", ge=date(1945, 1, 1), le=date.today()),
    Column("parent", pl.Utf8, "The code of the convention a protocol belongs to.", nullable=True),
    Column("actions_from", pl.Date, "The first day whose actions count for it, where earlier cells belong to another text.",
           nullable=True),
], [
    row_rule("in_force_after_adoption", "an instrument enters into force on or after its adoption",
             pl.col("entry_into_force_on") >= pl.col("adopted_on")),
    row_rule("parent_known", "a parent instrument is in the registry",
             pl.col("parent").is_null() | pl.col("parent").is_in(pl.col("code").implode())),
])

TABLES = [UntcSnapshots, TreatyActions, TreatyStatus, TreatyEndnotes, UntcRejects, Instruments]


# --------------------------------------------------------------------------- rule checks
# Plain functions of a raw table and the check's context (orchestration/checks.py RuleContext):
# each returns (passed, details); the Dagster wrapper shows lists and dicts as JSON.

def participants_mapped(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    unmapped = frame.filter(pl.col("participant_iso3").is_null())
    names = sorted(set(unmapped["participant"].to_list()))
    meta = {"unmapped_names": names, "unmapped_rows": unmapped.height}
    if names:
        meta["where"] = unmapped.select("participant", "source_file", "source_row").unique().head(50).to_dicts()
    return not names, meta


def declared_counts_match(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    full = frame.filter(pl.col("has_participant_table"))
    diff = full.filter(
        (pl.col("declared_parties").is_not_null() & (pl.col("declared_parties") != pl.col("counted_parties")))
        | (pl.col("declared_signatories").is_not_null()
           & (pl.col("declared_signatories") != pl.col("counted_signatories"))))
    cols = ["instrument", "source_file", "declared_parties", "counted_parties",
            "declared_signatories", "counted_signatories"]
    return diff.is_empty(), {"compared_files": full.filter(pl.col("declared_parties").is_not_null()).height,
                             "differences": diff.select(cols).to_dicts()}


def reject_rate(rejects: pl.DataFrame, ctx) -> tuple[bool, dict]:
    """Rejected rows of every status file together against the configured share of rows read."""
    status = ctx.table(ctx.family.files)
    rows_in = int(status["rows_in"].sum()) or 1
    rejected = int(status["rows_rejected"].sum())
    rate = rejected / rows_in
    by_reason = rejects.group_by("reason").len().sort(["len", "reason"], descending=[True, False]).head(20).to_dicts()
    return rate <= ctx.max_reject_rate, {
        "rows_in": rows_in, "rows_rejected": rejected, "reject_rate": round(rate, 4),
        "max_reject_rate": ctx.max_reject_rate, "by_reason": by_reason}
