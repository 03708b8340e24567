"""Annex-style workbooks, laid out as the World Drug Report's statistical annex lays its tables out.

Every text goes through `write_string`, with formula, URL and number conversion switched off, so a
label that looks like a formula (`=HYPERLINK(...)`) stays text in Excel.
"""
from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

from .definitions import TableDef
from .wdr import write_wdr_sheet

NOT_AVAILABLE = ".."
OBS_STATUS = {
    "A": "normal value", "B": "time series break", "D": "definition differs", "E": "estimated value",
    "F": "forecast value", "G": "experimental value", "I": "imputed value", "K": "data included in another category",
    "L": "missing: exists but was not collected", "M": "missing: cannot exist", "N": "not significant",
    "O": "missing value", "P": "provisional value", "Q": "missing: suppressed (below a threshold, such as <5)",
    "S": "strike or special event", "U": "low reliability", "V": "unvalidated value", "W": "includes data from another category"}
ILLUSTRATIVE_NOTE = ("ILLUSTRATIVE: rows marked (illustrative) come from the generated IATI sample bundled with "
                     "unodc-indicators, not from UNODC's own files.")


def _workbook(path: Path, release: dict) -> xlsxwriter.Workbook:
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    created = datetime.fromisoformat(release["published_at"]).replace(tzinfo=None)
    # A fixed creation date (the release's) keeps two exports of one release identical.
    book.set_properties({"title": release.get("title", ""), "author": "unodc-indicators", "created": created,
                         "comments": f"release {release['release_id']}"})
    return book


ENTITY = ["area_code", "label", "series", "is_total"]


def footnote_letters(tdef: TableDef, frame: pl.DataFrame) -> tuple[dict, dict[str, str]]:
    """Each row's footnote letters, and each letter's text. A row's series letter (Peru's b and c)
    is its footnote; other footnote texts get the next free letter, in the order the table shows them."""
    letters: dict[tuple, list[str]] = {}
    texts: dict[str, str] = {}
    by_text: dict[str, str] = {}
    taken = {s for s in frame["series"].drop_nulls().unique().to_list() if re.fullmatch(r"[a-z]", s)} if frame.height else set()
    taken |= {m.group(1) for t in (frame["footnotes"].drop_nulls().unique().to_list() if frame.height else [])
              if (m := re.fullmatch(r"(?:table )?footnote ([a-z])", t.strip()))}
    free = (c for c in "abcdefghijklmnopqrstuvwxyz" if c not in taken)
    for key, cells in frame.group_by(ENTITY, maintain_order=True) if frame.height else []:
        series = key[2]
        own = []
        for text in cells["footnotes"].drop_nulls().unique(maintain_order=True).to_list():
            cited = re.fullmatch(r"(?:table )?footnote ([a-z])", text.strip())
            if series and re.fullmatch(r"[a-z]", series) and series not in texts:
                letter = series
            elif cited and cited.group(1) not in texts:
                letter = cited.group(1)
            else:
                letter = by_text.get(text) or next(free, "*")
            by_text.setdefault(text, letter)
            texts.setdefault(letter, text)
            own.append(letter)
        letters[tuple(key)] = sorted(set(own))
    for letter, text in tdef.footnote_texts.items():
        texts[letter] = text
    return letters, dict(sorted(texts.items()))


def _label(label: str, letters: list[str], illustrative: bool) -> str:
    text = " ".join([label or "", *letters]).strip()
    return f"{text} (illustrative)" if illustrative else text


def year_range(frame: pl.DataFrame) -> str:
    years = frame.filter(pl.col("in_annex_table"))["year"].drop_nulls() if frame.height else []
    return "" if not len(years) else f"{years.min()}" if years.min() == years.max() else f"{years.min()}-{years.max()}"


def write_annex(path: Path, tdef: TableDef, frame: pl.DataFrame, release: dict, codebook: dict,
                changes: pl.DataFrame | None = None, source: dict | None = None,
                compared: str | None = None) -> None:
    book = _workbook(path, {**release, "title": f"Table {tdef.number}. {tdef.title}"})
    f = {
        "title": book.add_format({"bold": True, "font_size": 12}),
        "warn": book.add_format({"bold": True, "font_color": "#9C0006"}),
        "head": book.add_format({"bold": True, "bottom": 1, "align": "center", "num_format": "0"}),
        "head_left": book.add_format({"bold": True, "bottom": 1}),
        "band": book.add_format({"bold": True}),
        "number": book.add_format({"num_format": "#,##0" + ("." + "0" * tdef.decimals if tdef.decimals else "")}),
        "bound": book.add_format({"italic": True, "num_format": "#,##0" + ("." + "0" * tdef.decimals if tdef.decimals else "")}),
        "subtotal": book.add_format({"bold": True, "top": 1, "num_format": "#,##0" + ("." + "0" * tdef.decimals if tdef.decimals else "")}),
        "na": book.add_format({"align": "right"}),
        "text": book.add_format({}),
        "note": book.add_format({"italic": True}),
        # A cell that changed since the compared release: the Changes sheet lists it.
        "changed": book.add_format({"bg_color": "#FFEB9C", "num_format": "#,##0" + ("." + "0" * tdef.decimals if tdef.decimals else "")}),
    }
    ws = book.add_worksheet(f"Table {tdef.number}")
    ws.hide_gridlines(2)
    table = frame.filter(pl.col("in_annex_table")) if frame.height else frame
    illustrative = bool(frame.height) and bool(frame["is_illustrative"].any())
    highlight = _changed_cells(changes)
    if source is not None:
        # The WDR's own layout, title, footnotes, Sources and Note; what this project adds goes below.
        row = write_wdr_sheet(book, ws, frame, source, tdef.decimals, highlight)
        col = source["layout"]["label_column"] - 1
    else:
        row, col = 0, 0
        span = year_range(frame)
        ws.write_string(row, 0, f"Table {tdef.number}. {tdef.title}" + (f", {span}" if span else "")
                        + f" ({tdef.unit})", f["title"])
        row += 1
        if illustrative:
            ws.write_string(row, 0, ILLUSTRATIVE_NOTE, f["warn"])
            row += 1
        row += 1
        letters, texts = footnote_letters(tdef, table)
        f["_changed"] = highlight
        if tdef.layout == "long":
            row = _long(ws, row, tdef, table, f, letters)
        else:
            row = _wide(ws, row, tdef, table, f, letters)
        row += 1
        if frame.height == 0:
            ws.write_string(row, 0, f"No figures for this table in release {release['release_id']}.", f["warn"])
            row += 1
        for letter, text in texts.items():
            ws.write_string(row, 0, f"{letter}. {text}", f["note"])
            row += 1
        for note in tdef.notes:
            ws.write_string(row, 0, f"Note: {note}", f["note"])
            row += 1
        ws.write_string(row, 0, f"{NOT_AVAILABLE}: not available.", f["note"])
        row += 1
        if tdef.sources:
            ws.write_string(row, 0, tdef.sources, f["note"])
            row += 1
    if source is not None and illustrative:
        ws.write_string(row, col, ILLUSTRATIVE_NOTE, f["warn"])
        row += 1
    apart = frame.filter(~pl.col("in_annex_table")) if frame.height else frame
    if apart.height:
        row = _set_apart(ws, row + 1, col, apart, f)
    ws.write_string(row, col, f"Release {release['release_id']} of unodc-indicators (published {release['published_at']}, "
                              f"code {release['code_version']})" + (f"; changes against release {compared} are "
                              "highlighted and listed in the Changes sheet." if changes is not None else "."), f["note"])
    _codebook(book, tdef, frame, codebook, release, f)
    if changes is not None:
        _changes(book, changes, release, compared, f)
    book.close()


def _set_apart(ws, row: int, col: int, apart: pl.DataFrame, f) -> int:
    """Figures the definition keeps out of the annex table (such as later press reports): listed
    below it, under a heading that says they are not part of the table."""
    ws.write_string(row, col, "Not part of the annex table: figures published elsewhere (source named on each line)",
                    f["band"])
    row += 1
    for r in apart.sort("label", "year").iter_rows(named=True):
        shown = f"{r['value']:,.0f}" if r["value"] is not None else (r["value_text"] or NOT_AVAILABLE)
        ws.write_string(row, col, f"{r['label']} {r['year']}: {shown} ({r['source_file'] or 'source not named'})",
                        f["note"])
        row += 1
    return row + 1


CHANGE_VALUES = ("change", "old_value", "new_value", "old_text", "new_text", "old_lower", "new_lower",
                 "old_upper", "new_upper")
CHANGE_HEADERS = {"change": "Change", "band": "Region or group", "area_code": "Area code", "label": "Row",
                  "series": "Series", "year": "Year", "old_value": "Value before", "new_value": "Value now",
                  "old_text": "Text before", "new_text": "Text now", "old_lower": "Minimum before",
                  "new_lower": "Minimum now", "old_upper": "Maximum before", "new_upper": "Maximum now"}


class Changed:
    """Which cells of the table changed since the compared release: `row in changed` by the change key."""

    def __init__(self, changes: pl.DataFrame | None):
        self.keys = [c for c in (changes.columns if changes is not None else []) if c not in CHANGE_VALUES
                     and not c.startswith(("old_", "new_"))]
        self.cells = {tuple(r[k] for k in self.keys) for r in changes.iter_rows(named=True)} \
            if changes is not None and changes.height else set()

    def __contains__(self, row: dict) -> bool:
        return bool(self.cells) and tuple(row.get(k) for k in self.keys) in self.cells


def _changed_cells(changes: pl.DataFrame | None) -> Changed:
    return Changed(changes)


def _cell(ws, row: int, col: int, value, text, fmt, f) -> None:
    if value is not None:
        ws.write_number(row, col, value, fmt)
    elif text:
        ws.write_string(row, col, str(text), f["na"])
    else:
        ws.write_string(row, col, NOT_AVAILABLE, f["na"])


def _wide(ws, row: int, tdef: TableDef, frame: pl.DataFrame, f, letters: dict) -> int:
    years = sorted(frame["year"].drop_nulls().unique().to_list()) if frame.height else []
    col_of = {y: i + 1 for i, y in enumerate(years)}
    ws.write_string(row, 0, tdef.row_header, f["head_left"])
    for y, c in col_of.items():
        ws.write_number(row, c, y, f["head"])
    ws.freeze_panes(row + 1, 1)
    ws.set_column(0, 0, 48)
    ws.set_column(1, max(1, len(years)), 11)
    row += 1
    parts = frame.filter(~pl.col("is_total"))
    totals = frame.filter(pl.col("is_total"))
    bands = parts["band"].unique(maintain_order=True).to_list() if parts.height else []
    for band in bands:
        in_band = parts.filter(pl.col("band").eq_missing(band))
        if tdef.bands != "none":
            ws.write_string(row, 0, (band or "Other").upper(), f["band"])
            row += 1
        for key, cells in in_band.group_by(ENTITY, maintain_order=True):
            row = _entity_rows(ws, row, letters.get(tuple(key), []), cells, col_of, f)
        if tdef.subtotals and tdef.bands != "none":
            ws.write_string(row, 0, f"Subtotal {band or 'Other'}", f["subtotal"])
            sums = in_band.group_by("year").agg(pl.col("value").sum().alias("s"), pl.col("value").count().alias("n"))
            got = {y: s for y, s, n in sums.iter_rows() if n}
            for y, c in col_of.items():
                _cell(ws, row, c, got.get(y), None, f["subtotal"], f)
            row += 1
    for key, cells in totals.group_by(ENTITY, maintain_order=True):
        row = _entity_rows(ws, row, letters.get(tuple(key), []), cells, col_of, f, total=True)
    return row


def _entity_rows(ws, row: int, letters: list[str], cells: pl.DataFrame, col_of: dict, f, total: bool = False) -> int:
    illustrative = bool(cells["is_illustrative"].any())
    ws.write_string(row, 0, _label(cells["label"][0], letters, illustrative), f["subtotal"] if total else f["text"])
    # One figure per year: where two sources give the same year, the first in the table's order shows.
    by_year: dict = {}
    for r in cells.iter_rows(named=True):
        shown = by_year.get(r["year"])
        if shown is None or (shown["value"] is None and shown["value_text"] is None):
            by_year[r["year"]] = r
    for y, c in col_of.items():
        r = by_year.get(y)
        fmt = f["changed"] if r and r in f["_changed"] else f["subtotal"] if total else f["number"]
        _cell(ws, row, c, r and r["value"], r and r["value_text"], fmt, f)
    row += 1
    if cells["lower_bound"].is_not_null().any() or cells["upper_bound"].is_not_null().any():
        for name, column in (("Minimum", "lower_bound"), ("Maximum", "upper_bound")):
            ws.write_string(row, 0, f"   {name}", f["note"])
            for y, c in col_of.items():
                r = by_year.get(y)
                _cell(ws, row, c, r and r[column], None, f["bound"], f)
            row += 1
    return row


def _long(ws, row: int, tdef: TableDef, frame: pl.DataFrame, f, letters: dict) -> int:
    headers = ["Area code", "Region", tdef.row_header, *tdef.columns, "Year", "Value", "Status", "Reported total"]
    for c, h in enumerate(headers):
        ws.write_string(row, c, h, f["head_left"])
    ws.freeze_panes(row + 1, 2)
    ws.set_column(0, 1, 28)
    ws.set_column(2, len(headers), 16)
    row += 1
    for r in frame.iter_rows(named=True):
        values = [r["area_code"] or "", r["band"] or "", _label(r["label"], letters.get((r["area_code"], r["label"], r["series"], r["is_total"]), []),
                                          r["is_illustrative"]),
                  *(r[h] for h in tdef.columns)]
        for c, v in enumerate(values):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(row, c, v, f["number"])
            elif v is None:
                ws.write_blank(row, c, None, f["text"])
            else:
                ws.write_string(row, c, str(v), f["band"] if r["is_total"] else f["text"])
        c = len(values)
        ws.write_number(row, c, r["year"])
        _cell(ws, row, c + 1, r["value"], r["value_text"], f["changed"] if r in f["_changed"] else f["number"], f)
        ws.write_string(row, c + 2, r["obs_status"] or "", f["text"])
        if r["is_total"]:
            ws.write_string(row, c + 3, "reported total", f["band"])
        row += 1
    return row


def _codebook(book, tdef: TableDef, frame: pl.DataFrame, codebook: dict, release: dict, f) -> None:
    ws = book.add_worksheet("Codebook")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 100)
    rows: list[tuple[str, str, str]] = [("Table", f"{tdef.number}. {tdef.title}", "title"),
                                        ("Unit", tdef.unit, ""), ("Release", release["release_id"], ""),
                                        ("Published", release["published_at"], ""), ("", "", "")]
    rows.append(("Indicators of the strategy", "", "head"))
    for code in tdef.indicators:
        ind = codebook["indicators"].get(code)
        rows.append((code, f"{ind['indicator_text']} (unit: {ind['unit']})" if ind else "not in the registry", ""))
    rows += [("", "", ""), ("Observation status", "SDMX CL_OBS_STATUS", "head")]
    rows += [(code, text, "") for code, text in OBS_STATUS.items()]
    rows += [("", "", ""), ("Sources and licences", "", "head")]
    used = set(frame["snapshot_id"].drop_nulls().to_list()) if frame.height else set()
    used = {s for v in used for s in re.split(r"[,\s]+", v) if s}
    for snap in codebook["snapshots"]:
        if snap["snapshot_id"] in used:
            rows.append((snap["snapshot_name"], f"{snap['title'] or ''} | sha256 {snap['sha256']} | "
                                                f"licence: {snap['licence'] or 'not stated'}", ""))
    if frame.height and frame["is_illustrative"].any():
        rows += [("", "", ""), ("Illustrative", ILLUSTRATIVE_NOTE, "warn")]
    for r, (a, b, kind) in enumerate(rows):
        fmt = f["title"] if kind == "title" else f["band"] if kind == "head" else f["warn"] if kind == "warn" else f["text"]
        ws.write_string(r, 0, a, fmt)
        ws.write_string(r, 1, b, fmt)


def _changes(book, changes: pl.DataFrame, release: dict, compared: str | None, f) -> None:
    ws = book.add_worksheet("Changes")
    counts = dict(changes.group_by("change").len().iter_rows()) if changes.height else {}
    ws.write_string(0, 0, f"Changes in release {release['release_id']} since release {compared or '(not named)'}: "
                          + (", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "none")
                          + ". Changed cells are highlighted in the table.", f["title"])
    headers = [CHANGE_HEADERS.get(h) or (h[4:].replace("_", " ").capitalize() + " before" if h.startswith("old_")
               else h[4:].replace("_", " ").capitalize() + " now" if h.startswith("new_") else h) for h in changes.columns]
    for c, h in enumerate(headers):
        ws.write_string(2, c, h, f["head_left"])
    ws.set_column(0, len(headers), 16)
    for r, values in enumerate(changes.iter_rows(), start=3):
        for c, v in enumerate(values):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                ws.write_number(r, c, v)
            else:
                ws.write_string(r, c, "" if v is None else str(v))
    ws.freeze_panes(3, 0)
