"""Every current UNTC snapshot into raw tables: events, status counts, end notes and rejects."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import polars as pl

from ..errors import SourceError
from ..geography import resolve
from ..snapshots import Snapshot, SnapshotStore, snapshot_frame
from . import instruments, parse_status_file

ACTION_SCHEMA = {
    "snapshot_id": pl.Utf8, "instrument": pl.Utf8, "participant_raw": pl.Utf8, "participant": pl.Utf8,
    "participant_iso3": pl.Utf8, "name_match": pl.Utf8, "footnotes": pl.Utf8, "action_kind": pl.Utf8,
    "action_date": pl.Date, "action_letter": pl.Utf8, "raw_cell": pl.Utf8, "source_file": pl.Utf8,
    "source_row": pl.Int64, "source_column": pl.Utf8, "source_format": pl.Utf8,
}
REJECT_SCHEMA = {
    "dataset": pl.Utf8, "snapshot_id": pl.Utf8, "file": pl.Utf8, "sheet": pl.Utf8, "row": pl.Int64,
    "column": pl.Utf8, "value": pl.Utf8, "reason": pl.Utf8,
}


@dataclass
class UntcTables:
    actions: pl.DataFrame
    status: pl.DataFrame
    endnotes: pl.DataFrame
    rejects: pl.DataFrame
    snapshots: pl.DataFrame
    instruments: pl.DataFrame


def ingest(store: SnapshotStore, snaps: list[Snapshot]) -> UntcTables:
    actions, status, notes, rejects = [], [], [], []
    for snap in snaps:
        try:
            result = parse_status_file(store.read_bytes(snap), filename=snap.filename, fmt=snap.format,
                                       item=snap.item, as_of=snap.as_of)
        except SourceError as exc:
            # A snapshot that cannot be read at all stops the load: no silent gap.
            raise SourceError(f"{exc.reason} (snapshot {snap.name})", file=exc.file, row=exc.row,
                              column=exc.column) from None
        for row in result.rows:
            iso3, how = resolve(row["participant"])
            actions.append({**row, "snapshot_id": snap.snapshot_id, "participant_iso3": iso3, "name_match": how,
                            "source_format": snap.format})
        for rej in result.rejects:
            rejects.append({**rej.record(), "dataset": snap.dataset, "snapshot_id": snap.snapshot_id})
        facts = result.facts
        accepted_rows = len({r["source_row"] for r in result.rows})
        rejected_rows = len({r.row for r in result.rejects})
        status.append({
            "snapshot_id": snap.snapshot_id, "instrument": facts["instrument"], "format": facts["format"],
            "source_file": snap.filename, "as_of": date.fromisoformat(snap.as_of) if snap.as_of else None,
            "has_participant_table": facts["has_participant_table"],
            "title": facts.get("title"), "conclusion": facts.get("conclusion"),
            "entry_into_force_text": facts.get("entry_into_force_text"),
            "declared_signatories": facts.get("declared_signatories"),
            "declared_parties": facts.get("declared_parties"),
            "counted_signatories": facts.get("counted_signatories"),
            "counted_parties": facts.get("counted_parties"),
            "rows_in": result.rows_in, "rows_accepted": accepted_rows, "rows_rejected": rejected_rows,
            "header_fingerprint": result.header_fingerprint if result.header else None,
        })
        for index, text in (facts.get("endnotes") or {}).items():
            notes.append({"snapshot_id": snap.snapshot_id, "instrument": facts["instrument"],
                          "note_index": index, "note_text": text})
    return UntcTables(
        actions=pl.DataFrame(actions, schema=ACTION_SCHEMA),
        status=pl.DataFrame(status, infer_schema_length=None, schema_overrides={
            "declared_signatories": pl.Int64, "declared_parties": pl.Int64,
            "counted_signatories": pl.Int64, "counted_parties": pl.Int64, "rows_in": pl.Int64,
            "rows_accepted": pl.Int64, "rows_rejected": pl.Int64}),
        endnotes=pl.DataFrame(notes, schema={"snapshot_id": pl.Utf8, "instrument": pl.Utf8,
                                             "note_index": pl.Utf8, "note_text": pl.Utf8}),
        rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA),
        snapshots=snapshot_frame(snaps),
        instruments=pl.DataFrame(instruments(), infer_schema_length=None),
    )
