"""What every table of the family reads the same way: a figure, a survey year, a country name."""
from __future__ import annotations

import csv
import math
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from ..geography import resolve
from ..parsing import looks_like_formula

AREAS_FILE = Path(__file__).resolve().parent / "areas.csv"
MIN_YEAR = 1950
# The markers the WDR tables print where no figure is published.
NOT_AVAILABLE = {"-", "..", "…", "n.a.", "na"}
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
# '2016', '2010-11', '2013-2015', '2006/07': a survey's year or span of years.
_YEAR = re.compile(r"^((?:19|20)\d{2})(?:\.0+)?(?:\s*[-/–]\s*(\d{2}|\d{4}))?$")


class Bad(ValueError):
    """A cell that makes its row unusable: the reason is the reject's, the column the header's name
    of the cell (set by the table reader where the cell was read), the value the cell's text."""

    def __init__(self, reason: str, column: str | None = None, value: str | None = None, row: int | None = None):
        super().__init__(reason)
        self.reason, self.column, self.value, self.row = reason, column, value, row


def text(cell) -> str | None:
    value = re.sub(r"\s+", " ", str(cell)).strip() if cell is not None else ""
    return value or None


def is_missing(cell) -> bool:
    value = text(cell)
    return value is None or value.lower() in NOT_AVAILABLE


def number(cell, what: str) -> float | None:
    """A figure as published -> its number; None where the table publishes none."""
    if is_missing(cell):
        return None
    value = text(cell)
    if not _NUMBER.match(value):
        raise Bad(f"{what} is not a number: {value}")
    result = float(value)
    if not math.isfinite(result):
        raise Bad(f"{what} is not a finite number: {value}")
    if result < 0:
        raise Bad(f"{what} is negative: {value}")
    return result


def survey_years(cell) -> tuple[int, int]:
    """A survey year as published -> (first year, last year); an impossible one is refused with why."""
    value = text(cell)
    if value is None:
        raise Bad("no survey year")
    m = _YEAR.match(value)
    if not m:
        raise Bad(f"impossible survey year: {value} (a year, or a span such as 2010-11, expected)")
    first = int(m.group(1))
    last = first
    if m.group(2):
        end = m.group(2)
        last = int(end) if len(end) == 4 else first - first % 100 + int(end)
        if last < first:
            last += 100
    this_year = date.today().year
    if first < MIN_YEAR or last > this_year:
        raise Bad(f"impossible survey year: {value} (before {MIN_YEAR} or after {this_year})")
    if last - first > 5:
        raise Bad(f"impossible survey year: {value} (a span of more than five years)")
    return first, last


@lru_cache(maxsize=1)
def reviewed_areas() -> dict[str, dict]:
    """Names of the tables that are not a country (a part of one, an all-island survey), reviewed."""
    with open(AREAS_FILE, newline="", encoding="utf-8") as fh:
        return {r["name"]: {k: (v or None) for k, v in r.items()} for r in csv.DictReader(fh)}


def place(cell) -> tuple[str, str | None, str | None]:
    """A country name as the table prints it -> (area_kind, country_iso3, parent_iso3).

    A part of a country is never its country: the reviewed list (areas.csv) is read before any
    name matching, which would take 'United Kingdom (Scotland)' for the United Kingdom."""
    name = text(cell)
    if name is None:
        raise Bad("no country or territory")
    if looks_like_formula(name):
        raise Bad(f"country name reads as a spreadsheet formula: {name}")
    if (area := reviewed_areas().get(name)) is not None:
        return area["area_kind"], area["iso3"], area["parent_iso3"]
    iso3, _ = resolve(name)
    if iso3 is None:
        raise Bad(f"unknown country or territory: {name} (not in the geography tables nor sources/drug_use/areas.csv)")
    return "country", iso3, None


def label(cell, what: str) -> str | None:
    """A text label kept as published (spaces tidied); one that reads as a formula is refused."""
    value = text(cell)
    if value is not None and looks_like_formula(value):
        raise Bad(f"{what} reads as a spreadsheet formula: {value}")
    return value
