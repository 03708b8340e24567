"""Compiled country-year crop figures (the CSV layout of the bundled coca and opium compilations).

Each figure keeps its source type (a WDR annex table or a press report of a UNODC survey) and
its edition. Only UNODC's own series are accepted: a figure from another government's estimates
(US ONDCP or INCSR, say) is a different series and is rejected, never mixed in.
"""
from __future__ import annotations

import io
import math
import re
from datetime import date

import polars as pl

from ..errors import SourceError
from ..geography import code_aliases, resolve
from ..parsing import REJECT_SCHEMA, FrameResult, csv_bytes

REQUIRED = ("iso3", "country", "crop", "year", "hectares", "source_type", "source")
CROPS = {"coca_bush", "opium_poppy", "cannabis"}
UNODC_SOURCE = re.compile(r"UNODC|World Drug Report|WDR|UNODC-supported|national illicit crop monitoring", re.I)
OTHER_GOVERNMENTS = re.compile(r"ONDCP|INCSR|United States Government|US Government|DEA\b", re.I)
TOTAL_CODES = {"_TOTAL"}


def edition_of(source_type: str, source: str, year: int) -> tuple[str, int]:
    """('WDR 2022', 2022) for an annex figure; ('UNODC survey 2019', 2019) for a press report of a survey."""
    if m := re.search(r"World Drug Report (\d{4})", source or ""):
        return f"WDR {m.group(1)}", int(m.group(1))
    if (source_type or "").lower().startswith("press"):
        return f"UNODC survey {year}", year
    return f"compiled {year}", year


def parse_compiled(data: bytes, *, filename: str) -> FrameResult:
    if not data.strip():
        raise SourceError("file is empty", file=filename)
    data = csv_bytes(data, filename)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start})", file=filename) from None
    try:
        frame = pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise SourceError(f"cannot read CSV: {str(exc).splitlines()[0]}", file=filename) from None
    doubled = next((c for c in frame.columns if re.search(r"_duplicated_\d+$", c)), None)
    if doubled:
        name = re.sub(r"_duplicated_\d+$", "", doubled)
        raise SourceError(f"column {name!r} appears twice in the header", file=filename, row=1, column=name)
    if frame.height == 0:
        raise SourceError("the file has a header but no rows", file=filename, row=1)
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise SourceError(f"required column(s) missing: {', '.join(missing)}", file=filename, row=1, column=missing[0])
    frame = frame.with_row_index("i").with_columns((pl.col("i") + 2).cast(pl.Int64).alias("source_row")).drop("i")
    records, rejects = [], []
    not_available = 0
    this_year = date.today().year
    first_row: dict[tuple, int] = {}
    for row in frame.iter_rows(named=True):
        r = row["source_row"]

        def reject(column, value, reason):
            rejects.append({"file": filename, "sheet": None, "row": r, "column": column, "value": value, "reason": reason})

        source = row.get("source") or ""
        if OTHER_GOVERNMENTS.search(source) or not UNODC_SOURCE.search(source + " " + (row.get("source_type") or "")):
            reject("source", source[:120], "not a UNODC series: other governments' estimates are a different series")
            continue
        if row["crop"] not in CROPS:
            reject("crop", row["crop"], f"unknown crop (expected one of {sorted(CROPS)})")
            continue
        year = int(row["year"]) if (row["year"] or "").isdigit() else None
        if year is None or not 1900 <= year <= this_year:
            reject("year", row["year"], f"impossible or missing year (outside 1900-{this_year})")
            continue
        key = (row["crop"], row["iso3"], year, row.get("series_label_raw"), row.get("estimate"), source)
        if key in first_row:
            reject("year", row["year"], f"duplicate of row {first_row[key]}: same crop, country, series, year and source")
            continue
        first_row[key] = r
        is_total = row["iso3"] in TOTAL_CODES
        # A code ISO 3166-1 lacks (Kosovo's KOS, XK) is read through the reviewed table.
        iso3 = None if is_total else code_aliases().get(row["iso3"], row["iso3"])
        if not is_total and resolve(row["country"] or "")[0] != iso3:
            reject("iso3", row["iso3"], f"code does not match the country name {row['country']!r}")
            continue
        values = {}
        markers = 0
        for measure, column in (("cultivation_ha", "hectares"), ("production_t", "production_t")):
            text = (row.get(column) or "").strip()
            if not text or text == "..":
                markers += text == ".."
                continue
            try:
                number = float(text.replace(",", ""))
            except ValueError:
                reject(column, text, "not a number")
                values = None
                break
            if not math.isfinite(number):
                # float() reads 'nan', 'inf' and 1e309 too: none is a figure.
                reject(column, text, "not a finite number")
                values = None
                break
            if number < 0:
                reject(column, text, "negative quantity")
                values = None
                break
            values[measure] = (number, text)
        if values is None:
            continue
        if not values and markers:
            # Only `..`: the figure is not available (not zero, not an error), and counted as such.
            not_available += 1
            continue
        if not values:
            reject("hectares", None, "no figure in the row")
            continue
        edition, edition_year = edition_of(row["source_type"], source, year)
        series = (row.get("series_label_raw") or "").strip()
        series_letter = series.rsplit(" ", 1)[-1] if re.search(r"\s[a-z]$", series) else None
        for measure, (number, text) in values.items():
            records.append({
                "source_row": r, "crop": row["crop"], "country_iso3": iso3, "is_total": is_total,
                "name": row["country"], "series": series_letter, "series_note": row.get("series_note") or None,
                "estimate": (row.get("estimate") or "best estimate").strip(), "measure": measure, "year": year,
                "value": number, "value_text": text, "source_type": row["source_type"], "source": source,
                "edition": edition, "edition_year": edition_year, "cross_check": row.get("cross_check") or None,
            })
    accepted = pl.DataFrame(records, infer_schema_length=None) if records else pl.DataFrame()
    result = FrameResult(file=filename, rows_in=frame.height, accepted=accepted,
                         rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA), header=list(frame.columns),
                         rows_not_available=not_available)
    result.facts.update(source_types=dict(frame.group_by("source_type").len().sort("source_type").iter_rows()),
                        crops=sorted(frame["crop"].unique().to_list()))
    return result
