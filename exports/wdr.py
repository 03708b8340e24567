"""An annex table laid out as the World Drug Report workbook it comes from.

The workbook's own facts (dim_annex_table: title, row labels as written, footnote markers, Sources
and Note text, merged ranges, column widths; all read from the snapshot when it was loaded) give
the place of every text; the figures come from the release. A footnote marker that the WDR prints
in a column of its own (the "d" after the 2011 total of table 6.1.1) belongs to the figure on its
left, not to the row.
"""
from __future__ import annotations

import json
import re

import duckdb
import polars as pl

from .frames import catalogue

NOT_AVAILABLE = ".."


def annex_layouts(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """The WDR workbooks of the release, by snapshot (empty for a release without dim_annex_table)."""
    if "dim_annex_table" not in catalogue(con):
        return {}
    out = {}
    for r in con.sql("""select snapshot_id, title, unit, sources_text, notes_text, footnotes::varchar as footnotes,
                               layout::varchar as layout from main.dim_annex_table""").pl().iter_rows(named=True):
        if r["layout"]:
            out[r["snapshot_id"]] = {**r, "footnotes": json.loads(r["footnotes"] or "{}"), "layout": json.loads(r["layout"])}
    return out


def layout_for(frame: pl.DataFrame, layouts: dict[str, dict]) -> dict | None:
    """The workbook every annex row of the frame comes from, if there is one and it places them all."""
    rows = frame.filter(pl.col("in_annex_table"))
    snaps = set(rows["snapshot_id"].drop_nulls().to_list()) if rows.height else set()
    if len(snaps) != 1 or (book := layouts.get(next(iter(snaps)))) is None:
        return None
    placed = {str(r["row"]) for r in book["layout"]["labels"]}
    if not set(rows["source_rows"].cast(pl.String).to_list()) <= placed:
        return None
    return book


def marker_years(book: dict) -> dict[tuple[int, str], int]:
    """(row, letter) -> the year whose figure a marker printed in a column of its own annotates."""
    layout = book["layout"]
    by_column = sorted((c, int(y)) for y, c in layout["year_columns"].items())
    out = {}
    for m in layout["markers"]:
        left = [y for c, y in by_column if c < m["column"]]
        if left and re.fullmatch(r"[a-z]", m["text"].strip()):
            out[(m["row"], m["text"].strip())] = left[-1]
    return out


def apply_markers(frame: pl.DataFrame, book: dict | None) -> pl.DataFrame:
    """A marker cell's footnote on the one figure it stands beside; it is not a series of the row."""
    if book is None or not frame.height:
        return frame
    for (row, letter), year in marker_years(book).items():
        text = book["footnotes"].get(letter)
        same_row = pl.col("source_rows").cast(pl.String) == str(row)
        frame = frame.with_columns(
            pl.when(same_row & (pl.col("series") == letter)).then(None).otherwise(pl.col("series")).alias("series"),
            pl.when(same_row & (pl.col("year") == year)).then(pl.lit(text))
            .when(same_row & (pl.col("series").is_null() | (pl.col("series") == letter))).then(None)
            .otherwise(pl.col("footnotes")).alias("footnotes"))
    return frame


def excel_width(stored: float) -> float:
    """The width to give xlsxwriter so that the file stores `stored`, as the WDR file does: xlsxwriter
    adds Excel's padding of 5 pixels (7-pixel digits) to a width of 1 or more, and scales a narrower one."""
    pixels = round(stored * 7)
    return pixels / 12 if pixels < 12 else (pixels - 5) / 7


def _cell_ref(ref: str) -> tuple[int, int]:
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = 0
    for ch in m.group(1):
        col = col * 26 + ord(ch) - 64
    return int(m.group(2)) - 1, col - 1


def write_wdr_sheet(book, ws, frame: pl.DataFrame, source: dict, decimals: int, changed=()) -> int:
    """Write the table where the WDR has it; return the first free row (0-based) below it."""
    layout = source["layout"]
    number = "#,##0" + ("." + "0" * decimals if decimals else "")
    base = {"font_name": "Arial", "font_size": 10, "valign": "vcenter"}
    f = {
        "title": book.add_format({**base, "bold": True, "font_size": 16, "align": "center", "text_wrap": True}),
        "year": book.add_format({**base, "bold": True, "bottom": 1, "num_format": "0"}),
        "rule": book.add_format({**base, "bottom": 1}),
        "label": book.add_format(base),
        "total": book.add_format({**base, "bold": True}),
        "number": book.add_format({**base, "num_format": number}),
        "na": book.add_format({**base, "align": "right"}),
        "marker": book.add_format(base),
        "end": book.add_format({**base, "top": 1}),
        "changed": book.add_format({**base, "num_format": number, "bg_color": "#FFEB9C"}),
        "tail": book.add_format({**base, "font_size": 9, "text_wrap": True, "align": "left"}),
    }
    for col, width in layout["column_widths"].items():
        ws.set_column(int(col) - 1, int(col) - 1, excel_width(width))
    texts: dict[tuple[int, int], tuple[str, object]] = {}
    if layout.get("title"):
        texts[(layout["title"]["row"] - 1, layout["title"]["column"] - 1)] = (source["title"], f["title"])
    for t in layout["tail"]:
        texts[(t["row"] - 1, t["column"] - 1)] = (t["text"], f["tail"])
    header = layout["header_row"] - 1
    year_col = {int(y): c - 1 for y, c in layout["year_columns"].items()}
    last_col = max([*year_col.values(), *(m["column"] - 1 for m in layout["markers"])])
    for c in range(layout["label_column"], last_col + 1):
        ws.write_blank(header, c, None, f["rule"])
    for y, c in year_col.items():
        ws.write_number(header, c, y, f["year"])
    cells = {(int(r["source_rows"]), r["year"]): r for r in frame.filter(pl.col("in_annex_table")).iter_rows(named=True)}
    label_col = layout["label_column"] - 1
    last_row = header
    for entry in layout["labels"]:
        row = entry["row"]
        mine = {y: r for (src, y), r in cells.items() if src == row}
        if not mine and not (entry["text"] or "").strip():
            continue
        total = any(r["is_total"] for r in mine.values())
        ws.write_string(row - 1, label_col, entry["text"] or "", f["total"] if total else f["label"])
        last_row = max(last_row, row - 1)
        if not mine:
            continue
        shown = sorted(y for y, r in mine.items() if r["value"] is not None or r["value_text"])
        span = (shown[0], shown[-1]) if shown else (None, None)
        # Where a country has two series (Peru b and c), the WDR leaves a series blank outside the
        # years it covers; a missing figure inside them is not available ("..").
        several = frame.filter(pl.col("in_annex_table") & pl.col("area_code").eq_missing(next(iter(mine.values()))["area_code"])
                               )["series"].n_unique() > 1
        for y, c in year_col.items():
            r = mine.get(y)
            if r is not None and r["value"] is not None:
                ws.write_number(row - 1, c, r["value"], f["changed"] if r in changed else f["number"])
            elif r is not None and r["value_text"]:
                ws.write_string(row - 1, c, r["value_text"], f["na"])
            elif several and span[0] is not None and not span[0] <= y <= span[1]:
                continue
            else:
                ws.write_string(row - 1, c, NOT_AVAILABLE, f["na"])
    for m in layout["markers"]:
        ws.write_string(m["row"] - 1, m["column"] - 1, m["text"], f["marker"])
    for c in range(label_col, last_col + 1):
        ws.write_blank(last_row + 1, c, None, f["end"])
    merged = {}
    for ref in layout["merged"]:
        a, b = ref.split(":")
        merged[_cell_ref(a)] = _cell_ref(b)
    for (r, c), (text, fmt) in sorted(texts.items()):
        if (r, c) in merged:
            r2, c2 = merged.pop((r, c))
            ws.merge_range(r, c, r2, c2, "", fmt)
        ws.write_string(r, c, text, fmt)
    for (r, c), (r2, c2) in merged.items():
        ws.merge_range(r, c, r2, c2, "", f["tail"])
    bottom = max([last_row + 1, *(r for r, _ in texts), *(r2 for r2, _ in merged.values())])
    return bottom + 2
