"""Raw ratification tables: one event per dated cell of a UNTC status table."""
from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from sources.ratification.cells import ALL_KINDS

from .common import ISO3_PATTERN, SHA256_PATTERN


class TreatyActions(pa.DataFrameModel):
    snapshot_id: str = pa.Field(str_matches=SHA256_PATTERN)
    instrument: str = pa.Field(str_matches=r"^[IVXL]+-\d+(-[a-z])?$")
    participant: str = pa.Field(str_length={"min_value": 2, "max_value": 120})
    participant_iso3: str = pa.Field(str_matches=ISO3_PATTERN, nullable=True)
    footnotes: str = pa.Field(str_matches=r"^\d+(,\d+)*$", nullable=True)
    action_kind: str = pa.Field(isin=sorted(ALL_KINDS))
    action_date: date = pa.Field(ge=date(1900, 1, 1), le=date.today())
    action_letter: str = pa.Field(isin=["a", "A", "AA", "d", "c", "s"], nullable=True)
    raw_cell: str = pa.Field(str_length={"min_value": 8})
    source_file: str
    source_row: int = pa.Field(ge=1)
    source_column: str

    class Config:
        strict = False
        coerce = False

    @pa.dataframe_check(error="one event per file, row and column")
    def one_event_per_cell(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            ~pl.struct("snapshot_id", "source_row", "source_column").is_duplicated())


class TreatyStatus(pa.DataFrameModel):
    snapshot_id: str = pa.Field(str_matches=SHA256_PATTERN)
    instrument: str = pa.Field(str_matches=r"^[IVXL]+-\d+(-[a-z])?$")
    has_participant_table: bool
    declared_signatories: int = pa.Field(ge=0, le=300, nullable=True)
    declared_parties: int = pa.Field(ge=0, le=300, nullable=True)
    counted_signatories: int = pa.Field(ge=0, le=300, nullable=True)
    counted_parties: int = pa.Field(ge=0, le=300, nullable=True)
    rows_in: int = pa.Field(ge=0)
    rows_accepted: int = pa.Field(ge=0)
    rows_rejected: int = pa.Field(ge=0)

    class Config:
        strict = False

    @pa.dataframe_check(error="participant rows in = accepted + rejected")
    def rows_reconcile(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("rows_in") == pl.col("rows_accepted") + pl.col("rows_rejected"))


class TreatyEndnotes(pa.DataFrameModel):
    snapshot_id: str = pa.Field(str_matches=SHA256_PATTERN)
    instrument: str = pa.Field(str_matches=r"^[IVXL]+-\d+(-[a-z])?$")
    note_index: str = pa.Field(str_matches=r"^\d+$")
    note_text: str = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = True


class Instruments(pa.DataFrameModel):
    code: str = pa.Field(unique=True, str_matches=r"^[A-Z0-9]{2,12}$")
    mtdsg_no: str = pa.Field(unique=True, str_matches=r"^[IVXL]+-\d+(-[a-z])?$")
    chapter: str = pa.Field(isin=["VI", "XVIII"])
    family: str = pa.Field(isin=["drugs", "crime", "corruption", "terrorism"])
    title: str = pa.Field(str_length={"min_value": 10})
    adopted_on: date = pa.Field(ge=date(1945, 1, 1), le=date.today())
    entry_into_force_on: date = pa.Field(ge=date(1945, 1, 1), le=date.today())
    parent: str = pa.Field(nullable=True)

    class Config:
        strict = False

    @pa.dataframe_check(error="an instrument enters into force on or after its adoption")
    def in_force_after_adoption(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("entry_into_force_on") >= pl.col("adopted_on"))

    @pa.dataframe_check(error="a parent instrument is in the registry")
    def parent_known(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("parent").is_null() | pl.col("parent").is_in(pl.col("code").implode()))


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
    by_reason = rejects.group_by("reason").len().sort("len", descending=True).head(20).to_dicts()
    return rate <= ctx.max_reject_rate, {
        "rows_in": rows_in, "rows_rejected": rejected, "reject_rate": round(rate, 4),
        "max_reject_rate": ctx.max_reject_rate, "by_reason": by_reason}
