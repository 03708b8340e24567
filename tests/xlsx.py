"""Write test workbooks derived from the real files (xlsxwriter), for layouts the bundle lacks."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter

from sources.excel import read_sheet_as_text


def real_rows(path: Path, n: int | None = None) -> list[list[str | None]]:
    """The cells of a real workbook's first sheet, as text, preamble included."""
    _, frame = read_sheet_as_text(path.read_bytes(), path.name)
    rows = [list(r) for r in frame.iter_rows()]
    return rows if n is None else rows[:n]


def write_xlsx(path: Path, rows: list[list], sheet: str = "data_cts_test") -> Path:
    """Numbers stay numbers, datetimes become Excel dates, text stays text (never a formula)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": True})
    ws = book.add_worksheet(sheet)
    date_format = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value, date_format)
            elif value is not None:
                ws.write(r, c, value)
    book.close()
    return path
