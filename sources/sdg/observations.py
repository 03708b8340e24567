"""What both readers of the SDG Global Database share: the table they return, the reference
lists they read, and the checks every observation goes through.

A reader turns its rows into plain observations (codes as the SDG API spells them, the area,
year and value as published) and hands them to `frame_result`, so that a series read from the
DDF re-cut and the same series read from the API give the same rows.
"""
from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import polars as pl

from ..geography import countries
from ..parsing import REJECT_SCHEMA, FrameResult, looks_like_formula

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference"
AREAS_FILE = HERE / "areas.csv"
SERIES_FILE = HERE / "series.csv"
GEOSCHEME_FILE = HERE.parent / "geography" / "m49_areas.csv"
WORLD = "001"
MIN_YEAR = 1900

# Dimensions and attributes with a column of their own; any other goes to `dimensions` (JSON).
NAMED_FIELDS = ("units", "nature", "sex", "age", "observation_status", "reporting_type")

SCHEMA = {
    "source_row": pl.Int64, "series_code": pl.Utf8, "sdg_indicator": pl.Utf8,
    "geo_area_code": pl.Utf8, "geo_area_name": pl.Utf8, "area_kind": pl.Utf8,
    "country_iso3": pl.Utf8, "parent_iso3": pl.Utf8,
    "year": pl.Int64, "value": pl.Float64, "value_text": pl.Utf8,
    "lower_bound": pl.Float64, "upper_bound": pl.Float64,
    "units": pl.Utf8, "nature": pl.Utf8, "sex": pl.Utf8, "age": pl.Utf8,
    "observation_status": pl.Utf8, "reporting_type": pl.Utf8, "dimensions": pl.Utf8,
    "data_source": pl.Utf8, "footnote": pl.Utf8,
}
NATURAL_KEY = ["series_code", "geo_area_code", "year", "units", "sex", "age", "reporting_type", "dimensions"]

_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_YEAR = re.compile(r"^(\d{4})(\.0+)?$")
_M49 = re.compile(r"^\d{1,3}$")


SHOWN_CHARACTERS = 80


def shown(text: str | None) -> str | None:
    """A published text as a reject or a refusal quotes it: a lone surrogate (which JSON may
    carry, and no UTF-8 table can hold) escaped, and a text of thousands of characters cut."""
    if text is None:
        return None
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(text) > SHOWN_CHARACTERS:
        return f"{text[:SHOWN_CHARACTERS]}… ({len(text)} characters)"
    return text


def valid_unicode(text: str | None) -> bool:
    try:
        (text or "").encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def concept_id(name: str) -> str:
    """A dimension's name as the DDF re-cut writes it: 'Substance use disorders' -> 'substance_use_disorders'."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def _read(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as fh:
        return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(fh)]


@lru_cache(maxsize=1)
def entity_names() -> dict[str, dict[str, str]]:
    """Per DDF dimension, the re-cut's code -> the code as the SDG API publishes it
    ('bothsex' -> 'BOTHSEX', '15_64' -> '15-64', 'o' -> '_O'), and geo_area code -> area name."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(REFERENCE.glob("ddf--entities--*.csv")):
        concept = path.name[len("ddf--entities--"):-len(".csv")]
        out[concept] = {r[concept]: r["name"] for r in _read(path) if r.get(concept) and r.get("name")}
    return out


@lru_cache(maxsize=1)
def series_concepts() -> dict[str, dict]:
    """DDF series id ('vc_ihr_psrc') -> its API code ('VC_IHR_PSRC'), SDG indicator and description."""
    return {r["concept"]: r for r in _read(REFERENCE / "ddf--concepts--continuous.csv") if r.get("concept")}


@lru_cache(maxsize=1)
def series_list() -> list[dict]:
    """The series this family follows (sources/sdg/series.csv), with indicator and custodian."""
    return _read(SERIES_FILE)


@lru_cache(maxsize=1)
def reviewed_areas() -> dict[str, dict]:
    """M49 codes of the SDG database that are neither a country nor an area of the M49
    geographic scheme (SDG regional groupings, development groups, parts of a country)."""
    return {r["m49_code"]: r for r in _read(AREAS_FILE)}


@lru_cache(maxsize=1)
def _geoscheme_codes() -> frozenset[str]:
    codes = set()
    for row in _read(GEOSCHEME_FILE):
        codes.update(row[k] for k in ("region_code", "subregion_code", "intermediate_code") if row.get(k))
    return frozenset(codes)


@lru_cache(maxsize=1)
def _country_by_m49() -> dict[str, str]:
    frame = countries().filter(pl.col("m49_code").is_not_null())
    return dict(zip(frame["m49_code"].to_list(), frame["iso3"].to_list()))


def classify_area(code: str) -> tuple[str, str | None, str | None] | None:
    """A 3-digit M49 code -> (area_kind, country_iso3, parent_iso3), or None when unknown."""
    if code == WORLD:
        return "world", None, None
    if (iso3 := _country_by_m49().get(code)) is not None:
        return "country", iso3, None
    if code in _geoscheme_codes():
        return "region", None, None
    if (area := reviewed_areas().get(code)) is not None:
        return area["area_kind"], None, area.get("parent_iso3")
    return None


def areas_frame() -> pl.DataFrame:
    """The reviewed list of SDG areas that are not countries, as a table (with its reporting-unit
    counterpart in the UN-CTS files, for comparing a part of a country with the same part there)."""
    rows = list(reviewed_areas().values())
    return pl.DataFrame(rows, schema={k: pl.Utf8 for k in rows[0]})


@dataclass
class Observation:
    """One published figure before its checks: codes as the API spells them, the rest as published."""
    source_row: int
    series_code: str | None
    geo_area: str | None
    year: str | None
    value: str | None
    sdg_indicator: str | None = None
    geo_area_name: str | None = None
    fields: dict = field(default_factory=dict)        # units, nature, sex, age, observation_status, reporting_type
    dimensions: dict = field(default_factory=dict)    # any other dimension or attribute, by concept id
    lower_bound: str | None = None
    upper_bound: str | None = None
    data_source: str | None = None
    footnote: str | None = None


def to_number(text: str | None) -> float | None:
    """A figure as published -> its number; None when it is not a plain finite number."""
    value = (text or "").strip()
    if _NUMBER.match(value):
        number = float(value)
    elif _THOUSANDS.match(value):
        number = float(value.replace(",", ""))
    else:
        return None
    # '1e999' is written like a number and read as infinity: not a figure.
    return number if math.isfinite(number) else None


def frame_result(filename: str, rows_in: int, observations: list[Observation], *, header: list[str],
                 columns: dict[str, str], facts: dict | None = None, warnings: list[str] | None = None,
                 rejected: list[dict] | None = None) -> FrameResult:
    """Check every observation; accepted rows as `SCHEMA`, the others rejected with their reason.

    `columns` names, for the reject records, the source column of each checked field
    ('value' -> 'vc_ihr_psrc' in a DDF file, 'value' in the API's JSON). `rejected`: rows the
    reader refused before they became observations (a row of the wrong width), as reject records."""
    this_year = date.today().year
    accepted, rejects = [], list(rejected or [])
    areas_seen: dict[str, str] = {}
    for ob in observations:
        problems: list[tuple[str, str | None, str]] = []

        def bad(key: str, value, reason: str) -> None:
            quoted = None if value is None or not str(value).strip() else shown(str(value))
            problems.append((columns.get(key, key), quoted, f"{reason}: {quoted if quoted is not None else '(empty)'}"))

        series = (ob.series_code or "").strip()
        if not series:
            bad("series_code", ob.series_code, "no series code")
        code = (ob.geo_area or "").strip()
        area = None
        if not _M49.match(code):
            bad("geo_area", ob.geo_area, "area code is not an M49 numeric code")
        else:
            code = f"{int(code):03d}"
            area = classify_area(code)
            if area is None:
                bad("geo_area", ob.geo_area, "unknown M49 area code: not a country, an area of the M49 geographic "
                    "scheme nor a reviewed SDG area (sources/sdg/areas.csv)")
        year_match = _YEAR.match((ob.year or "").strip())
        year = int(year_match.group(1)) if year_match else None
        if year is None:
            bad("year", ob.year, "year is not a whole number")
        elif not MIN_YEAR <= year <= this_year:
            bad("year", ob.year, f"impossible year (outside {MIN_YEAR}-{this_year})")
        value_text = ob.value.strip() if ob.value is not None else None
        value = to_number(value_text)
        if not value_text:
            bad("value", ob.value, "value is empty")
        elif value is None:
            bad("value", ob.value, "value is not a number")
        bounds = {}
        for name, text in (("lower_bound", ob.lower_bound), ("upper_bound", ob.upper_bound)):
            text = text.strip() if text is not None else None
            bounds[name] = to_number(text) if text else None
            if text and bounds[name] is None:
                bad(name, text, f"{name.replace('_', ' ')} is not a number")
        labels = {"series_code": ob.series_code, "sdg_indicator": ob.sdg_indicator, "geo_area_name": ob.geo_area_name,
                  "data_source": ob.data_source, "footnote": ob.footnote, **ob.fields, **ob.dimensions}
        for key, text in labels.items():
            if looks_like_formula(text):
                bad(key, text, "label looks like a spreadsheet formula")
            elif not valid_unicode(text):
                bad(key, text, "not valid Unicode (a lone surrogate)")
        if problems:
            rejects.extend({"file": filename, "sheet": None, "row": ob.source_row, "column": column,
                            "value": value_shown, "reason": reason} for column, value_shown, reason in problems)
            continue
        kind, iso3, parent = area
        areas_seen[code] = kind
        accepted.append({
            "source_row": ob.source_row, "series_code": series, "sdg_indicator": ob.sdg_indicator,
            "geo_area_code": code,
            "geo_area_name": ob.geo_area_name or entity_names().get("geo_area", {}).get(str(int(code))),
            "area_kind": kind, "country_iso3": iso3, "parent_iso3": parent,
            "year": year, "value": value, "value_text": value_text, **bounds,
            **{k: ob.fields.get(k) for k in NAMED_FIELDS},
            "dimensions": json.dumps(ob.dimensions, sort_keys=True, ensure_ascii=False) if ob.dimensions else None,
            "data_source": ob.data_source, "footnote": ob.footnote,
        })
    frame = pl.DataFrame(accepted, schema=SCHEMA)
    result = FrameResult(file=filename, rows_in=rows_in, accepted=frame,
                         rejects=pl.DataFrame(rejects, schema=REJECT_SCHEMA), header=header,
                         warnings=list(warnings or []))
    duplicates = frame.filter(pl.len().over(NATURAL_KEY) > 1) if frame.height else frame
    result.facts.update(facts or {})
    result.facts.update(
        series=sorted(frame["series_code"].unique().to_list()),
        years=(frame["year"].min(), frame["year"].max()) if frame.height else None,
        rows_by_area_kind=dict(frame.group_by("area_kind").len().sort("area_kind").iter_rows()),
        areas_by_kind={k: sum(1 for v in areas_seen.values() if v == k) for k in sorted(set(areas_seen.values()))},
        natures=sorted(n for n in frame["nature"].unique().to_list() if n),
        units=sorted(u for u in frame["units"].unique().to_list() if u),
        duplicate_key_rows=duplicates.height,
    )
    if duplicates.height:
        result.warnings.append(f"{duplicates.height} rows share a series, area, year and dimensions with another "
                               "row; all are kept with their row numbers")
    return result
