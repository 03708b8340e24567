"""WDR statistical annex table 7.1 (drug seizures), long format, in every layout seen.

Traps of the real files: title and note rows above the header; "Reported total" rows beside the
parts they total (summing both double counts); free-text units with spelling variants. The layout
changes between editions, so a file is recognised by its header, never by its name:

- quantity, unit and KgEquivalent (WDR 2022, 2016-2020): the quantity as reported in a free-text
  unit, and its kilogram equivalent, the comparable figure.
- kilograms (WDR 2024, 2018-2022): `msCode` is the ISO3 code and `Kilograms` the only quantity.
  Where the two editions overlap, `Kilograms` is the 2022 edition's `KgEquivalent` (rounded in
  many rows), including seizures counted in tablets, units or millilitres (the Netherlands 2019:
  763,189 pills, 206.82 kg equivalent in 2022, 207 kg in 2024). It is therefore read as the
  kilogram equivalent; the quantity and unit as reported are not in this layout and stay empty,
  never a quantity "in kg" that was not weighed.

A row is a reported total when its sub-group says so ("Reported total …") or its name does
("Cocaine (total of the above …)", "Reported total …"). A name that merely begins with "Total"
under another sub-group is a part: in 2016-2019 "Total amphetamine-type stimulants" under the
non-specified sub-group, and in the 2024 layout 'Total "ecstasy"-type substances (including the
above …)' under the group's own sub-group, which are the 2022 edition's unspecified "ecstasy" rows
(Poland 2018: 59 kg beside 408 kg of MDMA, 59.25 kg of tablets in 2022).
"""
from __future__ import annotations

import csv
import re
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from ..errors import SourceError
from ..excel import read_sheet_as_text, sheet_names
from ..geography import code_aliases, countries
from ..parsing import REJECT_SCHEMA, FrameResult
from .cts import split_row_numbers

# Each layout by its columns (FORMATS.md 3.3 and 5.2), field -> the header names it may carry.
LAYOUTS: dict[str, dict[str, tuple[str, ...]]] = {
    "quantity, unit and KgEquivalent": {
        "iso3": ("ISO3",), "region": ("Region",), "subregion": ("SubRegion",), "country": ("Country/Territory",),
        "source_type": ("SourceType",), "year": ("Year",), "drug_group": ("DrugGroup",),
        "drug_subgroup": ("DrugSubGroup",), "drug_name": ("DrugName",), "quantity": ("quantity",),
        "unit_text": ("unit",), "kg_equivalent": ("KgEquivalent",), "comment": ("Comment",),
    },
    # `Iso3_code`, `Source` and `Footnote`: the same layout as other copies of later annexes name them.
    "kilograms": {
        "iso3": ("msCode", "Iso3_code"), "region": ("Region",), "subregion": ("SubRegion",), "country": ("Country",),
        "source_type": ("Source",), "year": ("Reference year",), "drug_group": ("DrugGroup",),
        "drug_subgroup": ("DrugSubGroup",), "drug_name": ("DrugName",), "kg_equivalent": ("Kilograms",),
        "comment": ("Footnote",),
    },
}
FIELDS = ("iso3", "region", "subregion", "country", "source_type", "year", "drug_group", "drug_subgroup",
          "drug_name", "quantity", "unit_text", "kg_equivalent", "comment")
REQUIRED = ("iso3", "year", "drug_group", "drug_name", "kg_equivalent")
NUMBER = r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$"
THOUSANDS = r"^-?\d{1,3}(,\d{3})+(\.\d+)?$"
UNITS_FILE = Path(__file__).with_name("seizure_units.csv")


@lru_cache(maxsize=1)
def unit_table() -> pl.DataFrame:
    with open(UNITS_FILE, newline="", encoding="utf-8") as fh:
        return pl.DataFrame(list(csv.DictReader(fh)))


def _norm(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip()).lower()


def recognise(where: dict[str, int], *, file: str, sheet: str, row: int) -> tuple[str, dict[str, str]]:
    """The layout whose required columns the header has, and field -> header name. A header that
    has no layout's required columns is refused in one line naming what the nearest layout misses."""
    found, missing_by = [], {}
    for name, columns in LAYOUTS.items():
        names = {k: next((a for a in aliases if _norm(a) in where), None) for k, aliases in columns.items()}
        missing = [columns[k][0] for k in REQUIRED if names.get(k) is None]
        if missing:
            missing_by[name] = missing
        else:
            found.append((name, {k: v for k, v in names.items() if v is not None}))
    if len(found) > 1:
        raise SourceError(f"the header has the columns of two layouts ({found[0][0]}; {found[1][0]}): "
                          "one table at a time", file=file, sheet=sheet, row=row)
    if not found:
        nearest = min(missing_by, key=lambda n: len(missing_by[n]))
        others = "; ".join(f"{n}: {', '.join(m)}" for n, m in missing_by.items() if n != nearest)
        raise SourceError(f"unknown layout of table 7.1: required column(s) missing: {', '.join(missing_by[nearest])} "
                          f"(nearest layout: {nearest}; the other layouts lack {others})",
                          file=file, sheet=sheet, row=row, column=missing_by[nearest][0])
    return found[0]


def parse_wdr_seizures(data: bytes, *, filename: str) -> FrameResult:
    names = sheet_names(data, filename)
    sheet = next((n for n in names if "seiz" in n.lower()), names[0])
    sheet, raw = read_sheet_as_text(data, filename, sheet)
    excel_rows, raw = split_row_numbers(raw)
    # The header is the row naming DrugGroup and DrugName, wherever it stands (row 3 in 2022, row 2 in 2024).
    h = next((i for i, row in enumerate(raw.iter_rows())
              if {"drugname", "druggroup"} <= {_norm(c) for c in row if c}), None)
    if h is None:
        raise SourceError("no header row naming DrugGroup and DrugName", file=filename, sheet=sheet)
    header = [c or "" for c in raw.row(h)]
    where: dict[str, int] = {}
    for i, c in enumerate(header):
        if c and _norm(c) in where:
            raise SourceError(f"column {c!r} appears twice in the header", file=filename, sheet=sheet,
                              row=excel_rows[h], column=c)
        if c:
            where[_norm(c)] = i
    layout, named = recognise(where, file=filename, sheet=sheet, row=excel_rows[h])
    pick = {k: raw.columns[where[_norm(n)]] for k, n in named.items()}
    title = next((c for row in raw.head(h).iter_rows() for c in row if c), None)
    notes = [c for row in raw.head(h).iter_rows() for c in row if c][1:]
    body = (raw.slice(h + 1).with_columns(excel_rows.slice(h + 1).alias("source_row"))
            .filter(pl.any_horizontal([pl.col(c).is_not_null() for c in raw.columns])))
    if body.height == 0:
        raise SourceError("no data rows under the header", file=filename, sheet=sheet, row=excel_rows[h])
    # Every layout gives the same columns; those a layout lacks are empty (never zero).
    frame = body.select("source_row", *[pl.col(pick[k]).str.strip_chars().alias(k) if k in pick
                                        else pl.lit(None, pl.Utf8).alias(k) for k in FIELDS])
    # '1,282' typed as text is the number 1282, as the UN-CTS parser reads it.
    frame = frame.with_columns(pl.when(pl.col(k).str.contains(THOUSANDS)).then(pl.col(k).str.replace_all(",", ""))
                               .otherwise(pl.col(k)).alias(k) for k in ("quantity", "kg_equivalent"))
    known = set(countries()["iso3"])
    # Codes the sources write that ISO 3166-1 lacks (Kosovo's KOS, XK) -> the project's code.
    frame = frame.with_columns(pl.col("iso3").replace(code_aliases()))
    frame = (frame
             .join(unit_table(), on="unit_text", how="left")
             .with_columns(
                 pl.col("year").cast(pl.Int64, strict=False).alias("year_int"),
                 pl.when(pl.col("quantity").str.contains(NUMBER)).then(pl.col("quantity").cast(pl.Float64, strict=False)).alias("quantity_numeric"),
                 pl.when(pl.col("kg_equivalent").str.contains(NUMBER)).then(pl.col("kg_equivalent").cast(pl.Float64, strict=False)).alias("kg"),
                 (pl.col("drug_subgroup").str.to_lowercase().str.starts_with("reported total")
                  | pl.col("drug_name").str.to_lowercase().str.contains(r"\(total|reported total")).fill_null(False)
                 .alias("is_reported_total"),
                 pl.col("iso3").is_in(list(known)).alias("iso3_known")))
    this_year = date.today().year
    kg, qty = named["kg_equivalent"], named.get("quantity", "quantity")
    problems = [
        (pl.col("year_int").is_null() | (pl.col("year_int") < 1900) | (pl.col("year_int") > this_year),
         named["year"], "year", "impossible or missing year"),
        (~pl.col("iso3_known"), named["iso3"], "iso3", "unknown country code"),
        (pl.col("kg_equivalent").is_not_null() & pl.col("kg").is_null(), kg, "kg_equivalent", f"{kg} is not a number"),
        (pl.col("kg").is_infinite(), kg, "kg_equivalent", "too large to be a finite number"),
        (pl.col("quantity_numeric").is_infinite(), qty, "quantity", "too large to be a finite number"),
        (pl.col("kg") < 0, kg, "kg_equivalent", "negative quantity"),
        (pl.col("quantity").is_not_null() & pl.col("quantity_numeric").is_null(), qty, "quantity",
         "quantity is not a number"),
    ]
    parts = []
    for condition, column, fld, reason in problems:
        bad = frame.filter(condition.fill_null(False))
        if bad.height:
            parts.append(bad.select(pl.lit(filename).alias("file"), pl.lit(sheet).alias("sheet"),
                                    pl.col("source_row").alias("row"), pl.lit(column).alias("column"),
                                    pl.col(fld).cast(pl.Utf8).alias("value"),
                                    (pl.lit(reason + ": ") + pl.col(fld).cast(pl.Utf8).fill_null("(empty)")).alias("reason")))
    rejects = pl.concat(parts) if parts else pl.DataFrame(schema=REJECT_SCHEMA)
    accepted = (frame.filter(~pl.col("source_row").is_in(rejects["row"].implode()))
                .with_columns(pl.col("year_int").cast(pl.Int64).alias("year"))
                .drop("year_int", "iso3_known", "quantity", "kg_equivalent")
                .rename({"quantity_numeric": "quantity", "kg": "kg_equivalent"}))
    result = FrameResult(file=filename, rows_in=frame.height, accepted=accepted, rejects=rejects, header=header)
    result.facts.update(
        sheet=sheet, header_row=excel_rows[h], layout=layout, title=title, notes=notes,
        countries=accepted["iso3"].n_unique(),
        reported_total_rows=int(accepted["is_reported_total"].sum()),
        unit_variants=accepted["unit_text"].drop_nulls().n_unique(),
        unmapped_units=sorted(u for u in accepted.filter(pl.col("unit").is_null())["unit_text"].unique().to_list() if u),
        missing_kg=accepted.filter(pl.col("kg_equivalent").is_null()).height,
        years=sorted(accepted["year"].unique().to_list()),
    )
    if result.facts["unmapped_units"]:
        result.warnings.append(f"units not in seizure_units.csv (kept as text): {', '.join(result.facts['unmapped_units'][:20])}")
    return result
