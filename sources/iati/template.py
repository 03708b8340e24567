"""The submission template: programme managers report the annex's counts (people trained, tools
produced, agreements signed …) in an Excel workbook generated from the registry, one sheet per
result area, with drop-down lists; filled templates are ingested with strict validation.
"""
from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import polars as pl
import xlsxwriter

from ..errors import SourceError
from ..excel import read_sheet_as_text, sheet_names
from ..geography import countries, resolve
from ..parsing import REJECT_SCHEMA, FrameResult, looks_like_formula

COLUMNS = ["Country", "Indicator code", "Year", "Value", "Activity identifier", "Comment"]
FIRST_YEAR = 2008
INSTRUCTIONS = [
    "How to fill this template",
    "",
    "One sheet per result area of the strategy. One row per country, indicator and year.",
    "Country: choose from the list (or type the ISO3 code). Indicator code: choose from the list; it must belong to the sheet's result area.",
    "Year: the calendar year the output was delivered. Value: a number, 0 or more (no text, no ranges).",
    "Activity identifier: the IATI identifier or project number that delivered the output, when there is one.",
    "Rows with an error are rejected with their reason; the other rows of the file still load.",
    "Drop the filled file into the landing folder (var/landing/templates/) or pass it to `unodc-indicators inspect project_outputs FILE`.",
]


_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(area: dict) -> str:
    name = area["code"] + " " + _SHEET_UNSAFE.sub(" ", area["name"])
    return name[:31].strip()


def write_template(path: Path, registry: dict) -> Path:
    """Generate the template from the registry: reproducible, no formulas, drop-downs from a list sheet."""
    member_names = sorted(countries().filter(pl.col("entity_kind") == "member_state")["name"].to_list())
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    book.set_properties({"title": "unodc-indicators submission template", "created": None})
    bold = book.add_format({"bold": True})
    wrap = book.add_format({"text_wrap": True})
    info = book.add_worksheet("Instructions")
    info.set_column(0, 0, 120, wrap)
    for i, line in enumerate(INSTRUCTIONS):
        info.write_string(i, 0, line, bold if i == 0 else None)
    lists = book.add_worksheet("Lists")
    lists.write_string(0, 0, "Country")
    for i, name in enumerate(member_names, start=1):
        lists.write_string(i, 0, name)
    years = list(range(FIRST_YEAR, date.today().year + 1))
    lists.write_string(0, 1, "Year")
    for i, year in enumerate(years, start=1):
        lists.write_number(i, 1, year)
    indicators = [i for i in registry["indicators"] if i["line_kind"] == "indicator"]
    results = {r["code"]: r for r in registry["results"]}
    column = 2
    for area in registry["areas"]:
        codes = [i for i in indicators if results[i["result"]]["area"] == area["code"]]
        lists.write_string(0, column, area["code"])
        for i, ind in enumerate(codes, start=1):
            lists.write_string(i, column, ind["code"])
        ws = book.add_worksheet(_sheet_name(area))
        ws.write_string(0, 0, f"{area['name']}: report one row per country, indicator and year.", bold)
        for c, name in enumerate(COLUMNS):
            ws.write_string(1, c, name, bold)
        ws.freeze_panes(2, 0)
        ws.set_column(0, 0, 32)
        ws.set_column(1, 1, 16)
        ws.set_column(5, 5, 60)
        last = 1001
        ws.data_validation(2, 0, last, 0, {"validate": "list", "source": f"=Lists!$A$2:$A${len(member_names) + 1}"})
        col_letter = xlsxwriter.utility.xl_col_to_name(column)
        ws.data_validation(2, 1, last, 1, {"validate": "list", "source": f"=Lists!${col_letter}$2:${col_letter}${len(codes) + 1}"})
        ws.data_validation(2, 2, last, 2, {"validate": "list", "source": f"=Lists!$B$2:$B${len(years) + 1}"})
        ws.data_validation(2, 3, last, 3, {"validate": "decimal", "criteria": ">=", "value": 0})
        # The indicator wording beside the list, for the reporter.
        for i, ind in enumerate(codes):
            ws.write_string(i + 1, 8, ind["code"])
            ws.write_string(i + 1, 9, ind["text"])
        ws.write_string(0, 8, "Indicators of this result area", bold)
        column += 1
    lists.hide()
    book.close()
    return path


def parse_template(data: bytes, *, filename: str, registry: dict) -> FrameResult:
    names = sheet_names(data, filename)
    results = {r["code"]: r for r in registry["results"]}
    area_of = {i["code"]: results[i["result"]]["area"] for i in registry["indicators"] if i["line_kind"] == "indicator"}
    areas = {a["code"] for a in registry["areas"]}
    records, rejects, rows_in = [], [], 0
    first_row: dict[tuple, tuple[str, int]] = {}
    this_year = date.today().year
    area_sheets = [n for n in names if n[:3] in areas and (len(n) == 3 or n[3] == " ")]
    if not area_sheets:
        raise SourceError("no result-area sheet (named like 'RAT Ratification …'): not a submission template",
                          file=filename)
    for sheet in area_sheets:
        area = sheet[:3]
        _, frame = read_sheet_as_text(data, filename, sheet)
        excel_rows = frame["excel_row"].to_list()
        rows = [list(r) for r in frame.drop("excel_row").iter_rows()]
        header_at = next((i for i, r in enumerate(rows[:5]) if [str(c or "").strip() for c in r[:4]] == COLUMNS[:4]), None)
        if header_at is None:
            raise SourceError(f"no header row {COLUMNS[:4]} in the first rows", file=filename, sheet=sheet)
        for i in range(header_at + 1, len(rows)):
            cells = [(str(c).strip() if c is not None else "") for c in rows[i][:6]] + [""] * 6
            country, code, year_text, value_text, activity, comment = cells[:6]
            if not any((country, code, year_text, value_text)):
                continue
            rows_in += 1
            row = excel_rows[i]

            def reject(column: str, value: str, reason: str) -> None:
                rejects.append({"file": filename, "sheet": sheet, "row": row, "column": column, "value": value,
                                "reason": reason})

            formula = next((name for name, text in (("Country", country), ("Activity identifier", activity))
                            if looks_like_formula(text)), None)
            if formula:
                reject(formula, country if formula == "Country" else activity, "looks like a spreadsheet formula")
                continue
            key = (country, code, year_text, value_text, activity)
            if key in first_row:
                reject("Country", country, f"duplicate of row {first_row[key][1]} on sheet {first_row[key][0]!r}: "
                       "the same output reported twice would be counted twice")
                continue
            first_row[key] = (sheet, row)
            iso3 = country.upper() if re.fullmatch(r"[A-Za-z]{3}", country) and resolve(country)[0] is None \
                and country.upper() in set(countries()["iso3"]) else resolve(country)[0]
            if not iso3:
                reject("Country", country, f"unknown country: {country!r}")
                continue
            if code not in area_of:
                reject("Indicator code", code, f"unknown indicator code: {code!r}")
                continue
            if area_of[code] != area:
                reject("Indicator code", code, f"indicator {code} belongs to result area {area_of[code]}, not {area}")
                continue
            if not re.fullmatch(r"\d{4}(\.0+)?", year_text) or not FIRST_YEAR <= int(float(year_text)) <= this_year:
                reject("Year", year_text, f"year must be a whole year from {FIRST_YEAR} to {this_year}")
                continue
            try:
                value = float(value_text.replace(",", ""))
            except ValueError:
                value = math.nan
            if not math.isfinite(value):
                # float() reads 'nan', 'inf' and 1e309 too: none is a count.
                reject("Value", value_text, "value is not a number")
                continue
            if value < 0:
                reject("Value", value_text, "a count cannot be negative")
                continue
            records.append({"sheet": sheet, "source_row": row, "area_code": area, "country_iso3": iso3,
                            "indicator_code": code, "year": int(float(year_text)), "value": value,
                            "value_text": value_text, "activity_id": activity or None, "comment": comment or None})
    accepted = pl.DataFrame(records, schema={
        "sheet": pl.Utf8, "source_row": pl.Int64, "area_code": pl.Utf8, "country_iso3": pl.Utf8,
        "indicator_code": pl.Utf8, "year": pl.Int64, "value": pl.Float64, "value_text": pl.Utf8,
        "activity_id": pl.Utf8, "comment": pl.Utf8})
    result = FrameResult(file=filename, rows_in=rows_in, accepted=accepted,
                         rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA), header=COLUMNS)
    result.facts.update(sheets=area_sheets, areas=sorted({r["area_code"] for r in records}))
    return result
