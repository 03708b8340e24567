"""WDR statistical annex table 7.1 (drug seizures), long format.

Traps of the real file: title and note rows above the header; "Reported total" rows beside the
parts they total (summing both double counts); free-text units with spelling variants; the
comparable quantity is `KgEquivalent`.
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

# Column names of the 2022 layout, with those of later annexes as aliases.
COLUMNS = {
    "iso3": ("ISO3", "Iso3_code"), "region": ("Region",), "subregion": ("SubRegion",),
    "country": ("Country/Territory", "Country"), "source_type": ("SourceType", "Source"),
    "year": ("Year", "Reference year"), "drug_group": ("DrugGroup",), "drug_subgroup": ("DrugSubGroup",),
    "drug_name": ("DrugName",), "quantity": ("quantity",), "unit_text": ("unit",),
    "kg_equivalent": ("KgEquivalent", "Kilograms"), "comment": ("Comment", "Footnote"),
}
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


def parse_wdr_seizures(data: bytes, *, filename: str) -> FrameResult:
    names = sheet_names(data, filename)
    sheet = next((n for n in names if "seiz" in n.lower()), names[0])
    sheet, raw = read_sheet_as_text(data, filename, sheet)
    excel_rows, raw = split_row_numbers(raw)
    h = next((i for i, row in enumerate(raw.head(30).iter_rows())
              if {"drugname", "druggroup"} <= {_norm(c) for c in row if c}), None)
    if h is None:
        raise SourceError("no header row naming DrugGroup and DrugName in the first 30 rows", file=filename, sheet=sheet)
    header = [c or "" for c in raw.row(h)]
    where: dict[str, int] = {}
    for i, c in enumerate(header):
        if c and _norm(c) in where:
            raise SourceError(f"column {c!r} appears twice in the header", file=filename, sheet=sheet,
                              row=excel_rows[h], column=c)
        if c:
            where[_norm(c)] = i
    pick = {}
    for key, aliases in COLUMNS.items():
        found = next((where[_norm(a)] for a in aliases if _norm(a) in where), None)
        if found is not None:
            pick[key] = raw.columns[found]
    missing = [COLUMNS[k][0] for k in REQUIRED if k not in pick]
    if missing:
        raise SourceError(f"required column(s) missing: {', '.join(missing)}", file=filename, sheet=sheet,
                          row=excel_rows[h], column=missing[0])
    title = next((c for row in raw.head(h).iter_rows() for c in row if c), None)
    notes = [c for row in raw.head(h).iter_rows() for c in row if c][1:]
    body = (raw.slice(h + 1).with_columns(excel_rows.slice(h + 1).alias("source_row"))
            .filter(pl.any_horizontal([pl.col(c).is_not_null() for c in raw.columns])))
    if body.height == 0:
        raise SourceError("no data rows under the header", file=filename, sheet=sheet, row=excel_rows[h])
    frame = body.select("source_row", *[pl.col(src).str.strip_chars().alias(k) for k, src in pick.items()],
                        *[pl.lit(None, pl.Utf8).alias(k) for k in COLUMNS if k not in pick])
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
    problems = [
        (pl.col("year_int").is_null() | (pl.col("year_int") < 1900) | (pl.col("year_int") > this_year),
         COLUMNS["year"][0], "year", "impossible or missing year"),
        (~pl.col("iso3_known"), COLUMNS["iso3"][0], "iso3", "unknown country code"),
        (pl.col("kg_equivalent").is_not_null() & pl.col("kg").is_null(), "KgEquivalent", "kg_equivalent",
         "KgEquivalent is not a number"),
        (pl.col("kg").is_infinite(), "KgEquivalent", "kg_equivalent", "too large to be a finite number"),
        (pl.col("quantity_numeric").is_infinite(), "quantity", "quantity", "too large to be a finite number"),
        (pl.col("kg") < 0, "KgEquivalent", "kg_equivalent", "negative quantity"),
        (pl.col("quantity").is_not_null() & pl.col("quantity_numeric").is_null(), "quantity", "quantity",
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
        sheet=sheet, header_row=excel_rows[h], title=title, notes=notes,
        reported_total_rows=int(accepted["is_reported_total"].sum()),
        unit_variants=accepted["unit_text"].n_unique(),
        unmapped_units=sorted(u for u in accepted.filter(pl.col("unit").is_null())["unit_text"].unique().to_list() if u),
        missing_kg=accepted.filter(pl.col("kg_equivalent").is_null()).height,
        years=sorted(accepted["year"].unique().to_list()),
    )
    if result.facts["unmapped_units"]:
        result.warnings.append(f"units not in seizure_units.csv (kept as text): {', '.join(result.facts['unmapped_units'][:20])}")
    return result
