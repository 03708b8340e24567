"""Rows of a status table, whatever file they came from, into one action event per dated cell."""
from __future__ import annotations

from datetime import date

import polars as pl

from ..errors import SourceError
from ..parsing import REJECT_SCHEMA, FrameResult, looks_like_formula
from .cells import PARTY_KINDS, SIGNATURE_KINDS, clean_text, header_kinds, parse_cell, split_footnotes

# One event per dated cell; the ingest adds the snapshot and the participant's code.
EVENT_SCHEMA = {
    "instrument": pl.Utf8, "participant_raw": pl.Utf8, "participant": pl.Utf8, "footnotes": pl.Utf8,
    "action_kind": pl.Utf8, "action_date": pl.Date, "action_letter": pl.Utf8, "raw_cell": pl.Utf8,
    "source_file": pl.Utf8, "source_row": pl.Int64, "source_column": pl.Utf8,
}


def _reject(file: str, row: int, column: str | None, value: str | None, reason: str) -> dict:
    return {"file": file, "sheet": None, "row": row, "column": column, "value": value, "reason": reason}


def status_result(file: str, *, rows_in: int = 0, events: list[dict] = (), rejects: list[dict] = (),
                  header: list[str] = (), facts: dict | None = None, warnings: list[str] = ()) -> FrameResult:
    return FrameResult(file=file, rows_in=rows_in, accepted=pl.DataFrame(list(events), schema=EVENT_SCHEMA),
                       rejects=pl.DataFrame(list(rejects), schema=REJECT_SCHEMA), header=list(header),
                       facts=dict(facts or {}), warnings=list(warnings))


def column_kinds(headers: list[str], filename: str) -> list[dict[str, str]]:
    """The suffix -> kind map of each dated column (all columns after 'Participant')."""
    if len(headers) < 2:
        raise SourceError(f"status table has {len(headers)} column(s); expected Participant and at least one action column",
                          file=filename, row=1)
    first, _ = split_footnotes(headers[0])
    if first.lower() != "participant":
        raise SourceError(f"first column is {first!r}, expected 'Participant'", file=filename, row=1,
                          column=headers[0])
    seen: set[str] = set()
    for header in headers:
        name = split_footnotes(header)[0]
        if name.lower() in seen:
            # Two columns of one kind would count each action twice.
            raise SourceError(f"column {name!r} appears twice in the header", file=filename, row=1, column=name)
        seen.add(name.lower())
    out = []
    for header in headers[1:]:
        try:
            out.append(header_kinds(header))
        except ValueError as exc:
            raise SourceError(f"unknown action column: {exc}", file=filename, row=1, column=header) from None
    return out


def read_rows(file: str, headers: list[str], body: list[tuple[int, list[str | None]]], *,
              item: str, adopted_on: date | None, as_of: date | None, facts: dict,
              warnings: list[str] = ()) -> FrameResult:
    """One event row per dated cell and one reject per bad cell or row; `facts` gain the counts."""
    kinds = column_kinds(headers, file)
    header = [split_footnotes(h)[0] for h in headers]
    if not body:
        # A newer table without rows would hide every participant of the older one.
        raise SourceError("the status table has a header but no participant rows", file=file, row=1)
    # Without a snapshot date, nothing can have happened after today.
    not_after = as_of or date.today()
    signed = parties = rows_in = 0
    rows, rejects = [], []
    first_row: dict[str, int] = {}
    for row_no, cells in body:
        rows_in += 1
        participant_raw = cells[0] if cells else None
        participant, notes = split_footnotes(participant_raw)
        if not participant:
            rejects.append(_reject(file, row_no, header[0], participant_raw, "participant name is empty"))
            continue
        if looks_like_formula(participant):
            rejects.append(_reject(file, row_no, header[0], participant,
                                   "participant name looks like a spreadsheet formula"))
            continue
        if participant in first_row:
            rejects.append(_reject(file, row_no, header[0], participant,
                                   f"participant listed twice (first at row {first_row[participant]})"))
            continue
        first_row[participant] = row_no
        if len(cells) > len(headers):
            extra = [c for c in cells[len(headers):] if clean_text(c)]
            if extra:
                rejects.append(_reject(file, row_no, None, repr(extra),
                                       f"row has {len(cells)} cells; the header has {len(headers)}"))
                continue
        events, problems = [], []
        for col, col_kinds in enumerate(kinds, start=1):
            raw = cells[col] if col < len(cells) else None
            try:
                parsed = parse_cell(raw, col_kinds, not_before=adopted_on, not_after=not_after)
            except ValueError as exc:
                problems.append(_reject(file, row_no, header[col], clean_text(raw), str(exc)))
                continue
            if parsed:
                when, kind, suffix = parsed
                events.append({
                    "instrument": item, "participant_raw": clean_text(participant_raw),
                    "participant": participant, "footnotes": ",".join(notes) or None,
                    "action_kind": kind, "action_date": when, "action_letter": suffix or None,
                    "raw_cell": clean_text(raw), "source_file": file, "source_row": row_no,
                    "source_column": header[col],
                })
        if problems:
            # A row is accepted or rejected whole, so that rows in = accepted + rejected.
            rejects.extend(problems)
            continue
        if not events:
            # A participant listed with no date at all is a real row that says nothing.
            rejects.append(_reject(file, row_no, None, participant, "participant row has no dated action"))
            continue
        rows.extend(events)
        kinds_here = {e["action_kind"] for e in events}
        signed += bool(kinds_here & SIGNATURE_KINDS)
        parties += bool(kinds_here & PARTY_KINDS)
    return status_result(file, rows_in=rows_in, events=rows, rejects=rejects, header=header,
                         facts={**facts, "counted_signatories": signed, "counted_parties": parties},
                         warnings=warnings)
