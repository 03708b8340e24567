"""How a UNTC status file becomes rows of the family's raw tables: one action per dated cell with
the participant's code, the file's end notes, and one row per file with its declared and counted
parties (raw.untc_treaty_status)."""
from __future__ import annotations

from datetime import date

import polars as pl

from ..geography import resolve
from ..parsing import FrameResult
from ..snapshots import Snapshot
from . import instruments, parse_status_file
from .status_table import EVENT_SCHEMA

# A parsed event with its snapshot, the participant's code and how the name was matched, in the
# order of raw.untc_treaty_actions.
ACTION_COLUMNS = ["snapshot_id", "instrument", "participant_raw", "participant", "participant_iso3", "name_match",
                  *(c for c in EVENT_SCHEMA if c not in ("instrument", "participant_raw", "participant")),
                  "source_format"]
NOTE_SCHEMA = {"snapshot_id": pl.Utf8, "instrument": pl.Utf8, "note_index": pl.Utf8, "note_text": pl.Utf8}


def parse(data: bytes, snap: Snapshot) -> FrameResult:
    return parse_status_file(data, filename=snap.filename, fmt=snap.format, item=snap.item, as_of=snap.as_of)


PARSERS = {"untc_xml": parse, "untc_table": parse}


def rows(result: FrameResult, snap: Snapshot, tag: list[pl.Expr]) -> dict[str, pl.DataFrame]:
    events = result.accepted
    found = {name: resolve(name) for name in events["participant"].unique().to_list()}
    actions = events.with_columns(
        pl.lit(snap.snapshot_id).alias("snapshot_id"),
        pl.col("participant").replace_strict({n: iso3 for n, (iso3, _) in found.items()}, default=None,
                                             return_dtype=pl.Utf8).alias("participant_iso3"),
        pl.col("participant").replace_strict({n: how for n, (_, how) in found.items()}, default=None,
                                             return_dtype=pl.Utf8).alias("name_match"),
        pl.lit(snap.format).alias("source_format")).select(ACTION_COLUMNS)
    notes = pl.DataFrame([{"snapshot_id": snap.snapshot_id, "instrument": result.facts["instrument"],
                           "note_index": index, "note_text": text}
                          for index, text in (result.facts.get("endnotes") or {}).items()], schema=NOTE_SCHEMA)
    return {"untc_treaty_actions": actions, "untc_endnotes": notes}


def file_row(row: dict, result: FrameResult, snap: Snapshot) -> dict:
    facts = result.facts
    return {
        "snapshot_id": snap.snapshot_id, "instrument": facts["instrument"], "format": facts["format"],
        "source_file": snap.filename, "as_of": date.fromisoformat(snap.as_of) if snap.as_of else None,
        "has_participant_table": facts["has_participant_table"],
        "title": facts.get("title"), "conclusion": facts.get("conclusion"),
        "entry_into_force_text": facts.get("entry_into_force_text"),
        "declared_signatories": facts.get("declared_signatories"),
        "declared_parties": facts.get("declared_parties"),
        "counted_signatories": facts.get("counted_signatories"),
        "counted_parties": facts.get("counted_parties"),
        "rows_in": row["rows_in"], "rows_accepted": row["rows_accepted"], "rows_rejected": row["rows_rejected"],
        "header_fingerprint": row["header_fingerprint"] if result.header else None,
    }


def instrument_frame() -> pl.DataFrame:
    return pl.DataFrame(instruments(), infer_schema_length=None)


def status_summary(tables: dict[str, pl.DataFrame]) -> dict:
    status = tables["untc_treaty_status"]
    return {"rows_in": int(status["rows_in"].sum()), "rows_accepted": int(status["rows_accepted"].sum()),
            "rows_rejected": int(status["rows_rejected"].sum())}
