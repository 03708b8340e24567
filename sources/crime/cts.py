"""Every dataUNODC file in the UN-CTS layout, whatever its topic or release.

The header row is found by name under a preamble whose length has changed over time; columns are
mapped by name, never by position; `VALUE` and `txtVALUE` are both accepted; every cell is read as
text so that `<5` and `1,282` are kept as published, beside the number they stand for.
"""
from __future__ import annotations

import csv
import json
import re
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

import polars as pl

from ..errors import SourceError
from ..excel import XLSX_SIGNATURE, read_csv_as_text, read_sheet_as_text, sheet_names
from ..geography import countries
from ..parsing import FORMULA_PATTERN, REJECT_SCHEMA, FrameResult

REQUIRED = {
    "iso3_code": "Iso3_code", "country": "Country", "indicator": "Indicator", "dimension": "Dimension",
    "category": "Category", "sex": "Sex", "age": "Age", "year": "Year", "unit": "Unit of measurement",
    "source_codes": "Source",
}
OPTIONAL = {"region": "Region", "subregion": "Subregion"}
VALUE_COLUMNS = ("value", "txtvalue")
NATURAL_KEY = ["reporting_unit", "indicator", "dimension", "category", "sex", "age", "year", "unit"]
HEADER_SEARCH_ROWS = 30
UNITS_FILE = Path(__file__).with_name("reporting_units.csv")


def _norm(name: str | None) -> str:
    return re.sub(r"\s+", " ", (name or "").strip()).lower()


@lru_cache(maxsize=1)
def reporting_units() -> pl.DataFrame:
    with open(UNITS_FILE, newline="", encoding="utf-8") as fh:
        rows = [{k: (v or None) for k, v in r.items()} for r in csv.DictReader(fh)]
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in ("code", "name_in_source", "unit_kind",
                                                            "country_iso3", "m49_area_code", "note",
                                                            "covering_part")})


def parse_release_date(text: str | None) -> date | None:
    """'08/08/2022', '2024-11-24 00:00:00' or an Excel serial such as '45620'."""
    value = (text or "").strip()
    if m := re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", value):
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?", value):
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if re.fullmatch(r"\d{5}(\.0+)?", value):
        return (datetime(1899, 12, 30) + timedelta(days=int(float(value)))).date()
    return None


def read_table(data: bytes, filename: str) -> tuple[str | None, pl.DataFrame]:
    if data.startswith(XLSX_SIGNATURE) or filename.lower().endswith((".xlsx", ".xlsm")):
        names = sheet_names(data, filename)
        data_sheets = [n for n in names if n.lower().startswith("data_")]
        if data_sheets or len(names) == 1:
            return read_sheet_as_text(data, filename, (data_sheets or names)[0])
        # A sheet added in front (notes, a cover) without the usual name: the data is the sheet
        # whose header names the layout's columns.
        for name in names:
            sheet, frame = read_sheet_as_text(data, filename, name)
            try:
                find_header(split_row_numbers(frame)[1], filename, sheet)
            except SourceError:
                continue
            return sheet, frame
        return read_sheet_as_text(data, filename, names[0])
    return None, read_csv_as_text(data, filename)


def split_row_numbers(raw: pl.DataFrame) -> tuple[pl.Series, pl.DataFrame]:
    """The workbook's own row numbers (a CSV's are its line numbers) and the cells without them."""
    if "excel_row" in raw.columns:
        return raw["excel_row"], raw.drop("excel_row")
    return pl.Series("excel_row", range(1, raw.height + 1), dtype=pl.Int64), raw


def find_header(frame: pl.DataFrame, filename: str, sheet: str | None) -> int:
    """The first row that names most of the layout's columns (a missing one is reported after)."""
    known = {_norm(n) for n in (*REQUIRED.values(), *OPTIONAL.values(), *VALUE_COLUMNS)}
    for i, row in enumerate(frame.head(HEADER_SEARCH_ROWS).iter_rows()):
        if len({_norm(c) for c in row if c} & known) >= 6:
            return i
    raise SourceError(f"no header row naming the UN-CTS columns (Iso3_code, Year, VALUE …) in the first "
                      f"{HEADER_SEARCH_ROWS} rows: not a UN-CTS layout", file=filename, sheet=sheet)


def parse_cts(data: bytes, *, filename: str, min_year: int = 1900, single_indicator: str | None = None) -> FrameResult:
    """`single_indicator`: the one indicator a dataset declares (`single_indicator:` in
    sources/crime/datasets.yaml); only then may a file lack its Indicator column, and the indicator is
    inferred and said so. Without it a file without Indicator is refused: its rows could not be
    told apart from the other indicators of the dataset, and the release would lose them."""
    sheet, raw = read_table(data, filename)
    if raw.height == 0:
        raise SourceError("the sheet is empty", file=filename, sheet=sheet)
    excel_rows, raw = split_row_numbers(raw)
    h = find_header(raw, filename, sheet)
    header = [c if c is not None else "" for c in raw.row(h)]
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        key = _norm(name)
        if not key:
            continue
        if key in positions:
            raise SourceError(f"column {name!r} appears twice in the header", file=filename, sheet=sheet,
                              row=excel_rows[h], column=name)
        positions[key] = i
    inferred = None
    if _norm(REQUIRED["indicator"]) not in positions and single_indicator:
        inferred = single_indicator
    missing = [label for key, label in REQUIRED.items()
               if _norm(label) not in positions and not (key == "indicator" and inferred)]
    value_keys = [k for k in VALUE_COLUMNS if k in positions]
    if not value_keys:
        missing.append("VALUE (or txtVALUE)")
    if missing:
        raise SourceError(f"required column(s) missing: {', '.join(missing)}", file=filename, sheet=sheet,
                          row=excel_rows[h], column=missing[0])
    value_key = value_keys[0]
    known = {_norm(v) for v in (*REQUIRED.values(), *OPTIONAL.values())} | {value_key}
    extra = [header[i] for k, i in positions.items() if k not in known]

    preamble = [c for row in raw.head(h).iter_rows() for c in row if c]
    release = next((d for d in map(parse_release_date, preamble) if d), None)
    contact = next((c for c in preamble if "@" in c), None)

    cols = raw.columns
    pick = {key: cols[positions[_norm(label)]] for key, label in {**REQUIRED, **OPTIONAL}.items()
            if _norm(label) in positions}
    body = raw.slice(h + 1).with_columns(excel_rows.slice(h + 1).alias("source_row"))
    # A row with no cell at all is layout, not data.
    body = body.filter(pl.any_horizontal([pl.col(c).is_not_null() for c in cols]))
    if body.height == 0:
        # A release without rows would replace the previous release's figures with nothing.
        raise SourceError("no data rows under the header", file=filename, sheet=sheet, row=excel_rows[h])
    frame = body.select(
        "source_row",
        *[pl.col(src).str.strip_chars().alias(key) for key, src in pick.items()],
        *[pl.lit(None, pl.Utf8).alias(key) for key in OPTIONAL if key not in pick],
        *([pl.lit(inferred, pl.Utf8).alias("indicator")] if inferred else []),
        pl.col(cols[positions[value_key]]).str.strip_chars().alias("value_text"),
        (pl.struct([pl.col(cols[positions[_norm(n)]]).alias(n) for n in extra]).struct.json_encode()
         if extra else pl.lit(None, pl.Utf8)).alias("extra"),
    )
    frame = _parse_values(frame)
    frame = _reporting_units(frame)
    this_year = date.today().year
    frame = frame.with_columns(pl.col("year").cast(pl.Int64, strict=False).alias("year_int"))
    problems = [
        (pl.col("year_int").is_null(), REQUIRED["year"], "year", "year is not a whole number"),
        (pl.col("year_int").is_not_null() & ((pl.col("year_int") < min_year) | (pl.col("year_int") > this_year)),
         REQUIRED["year"], "year", f"impossible year (outside {min_year}-{this_year})"),
        (pl.col("value_text").is_null(), header[positions[value_key]], "value_text", "value is empty"),
        (pl.col("value_text").is_not_null() & pl.col("value_numeric").is_null() & ~pl.col("is_censored")
         & (pl.col("value_text") != ".."),
         header[positions[value_key]], "value_text", "value is not a number"),
        (pl.col("value_numeric").is_infinite() | pl.col("value_numeric").is_nan(), header[positions[value_key]],
         "value_text", "value is too large to be a finite number"),
        (pl.col("value_numeric") < 0, header[positions[value_key]], "value_text",
         "negative value (counts, rates and percentages cannot be negative)"),
        (pl.col("unit_kind").is_null(), REQUIRED["iso3_code"], "reporting_unit",
         "unknown reporting unit: not a country code nor in sources/crime/reporting_units.csv"),
    ]
    for key, label in {**REQUIRED, **OPTIONAL}.items():
        if key in pick and key != "year":
            problems.append((pl.col(key).str.contains(FORMULA_PATTERN),
                             header[positions[_norm(label)]], key, "label looks like a spreadsheet formula"))
    reject_parts = []
    for condition, column, field, reason in problems:
        bad = frame.filter(condition.fill_null(False))
        if bad.height:
            reject_parts.append(bad.select(
                pl.lit(filename).alias("file"), pl.lit(sheet, pl.Utf8).alias("sheet"),
                pl.col("source_row").alias("row"), pl.lit(column).alias("column"),
                pl.col(field).cast(pl.Utf8).alias("value"),
                (pl.lit(reason + ": ") + pl.col(field).cast(pl.Utf8).fill_null("(empty)")).alias("reason")))
    rejects = pl.concat(reject_parts) if reject_parts else pl.DataFrame(schema=REJECT_SCHEMA)
    # A value of `..` is not available: neither a figure nor an error; counted apart (issue 20, defect 9).
    not_available = frame.filter(~pl.col("source_row").is_in(rejects["row"].implode()) & (pl.col("value_text") == ".."))
    frame = frame.filter(~pl.col("source_row").is_in(not_available["source_row"].implode()))
    accepted = frame.filter(~pl.col("source_row").is_in(rejects["row"].implode())).with_columns(
        pl.col("year_int").cast(pl.Int64).alias("year")).drop("year_int")
    accepted = accepted.with_columns(pl.len().over(NATURAL_KEY).cast(pl.Int64).alias("key_occurrences"))
    duplicates = accepted.filter(pl.col("key_occurrences") > 1)
    result = FrameResult(file=filename, rows_in=frame.height + not_available.height, accepted=accepted, rejects=rejects,
                         header=header, rows_not_available=not_available.height)
    result.facts.update(
        sheet=sheet, header_row=excel_rows[h], release_date=release, contact=contact, value_column=header[positions[value_key]],
        extra_columns=extra, missing_optional=[v for k, v in OPTIONAL.items() if k not in pick],
        duplicate_key_rows=duplicates.height,
        duplicate_keys=duplicates.select(NATURAL_KEY).unique().height,
        censored_values=int(accepted["is_censored"].sum()),
        thousands_separated=int(accepted["value_text"].str.contains(",").sum()),
        reporting_units=dict(accepted.group_by("unit_kind").len().sort("unit_kind").iter_rows()),
        indicators=sorted(i for i in accepted["indicator"].unique().to_list() if i),
    )
    result.facts["indicator_inferred"] = inferred
    if inferred:
        result.warnings.append(f"no Indicator column: every row is taken as {inferred!r}, the one indicator "
                               "the dataset declares (sources/crime/datasets.yaml single_indicator)")
    if extra:
        result.warnings.append(f"extra column(s) kept: {', '.join(extra)}")
    if result.facts["missing_optional"]:
        result.warnings.append(f"optional column(s) absent: {', '.join(result.facts['missing_optional'])}")
    if duplicates.height:
        result.warnings.append(f"{duplicates.height} rows share {result.facts['duplicate_keys']} natural keys; "
                               "all are kept with their row numbers")
    if release is None:
        result.warnings.append("no release date found in the preamble")
    return result


def _parse_values(frame: pl.DataFrame) -> pl.DataFrame:
    text = pl.col("value_text")
    plain = text.str.contains(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
    thousands = text.str.contains(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
    censored = text.str.contains(r"^<\s*\d+(\.\d+)?$")
    return frame.with_columns(
        pl.when(plain).then(text.cast(pl.Float64, strict=False))
        .when(thousands).then(text.str.replace_all(",", "").cast(pl.Float64, strict=False))
        .otherwise(None).alias("value_numeric"),
        censored.fill_null(False).alias("is_censored"),
        pl.when(censored).then(text.str.extract(r"(\d+(?:\.\d+)?)").cast(pl.Float64)).alias("censor_upper"),
    )


def _reporting_units(frame: pl.DataFrame) -> pl.DataFrame:
    geo = countries().select(pl.col("iso3").alias("code"), pl.col("entity_kind"))
    units = reporting_units()
    by_code = units.filter(pl.col("code").is_not_null()).select("code", "unit_kind", pl.col("country_iso3").alias("unit_country"))
    by_name = units.filter(pl.col("code").is_null()).select(
        pl.col("name_in_source").alias("country"), pl.col("unit_kind").alias("name_kind"))
    out = (frame
           .join(geo, left_on="iso3_code", right_on="code", how="left")
           .join(by_code, left_on="iso3_code", right_on="code", how="left")
           .join(by_name, on="country", how="left"))
    named = pl.col("iso3_code").is_null() & pl.col("name_kind").is_not_null()
    return out.with_columns(
        pl.when(pl.col("entity_kind").is_not_null()).then(pl.lit("country"))
        .when(pl.col("unit_kind").is_not_null()).then(pl.col("unit_kind"))
        .when(named).then(pl.col("name_kind")).otherwise(None).alias("unit_kind"),
        pl.when(pl.col("entity_kind").is_not_null()).then(pl.col("iso3_code"))
        .otherwise(pl.col("unit_country")).alias("country_iso3"),
        pl.when(named).then(pl.lit("name:") + pl.col("country")).otherwise(pl.col("iso3_code")).alias("reporting_unit"),
    ).drop("entity_kind", "unit_country", "name_kind")


def dataset_from_filename(filename: str) -> str:
    """'data_cts_intentional_homicide.xlsx' -> 'cts_intentional_homicide'; 'data_glotip.xlsx' -> 'cts_glotip'."""
    stem = Path(filename).name.split(".")[0].lower()
    stem = re.sub(r"^data_", "", stem)
    stem = re.sub(r"[^a-z0-9_]+", "_", stem).strip("_")
    return stem if stem.startswith("cts_") else f"cts_{stem}"


__all__ = ["parse_cts", "parse_release_date", "reporting_units", "dataset_from_filename", "json"]
