"""Prevalence of drug use: national surveys (WDR table 1.2, one sheet per drug) and UNODC's
regional and global estimates (table 1.1).

Table 1.2: Best, Low and High are percentages of the population of the age range the row states
(as published: 15-64, 12+, 16-59); Male and Female are best estimates by sex, where given; a
country has a row per survey year (a span such as 2010-11 is kept, its first year is the year).
The drug is the sheet's title (its first line: "CANNABIS", "OPIATES"), never the sheet's name.
The Tranquillizers sheet calls its estimate Total; the NPS sheet gives lifetime, past-year and
past-month prevalence for each substance.

Table 1.1: blocks of drugs side by side under a two-level header (drug; number of users and
prevalence; best, lower, upper). The numbers of users are stored in persons under a header that
says thousands: the cell format shows thousands, the cells hold persons (Africa's cannabis users,
49,200,000, show as 49,200), and persons is the unit kept.
"""
from __future__ import annotations

import re

from .cells import Bad, is_missing, label, number, place, survey_years, text
from .layouts import plain
from .table import Sheet, read_rows

# UNODC's regions in table 1.1 (its subregions follow each); its regions are not M49's (Türkiye
# is in Europe there, in Western Asia in M49), so they are kept by name.
REGIONS = ("africa", "americas", "asia", "europe", "oceania")
_GLOBAL = re.compile(r"\b(global|world)\b", re.I)
_TITLE_YEAR = re.compile(r"\b((?:19|20)\d{2})\s*$")


def drug_of_title(title: str | None) -> str | None:
    """'CANNABIS' -> 'Cannabis'; 'OPIATES \\n(also includes …)' -> 'Opiates'; the first line of
    the sheet's title, without what it includes, in sentence case."""
    if not title:
        return None
    first = re.split(r"\n|\(", str(title).strip(), maxsplit=1)[0].strip()
    if not first:
        return None
    lowered = first.lower()
    at = next((i for i, ch in enumerate(lowered) if ch.isalpha()), 0)
    return lowered[:at] + lowered[at].upper() + lowered[at + 1:]


def _value(row: list, col: int | None, what: str) -> float | None:
    if col is None or col >= len(row):
        return None
    try:
        return number(row[col], what)
    except Bad as bad:
        raise Bad(bad.reason, what, text(row[col])) from None


def _percent(row, col, what) -> float | None:
    value = _value(row, col, what)
    if value is not None and value > 100:
        raise Bad(f"{what} above 100 percent: {text(row[col])}", what, text(row[col]))
    return value


def national(sheet: Sheet, drug: str | None, title: str | None) -> None:
    """Table 1.2, the layout of one drug: Best (or Total), Low, High, Male, Female by survey."""
    col = {name: sheet.column(name) for name in (
        "region", "sub-region", "country/territory", "best", "total", "low", "high", "male", "female", "year",
        "age", "source", "method", "adjustment/ notes", "specific notes")}
    best_col = col["best"] if col["best"] is not None else col["total"]
    best_name = "Best" if col["best"] is not None else "Total"
    if drug is None:
        raise Bad("no title above the header names the drug", None)

    def read(row, carried, excel_row):
        kind, iso3, parent = _where(row, col["country/territory"])
        first, last = _years(row, col["year"])
        figures = {"Total": (_percent(row, best_col, best_name), _percent(row, col["low"], "Low"),
                             _percent(row, col["high"], "High")),
                   "Male": (_percent(row, col["male"], "Male"), None, None),
                   "Female": (_percent(row, col["female"], "Female"), None, None)}
        low, high = figures["Total"][1], figures["Total"][2]
        if low is not None and high is not None and low > high:
            raise Bad(f"Low ({low}) above High ({high})", "Low", text(row[col["low"]]))
        base = {
            "source_row": excel_row, "sheet": sheet.name, "table_title": title, "drug": drug, "substance_group": None, "substance": None,
            "recall_period": "past year", "region": carried.get("region"), "subregion": carried.get("subregion"),
            "country_name": text(row[col["country/territory"]]), "area_kind": kind, "country_iso3": iso3,
            "parent_iso3": parent, "year": first, "year_end": last, "year_text": text(row[col["year"]]),
            "age": _cell(row, col["age"], "Age"), "source": _cell(row, col["source"], "Source"),
            "method": _cell(row, col["method"], "Method"),
            "adjustment_notes": _cell(row, col["adjustment/ notes"], "Adjustment/notes"),
            "specific_notes": _cell(row, col["specific notes"], "Specific notes"),
        }
        return [{**base, "sex": sex, "best": b, "low": lo, "high": hi,
                 "best_text": text(row[best_col if sex == "Total" else col[sex.lower()]])}
                for sex, (b, lo, hi) in figures.items() if b is not None]

    keep = {col["country/territory"]}
    read_rows(sheet, sheet.header_idx + 1, {"region": col["region"], "subregion": col["sub-region"]}, keep, read)


def nps(sheet: Sheet, title: str | None) -> None:
    """Table 1.2, NPS: per substance, lifetime, past-year and past-month prevalence, each by sex,
    under a second header row (Total, Male, Female)."""
    header = sheet.rows[sheet.header_idx]
    below = sheet.rows[sheet.header_idx + 1] if sheet.header_idx + 1 < len(sheet.rows) else []
    periods: dict[int, tuple[str, str]] = {}
    current = None
    for i, cell in enumerate(header):
        if plain(cell) in ("lifetime", "past year", "past month"):
            current = plain(cell)
        elif text(cell):
            current = None
        sex = plain(below[i]) if i < len(below) else ""
        if current and sex in ("total", "male", "female"):
            periods[i] = (current, sex.capitalize())
    if not periods:
        raise Bad("the row under the NPS header names no Total, Male or Female under Lifetime, Past year or "
                  "Past Month", "Lifetime")
    drug = drug_of_title(title) or "New psychoactive substances"
    col = {name: sheet.column(name) for name in (
        "nps type", "region", "sub-region", "country/territory", "substance", "year", "age", "source")}

    def read(row, carried, excel_row):
        kind, iso3, parent = _where(row, col["country/territory"])
        first, last = _years(row, col["year"])
        substance = _cell(row, col["substance"], "Substance")
        out = []
        for i, (period, sex) in periods.items():
            value = _percent(row, i, f"{period} {sex}")
            if value is None:
                continue
            out.append({
                "source_row": excel_row, "sheet": sheet.name, "table_title": title,
                "drug": drug, "substance_group": carried.get("nps_type"), "substance": substance,
                "recall_period": period, "region": carried.get("region"), "subregion": carried.get("subregion"),
                "country_name": text(row[col["country/territory"]]), "area_kind": kind, "country_iso3": iso3,
                "parent_iso3": parent, "year": first, "year_end": last, "year_text": text(row[col["year"]]),
                "age": _cell(row, col["age"], "Age"), "source": _cell(row, col["source"], "Source"),
                "method": None, "adjustment_notes": None, "specific_notes": None,
                "sex": sex, "best": value, "low": None, "high": None, "best_text": text(row[i])})
        return out

    keep = {col["country/territory"]}
    read_rows(sheet, sheet.header_idx + 2,
              {"nps_type": col["nps type"], "region": col["region"], "subregion": col["sub-region"]}, keep, read)


def regional(sheet: Sheet, title: str | None) -> None:
    """Table 1.1: every block of drugs under its own header (the first column 'Region or
    subregion'); per region and drug, the number of users and the prevalence, best, lower, upper."""
    year = None
    if title and (m := _TITLE_YEAR.search(str(title).strip())):
        year = int(m.group(1))
    if year is None:
        raise Bad("the title does not end with the year of the estimates (as 'by region and globally, 2020')",
                  None, text(title))
    starts = [i for i, r in enumerate(sheet.rows) if r and plain(r[0]) == "region or subregion"]
    letters = {m.group(1) for r in sheet.rows for m in [re.match(r"^([a-z])\s+\S", text(r[0]) or "")] if m}
    region = None
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(sheet.rows)
        columns = _regional_columns(sheet, start, letters)

        def read(row, carried, excel_row, columns=columns):
            nonlocal region
            name = label(row[0], "Region or subregion")
            if name is None:
                raise Bad("no region or subregion", "Region or subregion")
            level = "global" if _GLOBAL.search(name) else "region" if name.lower() in REGIONS else "subregion"
            if level == "region":
                region = name
            out = []
            for i, (drug, drug_text, measure) in columns.items():
                try:
                    best = number(row[i], "Best estimate")
                    low = number(row[i + 1], "Lower")
                    high = number(row[i + 2], "Upper")
                except Bad as bad:
                    raise Bad(bad.reason, f"{drug_text} {measure}", None) from None
                if best is None and low is None and high is None:
                    continue
                if measure == "prevalence" and best is not None and best > 100:
                    raise Bad(f"prevalence above 100 percent: {best}", f"{drug_text} {measure}", text(row[i]))
                out.append({"source_row": excel_row, "sheet": sheet.name, "table_title": title, "year": year,
                            "region_name": name, "region_level": level,
                            "region": None if level == "global" else (name if level == "region" else region),
                            "drug": drug, "drug_text": drug_text, "measure": measure,
                            "unit": "persons" if measure == "users" else "percent",
                            "best": best, "low": low, "high": high})
            return out

        sub = Sheet(sheet.file, sheet.name, sheet.rows[:end], sheet.excel_rows[:end], start)
        # A one-cell row of a block is a footnote or source line: a region's row has its figures or '-'.
        read_rows(sub, start + 3, {}, set(), read)
        sheet.records += sub.records
        sheet.rejects += sub.rejects
        sheet.rows_in += sub.rows_in
        sheet.not_available += sub.not_available
        sheet.notes += sub.notes


def _regional_columns(sheet: Sheet, start: int, letters: set[str]) -> dict[int, tuple[str, str, str]]:
    """Column of each (drug, measure)'s best estimate, from the three header rows of a block."""
    if start + 2 >= len(sheet.rows):
        raise Bad("the regional header has no rows of measures and estimates under it", None,
                  row=sheet.excel_rows[start])
    drugs, measures, estimates = sheet.rows[start], sheet.rows[start + 1], sheet.rows[start + 2]
    out = {}
    drug = drug_text = None
    measure = None
    for i in range(1, len(drugs)):
        if text(drugs[i]):
            drug_text = text(drugs[i])
            drug = _strip_letters(drug_text, letters)
        if i < len(measures) and text(measures[i]):
            m = plain(measures[i])
            measure = "users" if m.startswith("number") else "prevalence" if m.startswith("prevalence") else None
        if plain(estimates[i] if i < len(estimates) else None) == "best estimate" and drug and measure:
            if plain(estimates[i + 1] if i + 1 < len(estimates) else None) != "lower" or \
               plain(estimates[i + 2] if i + 2 < len(estimates) else None) != "upper":
                raise Bad("a Best estimate column is not followed by Lower and Upper", drug_text,
                          text(estimates[i]), row=sheet.excel_rows[start + 2])
            out[i] = (drug, drug_text, measure)
    if not out:
        raise Bad("the regional header names no drug with Best estimate, Lower and Upper under Number or Prevalence",
                  "Best estimate", row=sheet.excel_rows[start + 2])
    return out


def _strip_letters(name: str, letters: set[str]) -> str:
    """'Cocainea' -> 'Cocaine', 'Amphetaminesb and prescription stimulants' -> 'Amphetamines and
    prescription stimulants': a footnote letter the sheet's notes define, glued to a word's end."""
    words = []
    for word in name.split(" "):
        if len(word) > 3 and word[-1] in letters and word[-2].islower():
            word = word[:-1]
        words.append(word)
    return " ".join(words)


def _where(row, col):
    try:
        return place(row[col] if col is not None and col < len(row) else None)
    except Bad as bad:
        raise Bad(bad.reason, "Country/Territory", text(row[col]) if col is not None and col < len(row) else None) from None


def _years(row, col):
    try:
        return survey_years(row[col] if col is not None and col < len(row) else None)
    except Bad as bad:
        raise Bad(bad.reason, "Year", text(row[col]) if col is not None and col < len(row) else None) from None


def _cell(row, col, what):
    if col is None or col >= len(row):
        return None
    try:
        return label(row[col], what)
    except Bad as bad:
        raise Bad(bad.reason, what, text(row[col])) from None
