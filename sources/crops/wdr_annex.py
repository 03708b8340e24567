"""The wide tables of the WDR statistical annex (6.1.x coca, 6.2.x opium): cultivation,
eradication, manufacture and production.

Traps of the real workbooks: the title (with the unit in parentheses) and the year header sit at
rows that move; year headers are Excel date serials for some years and numbers for others; a
blank header column holds a footnote letter; footnote letters are glued to labels ("Peru b"),
and the same country can have two series (Peru b and Peru c); ".." is missing; best estimate,
minimum and maximum rows belong together; some labels are printed once for a block of rows
(country, method, unit in the eradication table); "Sources:", "Note:" and "a) …" lines follow.
"""
from __future__ import annotations

import json
import math
import re
from datetime import date, datetime, timedelta

import polars as pl

from ..errors import SourceError
from ..excel import read_sheet_as_text, sheet_layout, sheet_names
from ..geography import resolve
from ..parsing import REJECT_SCHEMA, FrameResult

_FOOTNOTE_SUFFIX = re.compile(r"\s+([a-z](?:\s*,\s*[a-z])*)$")
_FOOTNOTE_LINE = re.compile(r"^([a-z])\)\s*(.+)$", re.S)
_UNIT = re.compile(r"\(([^()]+)\)\s*$")
_ESTIMATE = re.compile(r"\((best estimate)\)|^(minimum|maximum)$|\b(best estimate|minimum|maximum)\b", re.I)
_TOTAL = re.compile(r"^(sub-?total|total)\b", re.I)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_METHODS = {"manual", "spraying", "aerial spraying", "manual eradication"}


def header_year(cell: str | None) -> int | None:
    """2014, '2014', an Excel serial such as 39817, or the datetime text of a date-formatted cell."""
    text = (cell or "").strip()
    if re.fullmatch(r"(19|20)\d{2}(\.0+)?", text):
        return int(float(text))
    if m := re.fullmatch(r"((?:19|20)\d{2})-\d{2}-\d{2}(?:[ T][\d:.]+)?", text):
        return int(m.group(1))
    if re.fullmatch(r"\d{5}(\.0+)?", text):
        return (datetime(1899, 12, 30) + timedelta(days=int(float(text)))).year
    return None


def split_label(text: str | None) -> tuple[str, list[str]]:
    """'  Colombia a' -> ('Colombia', ['a']); 'Total b,c,d' -> ('Total', ['b', 'c', 'd'])."""
    label = re.sub(r"\s+", " ", (text or "").replace("\xa0", " ")).strip()
    m = _FOOTNOTE_SUFFIX.search(label)
    if m and len(label) > len(m.group(0)) + 1:
        letters = [x.strip() for x in m.group(1).split(",")]
        return label[: m.start()].strip(), letters
    return label, []


def _year_header(rows: list[list]) -> int | None:
    return next((i for i, r in enumerate(rows[:40]) if sum(header_year(c) is not None for c in r) >= 3), None)


def _label_column(body: list[list], first_year: int, named: dict[int, str], filename: str, sheet: str,
                  header_row: int) -> int:
    """The column left of the years that holds the most country or total labels; a table whose
    labels are nowhere is refused, naming its header row and the column a reader would take."""
    counts = {}
    for col in range(first_year):
        labels = [split_label(_ESTIMATE.sub("", str(r[col])))[0] for r in body if col < len(r) and r[col] not in (None, "")]
        # Source, note and footnote lines below the table name countries in passing: not labels.
        labels = [t for t in labels if not (t.lower().startswith(("source", "note")) or _FOOTNOTE_LINE.match(t))]
        counts[col] = sum(1 for text in labels if _TOTAL.match(text) or resolve(text)[0] is not None)
    best = max(counts, key=lambda c: (counts[c], -c))
    if counts[best] == 0:
        first = min(named)
        raise SourceError(f"no column left of the years holds country names (the first named column, "
                          f"{named[first]!r}, does not): the labels are missing or under another header",
                          file=filename, sheet=sheet, row=header_row, column=named[first])
    return best


def _table_sheet(data: bytes, filename: str) -> tuple[str, pl.DataFrame, int]:
    """The first sheet with a year header: a contents or notes sheet may come first."""
    names = sheet_names(data, filename)
    for name in names:
        sheet, raw = read_sheet_as_text(data, filename, name)
        header_idx = _year_header([list(r) for r in raw.drop("excel_row").iter_rows()])
        if header_idx is not None:
            return sheet, raw, header_idx
    raise SourceError("no header row of years in the first 40 rows: not a WDR annex table",
                      file=filename, sheet=names[0])


def parse_wdr_annex(data: bytes, *, filename: str, edition: str | None = None) -> FrameResult:
    sheet, raw, header_idx = _table_sheet(data, filename)
    excel_rows = raw["excel_row"].to_list()
    rows = [list(r) for r in raw.drop("excel_row").iter_rows()]
    cells = lambda r: [c for c in r if c not in (None, "")]  # noqa: E731
    title = next((c for r in rows[:header_idx] for c in cells(r)), None)
    if not title:
        raise SourceError("no title above the year header", file=filename, sheet=sheet)
    unit_match = _UNIT.search(title)
    unit = unit_match.group(1).strip() if unit_match else None
    header = rows[header_idx]
    first_year = next(i for i, c in enumerate(header) if header_year(c) is not None)
    named = {i: str(c).strip() for i, c in enumerate(header[:first_year]) if c not in (None, "")}
    if named:
        # A long layout (Country | Method | Unit | years …): the country column carries the label,
        # the others are attributes printed once per block.
        label_col = next((i for i, n in named.items() if "country" in n.lower()), None)
        if label_col is None:
            # The label column's header may be blank beside named ones (issue 20, defect 8): the
            # labels are where the country names are, never simply the first named column.
            label_col = _label_column(rows[header_idx + 1:], first_year, named, filename, sheet,
                                      excel_rows[header_idx])
        attribute_cols = {i: n for i, n in named.items() if i != label_col}
    else:
        label_col = first_year - 1
        attribute_cols = {}
    if label_col < 0:
        raise SourceError("the year header leaves no column for labels", file=filename, sheet=sheet,
                          row=excel_rows[header_idx])
    year_cols = {i: header_year(c) for i, c in enumerate(header) if header_year(c) is not None}
    this_year = date.today().year
    for i, year in year_cols.items():
        if year > this_year:
            raise SourceError(f"year header {year} is in the future: not a table of surveys made", file=filename,
                              sheet=sheet, row=excel_rows[header_idx], column=str(header[i]))
    note_cols = [i for i in range(label_col + 1, len(header)) if i not in year_cols and i not in attribute_cols]
    trailing = {i: str(header[i]).strip() for i in note_cols if header[i] not in (None, "")}

    footnotes: dict[str, str] = {}
    sources: list[str] = []
    notes: list[str] = []
    records, rejects, missing_cells, not_available = [], [], 0, 0
    first_row: dict[tuple, int] = {}
    rows_in = 0
    band = country = series_letters = None
    block: dict[str, str | None] = {}
    in_tail = False
    # Where each text stands in the workbook, as written (indentation and all): the annex export
    # reproduces the table from these, with the values from the warehouse.
    placed = sheet_layout(data, sheet)
    col0 = placed["first_column"]
    title_at = next(((excel_rows[i], col0 + j) for i, r in enumerate(rows[:header_idx]) for j, c in enumerate(r)
                     if c not in (None, "")), None)
    label_texts, tail_texts, markers = [], [], []
    for i in range(header_idx + 1, len(rows)):
        row = rows[i]
        excel_row = excel_rows[i]
        label_cell = row[label_col] if label_col < len(row) else None
        texts = cells(row)
        if not texts:
            continue
        first = str(texts[0]).strip()
        first_raw = str(texts[0])
        if first.lower().startswith(("source", "note")) or _FOOTNOTE_LINE.match(first) or in_tail:
            tail_texts.append({"row": excel_row, "column": col0 + next(j for j, c in enumerate(row) if c not in (None, "")),
                               "text": first_raw})
        else:
            label_texts.append({"row": excel_row, "text": label_cell})
            markers += [{"row": excel_row, "column": col0 + c, "text": str(row[c])} for c in note_cols
                        if c < len(row) and row[c] not in (None, "")]
        if first.lower().startswith("source"):
            in_tail = True
            sources.append(first)
            continue
        if first.lower().startswith("note"):
            in_tail = True
            notes.append(first)
            continue
        if m := _FOOTNOTE_LINE.match(first):
            in_tail = True
            footnotes[m.group(1)] = m.group(2).strip()
            continue
        if in_tail:
            notes.append(first)
            continue
        values = {year: row[c] for c, year in year_cols.items() if c < len(row)}
        has_values = any(v not in (None, "") for v in values.values())
        raw_label = re.sub(r"\s+", " ", (label_cell or "").replace("\xa0", " ")).strip()
        estimate_m = _ESTIMATE.search(raw_label)
        estimate = (next(g for g in estimate_m.groups() if g) if estimate_m else "best estimate").lower()
        # "Myanmar a (best estimate)": the estimate marker goes first, then the footnote letters.
        label, letters = split_label(re.sub(r"\s*\(\s*\)\s*$", "", _ESTIMATE.sub("", raw_label)).strip())
        letters += [str(row[c]).strip() for c in note_cols if c < len(row) and row[c] not in (None, "")
                    and re.fullmatch(r"[a-z](,[a-z])*", str(row[c]).strip())]
        # Attributes the layout prints once for a block (method, unit) carry over to the next rows;
        # a new country starts a new block.
        if label_cell not in (None, "") and attribute_cols:
            block = {}
        for c, name_ in attribute_cols.items():
            if c < len(row) and row[c] not in (None, ""):
                block[name_] = split_label(row[c])[0]
        row_notes = {n: str(row[c]).strip() for c, n in trailing.items() if c < len(row) and row[c] not in (None, "")}
        if not has_values:
            if label and label.upper() == label and len(label) > 3:
                band = label.title()
            elif label:
                country, series_letters = label, letters
            continue
        rows_in += 1
        bare = label
        if bare and not _TOTAL.match(bare):
            country, series_letters = bare, letters
        elif not bare:
            letters = series_letters or []
        is_total = bool(_TOTAL.match(bare or ""))
        name = bare if is_total else country
        key = (band, name, ",".join(letters), estimate, json.dumps(block, sort_keys=True))
        if key in first_row:
            # The same country, series and estimate twice would be counted twice in every total.
            rejects.append({"file": filename, "sheet": sheet, "row": excel_row, "column": header[label_col] or "label",
                            "value": label_cell, "reason": f"duplicate of row {first_row[key]}: {name!r}"})
            continue
        first_row[key] = excel_row
        iso3 = None if is_total else resolve(name or "")[0]
        if not is_total and iso3 is None:
            rejects.append({"file": filename, "sheet": sheet, "row": excel_row, "column": header[label_col] or "label",
                            "value": label_cell, "reason": f"label maps to no country: {name!r}"})
            continue
        row_bad = False
        parsed = []
        for year, cell in values.items():
            text = (cell or "").strip()
            if text in ("", ".."):
                missing_cells += text == ".."
                continue
            if not _NUMBER.match(text.replace(",", "")):
                rejects.append({"file": filename, "sheet": sheet, "row": excel_row, "column": str(year),
                                "value": text, "reason": f"not a number: {text!r}"})
                row_bad = True
                continue
            number = float(text.replace(",", ""))
            if not math.isfinite(number):
                rejects.append({"file": filename, "sheet": sheet, "row": excel_row, "column": str(year),
                                "value": text, "reason": f"too large to be a finite number: {text[:40]!r}"})
                row_bad = True
                continue
            if number < 0:
                rejects.append({"file": filename, "sheet": sheet, "row": excel_row, "column": str(year),
                                "value": text, "reason": f"negative figure: {text!r}"})
                row_bad = True
                continue
            parsed.append((year, number, text))
        if row_bad:
            continue
        if not parsed:
            # Every figure of the row is `..`: not available, which is not zero and not an error.
            not_available += 1
            continue
        for year, value, text in parsed:
            records.append({
                "source_row": excel_row, "band": band, "label": (label_cell or "").strip(), "name": name,
                "country_iso3": iso3, "is_total": is_total, "series": ",".join(letters) or None,
                "estimate": estimate,
                "block": json.dumps({**block, **row_notes}, sort_keys=True) if (block or row_notes) else None,
                "year": year, "value": value, "value_text": text,
            })
    if rows_in == 0:
        # An edition without figures would stand as the newest edition of the table.
        raise SourceError("no figures under the year header", file=filename, sheet=sheet, row=excel_rows[header_idx])
    accepted = pl.DataFrame(records, schema={
        "source_row": pl.Int64, "band": pl.Utf8, "label": pl.Utf8, "name": pl.Utf8, "country_iso3": pl.Utf8,
        "is_total": pl.Boolean, "series": pl.Utf8, "estimate": pl.Utf8, "block": pl.Utf8, "year": pl.Int64,
        "value": pl.Float64, "value_text": pl.Utf8})
    rejects_frame = pl.DataFrame(rejects, schema=REJECT_SCHEMA)
    accepted = accepted.filter(~pl.col("source_row").is_in(rejects_frame["row"].implode()))
    result = FrameResult(file=filename, rows_in=rows_in, accepted=accepted, rejects=rejects_frame,
                         header=[str(c) if c is not None else "" for c in header], rows_not_available=not_available)
    result.facts.update(sheet=sheet, title=title, unit=unit, header_row=excel_rows[header_idx], edition=edition,
                        years=sorted(set(year_cols.values())), footnotes=footnotes, sources=sources, notes=notes,
                        missing_cells=missing_cells,
                        layout={"title": {"row": title_at[0], "column": title_at[1]} if title_at else None,
                                "header_row": excel_rows[header_idx], "label_column": col0 + label_col,
                                "year_columns": {str(y): col0 + c for c, y in year_cols.items()},
                                "labels": label_texts, "markers": markers, "tail": tail_texts,
                                "merged": placed["merged"], "column_widths": placed["column_widths"]},
                        serial_year_headers=[year_cols[c] for c in year_cols if re.fullmatch(r"\d{5}(\.0+)?|\d{4}-\d{2}-\d{2}.*", str(header[c]).strip())])
    result.facts["total_checks"] = check_totals(result.accepted)
    for chk in result.facts["total_checks"]:
        if not chk["agrees"]:
            result.warnings.append(f"{chk['total']} {chk['year']}: published {chk['published']:,.0f}, "
                                   f"rows sum to {chk['rows_sum']:,.0f} (difference {chk['difference']:,.0f})")
    return result


def check_totals(frame: pl.DataFrame) -> list[dict]:
    """Each total against the sum of its rows, one series per country (the first listed, as the
    annex's own total does where a country has two series in one year)."""
    best = frame.filter(pl.col("estimate") == "best estimate")
    parts = (best.filter(~pl.col("is_total"))
             .sort("source_row")
             .group_by("country_iso3", "year", "band", maintain_order=True).first())
    out = []
    for total in best.filter(pl.col("is_total")).iter_rows(named=True):
        scope = parts.filter(pl.col("year") == total["year"], pl.col("source_row") < total["source_row"])
        if total["name"].lower().startswith("sub") and total["band"]:
            scope = scope.filter(pl.col("band") == total["band"])
        rows_sum = float(scope["value"].sum())
        out.append({"total": total["name"], "band": total["band"], "year": total["year"],
                    "published": total["value"], "rows_sum": rows_sum,
                    "difference": total["value"] - rows_sum, "agrees": abs(total["value"] - rows_sum) < 0.5,
                    "source_row": total["source_row"]})
    return out
