"""The UNTC status-table layout: `Participant, Signature, <action header>` as CSV."""
from __future__ import annotations

import csv
import io
from datetime import date

from ..errors import SourceError
from ..parsing import MAX_FILE_BYTES, FrameResult, csv_bytes
from .cells import item_from_filename
from .status_table import read_rows


def _instrument(item: str) -> dict:
    from . import instrument_by_mtdsg
    return instrument_by_mtdsg().get(item, {})


def parse_untc_table(data: bytes, *, filename: str, item: str | None = None,
                     as_of: str | None = None) -> FrameResult:
    if not data.strip():
        raise SourceError("file is empty", file=filename)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"file is {len(data)} bytes, over the {MAX_FILE_BYTES}-byte limit", file=filename)
    if data.lstrip().startswith(b"<"):
        raise SourceError("file is markup (an HTML or XML page), not a CSV status table", file=filename)
    data = csv_bytes(data, filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(f"not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})",
                          file=filename, row=line) from None
    item = item or item_from_filename(filename)
    if not item:
        raise SourceError("cannot tell which instrument this table is for (name it like 18-12.csv)",
                          file=filename)
    reader = csv.reader(io.StringIO(text))
    try:
        records = list(reader)
    except csv.Error as exc:
        # A cell over the csv module's field limit (128 KiB) is no participant name or date.
        raise SourceError(f"cannot read the cell: {exc}", file=filename, row=reader.line_num) from None
    if not records:
        raise SourceError("file has no header row", file=filename)
    info = _instrument(item)
    facts = dict(instrument=item, format="untc_table", declared_signatories=None,
                 declared_parties=None, has_participant_table=True)
    body = [(i, row) for i, row in enumerate(records[1:], start=2) if any(c.strip() for c in row)]
    return read_rows(filename, records[0], body, item=item, adopted_on=info.get("actions_from") or info.get("adopted_on"),
                     as_of=date.fromisoformat(as_of) if as_of else None, facts=facts)
