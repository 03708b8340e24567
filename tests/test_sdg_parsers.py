"""The SDG Global Database readers on the real bundled DDF files, and the API reader on JSON made
from the same real rows: one table, whichever channel the series came through."""
from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from sources.errors import SourceError
from sources.geography import countries
from sources.sdg import areas_frame, parse_api, parse_ddf, parse_sdg
from sources.sdg.observations import REFERENCE

from .conftest import BUNDLED

SDG = BUNDLED / "sdg_global_database"
FILES = {p.name.split("--")[2]: p for p in sorted(SDG.glob("ddf--datapoints--*.csv"))}
ROWS = {"iu_cor_brib": 343, "sh_alc_conspt": 3423, "sh_sud_treat": 80, "vc_arm_sztrace": 45,
        "vc_htf_detv": 7200, "vc_ihr_psrc": 8552, "vc_ihr_psrcn": 9429, "vc_prs_unsnt": 3503}
HOMICIDE = FILES["vc_ihr_psrc"]


def parse(series: str):
    path = FILES[series]
    return parse_ddf(path.read_bytes(), filename=path.name)


def row(result, **where) -> dict:
    hits = result.accepted.filter(pl.all_horizontal([pl.col(k) == v for k, v in where.items()]))
    assert hits.height == 1, f"{hits.height} rows for {where}"
    return hits.row(0, named=True)


def edited(path: Path, changes: dict[int, str], append: list[str] = ()) -> bytes:
    """The real file with some lines (numbered as an editor numbers them) replaced."""
    lines = path.read_text(encoding="utf-8").splitlines()
    for number, text in changes.items():
        lines[number - 1] = text
    return ("\n".join([*lines, *append]) + "\n").encode()


@pytest.mark.parametrize("series", sorted(ROWS))
def test_every_row_of_every_bundled_file_is_accounted_for(series):
    result = parse(series)
    lines = FILES[series].read_text(encoding="utf-8").splitlines()
    assert result.rows_in == len(lines) - 1 == ROWS[series]
    assert result.rows_accepted + result.rows_rejected == result.rows_in and result.reconciles
    # The real files are clean: every row is a figure.
    assert (result.rows_accepted, result.rows_rejected) == (ROWS[series], 0)
    assert result.accepted["source_row"].is_unique().all()
    assert result.accepted["series_code"].unique().to_list() == [series.upper()]
    assert result.facts["duplicate_key_rows"] == 0


def test_homicide_rates_as_published_with_their_row():
    result = parse("vc_ihr_psrc")
    brazil = {s: row(result, country_iso3="BRA", year=2019, sex=s) for s in ("BOTHSEX", "FEMALE", "MALE")}
    assert {s: (r["value"], r["value_text"], r["source_row"]) for s, r in brazil.items()} == {
        "BOTHSEX": (20.81, "20.81", 1546), "FEMALE": (3.47, "3.47", 1567), "MALE": (38.67, "38.67", 1588)}
    jamaica = row(result, geo_area_code="388", year=2020, sex="BOTHSEX")
    assert (jamaica["value"], jamaica["nature"], jamaica["units"], jamaica["geo_area_name"], jamaica["source_row"]) == (
        47.26, "C", "PER_100000_POP", "Jamaica", 4474)
    assert row(result, geo_area_code="388", year=2020, sex="BOTHSEX")["sdg_indicator"] == "16.1.1"
    counts = parse("vc_ihr_psrcn")
    assert (row(counts, country_iso3="BRA", year=2019, sex="BOTHSEX")["value"],
            row(counts, country_iso3="BRA", year=2019, sex="BOTHSEX")["units"]) == (44073.0, "NUMBER")


def test_world_regions_and_parts_of_countries_keep_their_kind():
    result = parse("vc_ihr_psrc")
    world = row(result, geo_area_code="001", year=2021, sex="BOTHSEX")
    assert (world["area_kind"], world["country_iso3"], world["value"], world["nature"], world["source_row"]) == (
        "world", None, 5.79, "N", 23)
    africa = row(result, geo_area_code="002", year=2015, sex="BOTHSEX")
    assert (africa["area_kind"], africa["geo_area_name"], africa["value"], africa["source_row"]) == (
        "region", "Africa", 12.37, 83)
    england = row(result, geo_area_code="827", year=2018, sex="BOTHSEX")
    assert (england["area_kind"], england["country_iso3"], england["parent_iso3"], england["value"]) == (
        "subnational", None, "GBR", 1.08)
    prisons = parse("vc_prs_unsnt")
    europe_na = prisons.accepted.filter(pl.col("geo_area_code") == "513")
    assert set(europe_na["area_kind"]) == {"other"} and europe_na["country_iso3"].null_count() == europe_na.height
    assert row(prisons, geo_area_code="513", year=2000, sex="BOTHSEX")["value"] == pytest.approx(21.29198)


def test_every_country_code_maps_to_the_country_with_that_m49_code():
    m49 = dict(countries().select("iso3", "m49_code").iter_rows())
    for series in ROWS:
        frame = parse(series).accepted
        assert frame["geo_area_code"].str.contains(r"^\d{3}$").all()
        assert ((frame["area_kind"] == "country") == frame["country_iso3"].is_not_null()).all()
        for code, iso3 in frame.filter(pl.col("country_iso3").is_not_null()).select(
                "geo_area_code", "country_iso3").unique().iter_rows():
            assert m49[iso3] == code
    kinds = dict(parse("vc_ihr_psrc").accepted.select("geo_area_code", "area_kind").unique().iter_rows())
    assert {c: kinds[c] for c in ("001", "002", "019", "142", "150", "009", "202", "076", "840", "829", "543")} == {
        "001": "world", "002": "region", "019": "region", "142": "region", "150": "region", "009": "region",
        "202": "region", "076": "country", "840": "country", "829": "subnational", "543": "other"}


def test_reviewed_sdg_areas_shadow_no_country_and_name_real_parents():
    areas = areas_frame()
    m49 = set(countries()["m49_code"].drop_nulls())
    assert not set(areas["m49_code"]) & m49
    assert set(areas["parent_iso3"].drop_nulls()) <= set(countries()["iso3"])
    assert set(areas["area_kind"]) == {"other", "subnational"}


def test_codes_are_read_back_to_the_api_spelling_and_notspec_is_empty():
    trafficking = parse("vc_htf_detv").accepted
    assert set(trafficking["sex"]) == {"BOTHSEX", "MALE", "FEMALE", "_O", "_U"}
    assert set(trafficking["age"]) == {"ALLAGE", "18+", "<18Y", "_U"}
    assert row(parse("vc_htf_detv"), geo_area_code="124", year=2021, sex="_U")["age"] == "_U"
    alcohol = parse("sh_alc_conspt")
    first = row(alcohol, geo_area_code="001", year=2000, sex="BOTHSEX")
    assert (first["age"], first["nature"], first["observation_status"], first["units"], first["value"]) == (
        "15+", "N", "A", "LTPUREAL", 5.07967)
    assert set(alcohol.accepted["nature"]) == {"G", "N"}
    treatment = parse("sh_sud_treat")
    # `notspec` is the re-cut's filler for an empty cell, not a nature the API published.
    assert treatment.facts["not_specified_cells"] == 80 and treatment.accepted["nature"].null_count() == 80
    usa = treatment.accepted.filter((pl.col("country_iso3") == "USA") & (pl.col("year") == 2017))
    assert dict(zip(usa["dimensions"].map_elements(lambda d: json.loads(d)["substance_use_disorders"],
                                                   return_dtype=pl.Utf8), usa["value"])) == {
        "OPIOIDS": pytest.approx(45.36768), "TOTAL": pytest.approx(17.20885)}
    assert set(parse("iu_cor_brib").accepted["nature"]) == {"C", "E", "G"}
    assert set(parse("vc_arm_sztrace").accepted["units"]) == {"PERCENT"}


def test_bad_rows_are_rejected_with_their_reason_and_nothing_is_lost():
    data = edited(HOMICIDE, {
        1546: "76,c,bothsex,per_100000_pop,2019,n/a",
        1567: "76,c,female,per_100000_pop,2O19,3.47",
        1588: "76,c,male,per_100000_pop,2150,38.67",
        4474: "999,c,bothsex,per_100000_pop,2020,47.26",
        8086: "827,c,bothsex,per_100000_pop,2018,",
    }, append=["76,c,bothsex,per_100000_pop,2020"])
    result = parse_ddf(data, filename=HOMICIDE.name)
    assert result.rows_in == ROWS["vc_ihr_psrc"] + 1
    assert (result.rows_accepted, result.rows_rejected) == (ROWS["vc_ihr_psrc"] - 5, 6) and result.reconciles
    reasons = {r: (c, why) for r, c, why in result.rejects.select("row", "column", "reason").iter_rows()}
    assert reasons[1546] == ("vc_ihr_psrc", "value is not a number: n/a")
    assert reasons[1567] == ("year", "year is not a whole number: 2O19")
    assert reasons[1588] == ("year", f"impossible year (outside 1900-{date.today().year}): 2150")
    assert reasons[4474][0] == "geo_area" and reasons[4474][1].startswith("unknown M49 area code")
    assert reasons[8086] == ("vc_ihr_psrc", "value is empty: (empty)")
    assert reasons[8554] == ("vc_ihr_psrc", "the row has 5 cells, the header 6")
    assert not result.accepted["source_row"].is_in([1546, 1567, 1588, 4474, 8086, 8554]).any()


@pytest.mark.parametrize("header, missing", [
    ("area,nature,sex,units,year,vc_ihr_psrc", "required column(s) missing: geo_area"),
    ("geo_area,nature,sex,unit,year,vc_ihr_psrc", "required column(s) missing: units"),
    ("geo_area,nature,sex,units,year,value", "no value column named after an SDG series"),
])
def test_an_unknown_layout_is_refused_in_one_line_naming_what_is_missing(header, missing):
    data = edited(HOMICIDE, {1: header})
    with pytest.raises(SourceError) as err:
        parse_ddf(data, filename=HOMICIDE.name)
    assert missing in str(err.value) and "\n" not in str(err.value)
    assert str(err.value).startswith(f"file {HOMICIDE.name}, row 1")


def test_the_layout_comes_from_the_header_not_the_file_name():
    alcohol = FILES["sh_alc_conspt"].read_bytes()
    renamed = parse_ddf(alcohol, filename="export.csv")
    assert renamed.rows_accepted == ROWS["sh_alc_conspt"] and renamed.facts["value_column"] == "sh_alc_conspt"
    misnamed = parse_ddf(alcohol, filename=HOMICIDE.name)
    assert misnamed.accepted["series_code"].unique().to_list() == ["SH_ALC_CONSPT"]
    assert any("the header is followed" in w for w in misnamed.warnings)
    # Columns in another order are the same layout.
    lines = FILES["vc_arm_sztrace"].read_text().splitlines()
    swapped = "\n".join(",".join(reversed(line.split(","))) for line in lines).encode()
    assert parse_ddf(swapped, filename="x.csv").accepted.drop("source_row").equals(
        parse("vc_arm_sztrace").accepted.drop("source_row"))


@pytest.mark.parametrize("data, reason", [
    (b"PK\x03\x04rest", "not a CSV file: the bytes are a zip archive"),
    (b"<html><body>Service unavailable</body></html>", "not a CSV file: the bytes are HTML or XML"),
    ("geo_area,units,year,vc_arm_sztrace\n".encode("utf-16"), "not UTF-8: UTF-16"),
    (b"", "file is empty"),
    (b"geo_area,nature,units,year,vc_arm_sztrace\n", "the file has a header but no rows"),
    (b"geo_area,units,units,year,vc_arm_sztrace\n8,percent,percent,2020,1\n", "column 'units' appears twice"),
])
def test_a_file_that_is_not_a_ddf_csv_is_refused(data, reason):
    with pytest.raises(SourceError, match=reason.replace("(", r"\(")):
        parse_ddf(data, filename="x.csv")


# --------------------------------------------------------------------------- the API's JSON

def entities() -> dict[str, dict[str, str]]:
    out = {}
    for path in REFERENCE.glob("ddf--entities--*.csv"):
        concept = path.stem.split("--")[-1]
        out[concept] = {r[concept]: r["name"] for r in csv.DictReader(path.open(encoding="utf-8"))}
    return out


API_NAMES = {"sex": "Sex", "age": "Age", "substance_use_disorders": "Substance use disorders"}
API_ATTRIBUTES = {"nature": "Nature", "units": "Units", "observation_status": "Observation Status"}


def api_rows(path: Path, indicator: str) -> list[dict]:
    """The file's real rows as the SDG API answers them (its codes from the re-cut's entity lists)."""
    names = entities()
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    value_column = path.name.split("--")[2]
    out = []
    for r in rows:
        attributes = {API_ATTRIBUTES[k]: names[k][v] for k, v in r.items() if k in API_ATTRIBUTES and v != "notspec"}
        dimensions = {API_NAMES[k]: names[k][v] for k, v in r.items() if k in API_NAMES and v != "notspec"}
        out.append({"goal": [indicator.split(".")[0]], "indicator": [indicator], "series": value_column.upper(),
                    "geoAreaCode": r["geo_area"], "geoAreaName": names["geo_area"][r["geo_area"]],
                    "timePeriodStart": float(r["year"]), "value": r[value_column], "valueType": "Float",
                    "attributes": attributes, "dimensions": dimensions})
    return out


def as_json(doc: dict) -> bytes:
    return json.dumps(doc).encode()


@pytest.mark.parametrize("series, indicator", [("vc_ihr_psrc", "16.1.1"), ("vc_htf_detv", "16.2.2"),
                                               ("sh_alc_conspt", "3.5.2"), ("sh_sud_treat", "3.5.1")])
def test_the_api_answer_gives_the_same_table_as_the_ddf_file(series, indicator):
    rows = api_rows(FILES[series], indicator)
    data = as_json({"size": len(rows), "totalElements": len(rows), "totalPages": 1, "pageNumber": 1,
                    "attributes": [], "dimensions": [], "data": rows})
    assert b'"timePeriodStart": 20' in data     # a number, 2019.0, as the API writes it
    api, ddf = parse_api(data, filename=f"{series}.json"), parse(series)
    assert api.rows_in == ddf.rows_in and api.reconciles and api.rows_rejected == 0
    assert api.accepted.drop("source_row").equals(ddf.accepted.drop("source_row"))
    # The API's row is its position in the answer; the file's, its line (the header is line 1).
    assert (api.accepted["source_row"] + 1).equals(ddf.accepted["source_row"])
    assert parse_sdg(data, filename="answer.json").facts["format"] == "sdg_api_json"


def test_a_stored_series_is_its_pages_and_must_hold_every_observation():
    rows = api_rows(FILES["vc_arm_sztrace"], "16.4.2")
    pages = [{"totalElements": 45, "totalPages": 2, "pageNumber": n, "data": part}
             for n, part in ((1, rows[:30]), (2, rows[30:]))]
    whole = parse_api(as_json({"series": "VC_ARM_SZTRACE", "totalElements": 45, "pages": pages}), filename="s.json")
    assert whole.rows_in == 45 and whole.accepted["source_row"].to_list() == list(range(1, 46))
    assert whole.accepted.drop("source_row").equals(parse("vc_arm_sztrace").accepted.drop("source_row"))
    with pytest.raises(SourceError, match="pages hold 30 observations; totalElements says 45"):
        parse_api(as_json({"series": "VC_ARM_SZTRACE", "totalElements": 45, "pages": pages[:1]}), filename="s.json")


def test_bad_observations_of_an_answer_are_rejected_with_their_reason():
    rows = api_rows(FILES["vc_arm_sztrace"], "16.4.2")[:7]
    rows[0]["value"] = "NaN"
    rows[1]["value"] = ">95"
    rows[2]["timePeriodStart"] = 2016.5
    rows[3]["geoAreaCode"] = "998"
    rows[4] = "not an observation"
    rows[5]["geoAreaName"] = "=HYPERLINK(\"http://x\")"
    rows[6]["value"] = "1e999"
    result = parse_api(json.dumps({"totalElements": 7, "pageNumber": 1, "data": rows}).encode(), filename="p.json")
    assert (result.rows_in, result.rows_accepted, result.rows_rejected) == (7, 0, 7) and result.reconciles
    reasons = dict(result.rejects.select("row", "reason").iter_rows())
    assert reasons[1] == "value is not a number: NaN" and reasons[2] == "value is not a number: >95"
    assert reasons[3] == "year is not a whole number: 2016.5"
    assert reasons[4].startswith("unknown M49 area code") and reasons[5] == "the observation is not a JSON object"
    assert reasons[6].startswith("label looks like a spreadsheet formula")
    assert reasons[7] == "value is not a number: 1e999"


def test_bounds_reporting_type_and_footnotes_of_an_answer_are_kept():
    (obs,) = api_rows(FILES["vc_ihr_psrc"], "16.1.1")[:1]
    obs.update(lowerBound="6.1", upperBound="7.7", source="UNODC estimates", footnotes=["a", "b"])
    obs["dimensions"]["Reporting Type"] = "G"
    (r,) = parse_api(json.dumps({"totalElements": 1, "pageNumber": 1, "data": [obs]}).encode(),
                     filename="p.json").accepted.to_dicts()
    assert (r["lower_bound"], r["upper_bound"], r["reporting_type"], r["data_source"], r["footnote"]) == (
        6.1, 7.7, "G", "UNODC estimates", "a; b")


@pytest.mark.parametrize("data, reason", [
    (b"<!DOCTYPE html><html>maintenance</html>", "not JSON: the answer is an HTML or XML page"),
    (b'{"totalElements": 3, "data": [', "not JSON: Expecting value"),
    (b'{"message": "An error has occurred."}', "no `data` array"),
    (b'{"totalElements": 0, "data": []}', "the answer holds no observations"),
    (b'{"data": [{"geoAreaCode": "4", "value": "1"}]}', "no observation has series, timePeriodStart"),
    (b'[1, 2]', "JSON object expected"),
])
def test_an_answer_that_is_not_series_data_is_refused_in_one_line(data, reason):
    with pytest.raises(SourceError, match=reason.replace("(", r"\(")) as err:
        parse_api(data, filename="p.json")
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------- snapshots and reference lists

def test_the_bundled_files_import_as_snapshots_of_their_retrieval_date(tmp_path):
    from sources.catalog import import_bundled
    from sources.snapshots import SnapshotStore

    store = SnapshotStore(tmp_path)
    snaps = import_bundled(store, "sdg_global_database")
    assert sorted(s.dataset for s in snaps) == sorted(f"sdg_{s}" for s in ROWS)
    assert {(s.family, s.format, s.version, s.as_of) for s in snaps} == {
        ("sdg_global_database", "sdg_ddf_csv", "2023-12-17", "2023-12-17")}
    assert {s.upstream["commit"] for s in snaps} == {"e0117e9f1c068be8379f0ad94a07d2839c79a60b"}
    for snap in snaps:
        result = parse_sdg(store.read_bytes(snap), filename=snap.filename)
        assert result.rows_accepted == ROWS[snap.dataset[len("sdg_"):]]


def test_the_reference_lists_are_the_upstream_files():
    sums = dict(line.split()[::-1] for line in (REFERENCE / "SHA256SUMS").read_text().splitlines())
    files = {p.name for p in REFERENCE.glob("*.csv")}
    assert files == set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((REFERENCE / name).read_bytes()).hexdigest() == digest, name


# --------------------------------------------------------------------------- damaged files (tests/bad_inputs)

def sztrace_answer() -> dict:
    rows = api_rows(FILES["vc_arm_sztrace"], "16.4.2")
    return {"series": "VC_ARM_SZTRACE", "totalElements": len(rows),
            "pages": [{"totalElements": len(rows), "totalPages": 1, "pageNumber": 1, "data": rows}]}


@pytest.mark.parametrize("encoding, says", [("utf-16", "it starts with a UTF-16 byte-order mark"),
                                            ("utf-16-le", "UTF-16 little-endian text without a byte-order mark"),
                                            ("utf-16-be", "UTF-16 big-endian text without a byte-order mark")])
def test_an_answer_saved_as_utf16_is_refused_as_such_by_the_api_reader(encoding, says):
    """It was read as a DDF file ("save it as CSV UTF-8"), or as UTF-8 JSON with a misleading position."""
    data = json.dumps(sztrace_answer()).encode(encoding)
    with pytest.raises(SourceError) as err:
        parse_sdg(data, filename="VC_ARM_SZTRACE.json")
    assert says in str(err.value) and "save it as UTF-8" in str(err.value) and "CSV" not in str(err.value)


def test_a_row_cut_short_or_too_long_names_the_column_and_an_unclosed_quote_its_own_row():
    lines = FILES["vc_arm_sztrace"].read_text().splitlines()
    short = "\n".join(lines[:3] + ["31,c,percent,2017"] + lines[3:] + ["31,c,percent,2017,5,9"]) + "\n"
    result = parse_ddf(short.encode(), filename="x.csv")
    assert result.reconciles and result.rows_rejected == 2
    assert dict(result.rejects.select("row", "column").iter_rows()) == {4: "vc_arm_sztrace", 48: "cell 6 (no header)"}
    unclosed = "\n".join(lines[:3] + ['31,"c,percent,2017,5'] + lines[3:]) + "\n"
    with pytest.raises(SourceError) as err:
        parse_ddf(unclosed.encode(), filename="x.csv")
    assert err.value.row == 4 and "a quote opened on this line is never closed" in str(err.value)


def test_huge_texts_are_quoted_short_and_a_lone_surrogate_is_rejected_not_a_crash():
    doc = sztrace_answer()
    rows = doc["pages"][0]["data"]
    rows[0]["value"] = "9" * 5000
    rows[1]["geoAreaName"] = "\ud800"
    rows[2]["series"] = "VC_IHR_PSRC"
    data = json.dumps(doc).encode()           # the surrogate is written as the escape \ud800
    result = parse_api(data, filename="s.json")
    assert result.reconciles and (result.rows_accepted, result.rows_rejected) == (42, 3)
    rejects = {r["row"]: r for r in result.rejects.to_dicts()}
    assert rejects[1]["reason"] == "value is not a number: " + "9" * 80 + "… (5000 characters)"
    assert (rejects[2]["column"], rejects[2]["value"]) == ("geoAreaName", "\\ud800")
    assert (rejects[3]["column"], rejects[3]["reason"]) == (
        "series", "an observation of series VC_IHR_PSRC in the stored series VC_ARM_SZTRACE")
    doc["totalElements"] = int("9" * 4000)
    with pytest.raises(SourceError) as err:
        parse_api(json.dumps(doc).encode(), filename="s.json")
    assert len(str(err.value)) < 200 and "(4000 characters)" in str(err.value)


@pytest.mark.parametrize("data, filename, says", [
    (b"<!DOCTYPE html><html>404</html>", "VC_ARM_SZTRACE.json", "not JSON: the answer is an HTML or XML page"),
    (b'[{"series": "VC_ARM_SZTRACE"}]', "answer.txt", "not an SDG API answer: JSON object expected"),
    (b"PK\x03\x04\x14\x00\x06\x00rest", "x.csv", "not a CSV file: the bytes are a zip archive"),
])
def test_each_reader_says_what_is_wrong_with_the_file_it_was_meant_for(data, filename, says):
    """An HTML page saved as .json, or a JSON array, was refused as "not a CSV file"; a workbook
    saved as .csv as "a NUL byte at offset 5"."""
    with pytest.raises(SourceError, match=says):
        parse_sdg(data, filename=filename)
