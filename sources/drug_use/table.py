"""One sheet's table under its header: the rows one by one, with what is layout and not data.

Layout, never a row: a blank row; a note (one filled cell holding a paragraph, a source line or a
footnote, wherever it stands: the WDR sheets end with a footnote paragraph in their first
column); a label printed once for a block (region, sub-region) is carried down the block.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from .cells import Bad, text
from .layouts import plain


@dataclass
class Sheet:
    file: str
    name: str
    rows: list[list]
    excel_rows: list[int]
    header_idx: int
    records: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)
    rows_in: int = 0
    not_available: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def header(self) -> list[str | None]:
        return [text(c) for c in self.rows[self.header_idx]]

    def column(self, name: str) -> int | None:
        """The position of the header cell of this name (compared plainly), if any."""
        return next((i for i, c in enumerate(self.rows[self.header_idx]) if plain(c) == name), None)

    def reject(self, excel_row: int, reason: str, column: str | None = None, value: str | None = None) -> None:
        self.rejects.append({"file": self.file, "sheet": self.name, "row": excel_row, "column": column,
                             "value": value, "reason": reason})


def is_note(row: list, keep: set[int]) -> bool:
    """One filled cell that is a paragraph, a source or a footnote line, not a row's label."""
    filled = [(i, text(c)) for i, c in enumerate(row) if text(c)]
    if len(filled) != 1:
        return False
    i, value = filled[0]
    return i not in keep or len(value) > 80 or "\n" in str(row[i])


def read_rows(sheet: Sheet, first: int, carry: dict[str, int], keep: set[int],
              read: Callable[[list, dict, int], list[dict] | None]) -> None:
    """Each row from `first` on: layout skipped, labels carried, `read(row, carried, excel_row)`
    giving the row's records (None: a row of only not-available markers), a Bad cell its reject."""
    carried: dict[str, str | None] = {k: None for k in carry}
    for i in range(first, len(sheet.rows)):
        row = list(sheet.rows[i])
        excel_row = sheet.excel_rows[i]
        if not any(text(c) for c in row):
            continue
        if is_note(row, keep):
            sheet.notes.append(text(next(c for c in row if text(c))))
            continue
        for name, col in carry.items():
            if col is not None and col < len(row) and text(row[col]):
                carried[name] = text(row[col])
        sheet.rows_in += 1
        try:
            got = read(row, carried, excel_row)
        except Bad as bad:
            sheet.reject(excel_row, bad.reason, bad.column, bad.value)
            continue
        if not got:
            sheet.not_available += 1
        else:
            sheet.records.extend(got)
