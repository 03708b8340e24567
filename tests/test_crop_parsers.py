"""The crop-survey parsers: the real WDR 2022 table 6.1.1 and the compiled CSVs, and annex layouts
the bundle lacks (opium with minimum and maximum rows, eradication blocks) written in the annex's
own shape."""
from __future__ import annotations

import json

import polars as pl
import pytest

from sources.crops.compiled import parse_compiled
from sources.crops.rows import table_identity
from sources.crops.wdr_annex import header_year, parse_wdr_annex, split_label
from sources.errors import SourceError

from .conftest import BUNDLED
from .xlsx import write_xlsx

CROPS = BUNDLED / "crop_surveys"
COCA = CROPS / "6.1.1_-_Illicit_coca_bush_cultivation.xlsx"


@pytest.fixture(scope="module")
def coca():
    return parse_wdr_annex(COCA.read_bytes(), filename=COCA.name, edition="WDR 2022")


def test_title_unit_and_year_header_with_excel_serials(coca):
    assert coca.facts["title"] == "Global illicit cultivation of coca bush, 2009-2020 (hectares)"
    assert coca.facts["unit"] == "hectares" and coca.facts["header_row"] == 5     # as Excel numbers it
    assert coca.facts["years"] == list(range(2009, 2021))
    assert coca.facts["serial_year_headers"] == [2009, 2010, 2011, 2012, 2013]
    assert header_year("39817") == 2009 and header_year("2009-01-04 00:00:00") == 2009 and header_year("2014") == 2014


def test_footnote_letters_leave_labels_and_keep_their_text(coca):
    names = set(coca.accepted["name"])
    assert names == {"Bolivia (Plurinational State of)", "Colombia", "Peru", "Total"}
    assert coca.facts["footnotes"]["b"].startswith("Figures represent the area under coca cultivation as interpreted")
    assert coca.facts["sources"][0].startswith("Sources: Plurinational State of Bolivia")
    assert "Note:" in coca.facts["sources"][0]
    assert split_label("  Total b,c,d") == ("Total", ["b", "c", "d"])
    assert split_label("Colombia a") == ("Colombia", ["a"])


def test_peru_series_stay_apart(coca):
    peru = coca.accepted.filter(pl.col("country_iso3") == "PER")
    by_series = {s: sorted(peru.filter(pl.col("series") == s)["year"].to_list()) for s in ("b", "c")}
    assert by_series["b"] == [2009, 2010, 2011] and by_series["c"][0] == 2011 and by_series["c"][-1] == 2020
    both_2011 = peru.filter(pl.col("year") == 2011).sort("series")["value"].to_list()
    assert both_2011 == [64400.0, 62500.0]


def test_the_2020_total_discrepancy_is_reported_not_hidden(coca):
    off = [c for c in coca.facts["total_checks"] if not c["agrees"]]
    assert off == [{"total": "Total", "band": None, "year": 2020, "published": 234200.0, "rows_sum": 234000.0,
                    "difference": 200.0, "agrees": False, "source_row": 11}]
    assert any("234,200" in w and "234,000" in w for w in coca.warnings)
    # 2011: the published total uses Peru's satellite series (footnote d), and so does the check.
    check_2011 = next(c for c in coca.facts["total_checks"] if c["year"] == 2011)
    assert check_2011["agrees"] and check_2011["published"] == 155600.0
    total = coca.accepted.filter(pl.col("is_total"), pl.col("year") == 2020)
    assert total["value"].to_list() == [234200.0] and total["series"].to_list() == ["d"]


def test_rows_reconcile(coca):
    assert coca.rows_in == 5 and coca.reconciles and coca.rejects.height == 0
    assert table_identity(COCA.name, coca.facts["title"]) == ("coca_bush", "cultivation_ha")


def opium_table(tmp_path, extra_rows=()):
    rows = [
        [None, None, None, None],
        ["Cultivation of opium poppy in selected countries, 2013-2015 (hectares)"],
        [],
        [None, 41279, 2014, "2015"],
        ["SOUTH-EAST ASIA"],
        ["  Lao People's Democratic Republic a (best estimate)", 3900, 6200, 5700],
        ["minimum", 2500, 3500, ".."],
        ["maximum", 6000, 9000, ".."],
        ["  Myanmar a (best estimate)", 57800, 57600, 55500],
        ["Subtotal (best estimate)", 61700, 63800, 61200],
        *extra_rows,
        [],
        ["a) Figures from the national illicit crop monitoring system supported by UNODC."],
        ["Sources: UNODC opium surveys."],
        ["Note: the estimates are rounded."],
    ]
    return write_xlsx(tmp_path / "6.2.1_illicit_cultivation_of_opium_poppy.xlsx", rows, sheet="6_2_1")


def test_best_estimate_minimum_and_maximum_belong_to_one_country(tmp_path):
    path = opium_table(tmp_path)
    result = parse_wdr_annex(path.read_bytes(), filename=path.name, edition="WDR 2016")
    lao = result.accepted.filter(pl.col("country_iso3") == "LAO")
    assert set(lao["estimate"]) == {"best estimate", "minimum", "maximum"}
    assert lao.filter(pl.col("estimate") == "minimum", pl.col("year") == 2013)["value"].to_list() == [2500.0]
    assert lao.filter(pl.col("year") == 2015)["estimate"].to_list() == ["best estimate"]   # '..' is missing
    assert result.facts["missing_cells"] == 2
    assert set(lao["series"]) == {"a"} and set(lao["band"]) == {"South-East Asia"}
    assert result.facts["years"] == [2013, 2014, 2015]
    assert all(c["agrees"] for c in result.facts["total_checks"]) and len(result.facts["total_checks"]) == 3
    assert result.facts["notes"] == ["Note: the estimates are rounded."]


def test_a_bad_cell_rejects_its_row(tmp_path):
    path = opium_table(tmp_path, extra_rows=[["  Thailand", "12x", 300, 200], ["  Atlantis", 1, 2, 3]])
    result = parse_wdr_annex(path.read_bytes(), filename=path.name)
    reasons = {r["row"]: r["reason"] for r in result.rejects.to_dicts()}
    assert reasons[11] == "not a number: '12x'"
    assert reasons[12] == "label maps to no country: 'Atlantis'"
    assert result.reconciles


def test_eradication_blocks_carry_country_method_and_unit(tmp_path):
    rows = [
        ["Reported eradication of coca bush, 2018-2020"],
        ["Country", "Method", "Unit", 2018, 2019, 2020, "source 2020"],
        ["Colombia", "manual", "hectare", 60000, 94600, 130100, "ARQ2020"],
        [None, "spraying", None, 0, 0, 0, None],
        ["Peru", "manual", "hectare", 25100, 25500, 6300, "https://www.unodc.org/"],
        [None, None, "plants", "..", 1000, 2000, None],
    ]
    path = write_xlsx(tmp_path / "6.1.2_-_Eradication_of_coca_bush.xlsx", rows, sheet="6_1_2")
    result = parse_wdr_annex(path.read_bytes(), filename=path.name, edition="WDR 2022")
    assert table_identity(path.name, result.facts["title"]) == ("coca_bush", "eradication_ha")
    blocks = {(r["country_iso3"], r["source_row"]): json.loads(r["block"]) for r in result.accepted.to_dicts()}
    assert blocks[("COL", 4)] == {"Method": "spraying", "Unit": "hectare"}
    assert blocks[("PER", 6)] == {"Method": "manual", "Unit": "plants"}
    assert blocks[("COL", 3)]["source 2020"] == "ARQ2020"
    assert result.accepted.filter(pl.col("source_row") == 6)["year"].to_list() == [2019, 2020]


def test_not_an_annex_table_is_refused():
    with pytest.raises(SourceError, match="no header row of years"):
        parse_wdr_annex((BUNDLED / "crime_statistics" / "data_glotip.xlsx").read_bytes(), filename="x.xlsx")


def test_compiled_figures_keep_source_type_and_edition():
    coca = parse_compiled((CROPS / "coca_cultivation_ha_by_country_year.csv").read_bytes(), filename="coca.csv")
    opium = parse_compiled((CROPS / "opium_poppy_cultivation_ha_by_country_year.csv").read_bytes(), filename="opium.csv")
    assert coca.rows_in == 51 and coca.reconciles and opium.rows_in == 116 and opium.reconciles
    editions = dict(coca.accepted.group_by("source_type").agg(pl.col("edition").unique().sort()).iter_rows())
    assert editions["WDR statistical annex workbook"] == ["WDR 2022"]
    assert set(editions["press report of UNODC survey (web page, excerpt)"]) <= {"UNODC survey 2021", "UNODC survey 2022"}
    assert set(opium.accepted.filter(pl.col("source_type").str.starts_with("WDR 2016"))["edition"]) == {"WDR 2016"}
    assert opium.accepted.filter(pl.col("measure") == "production_t").height == 7
    assert coca.accepted.filter(pl.col("is_total")).height == 12


def test_other_governments_series_and_bad_rows_are_rejected(tmp_path):
    text = (CROPS / "opium_poppy_cultivation_ha_by_country_year.csv").read_text()
    header = text.splitlines()[0]
    bad = "\n".join([
        header,
        'AFG,Afghanistan,opium_poppy,2017,328000,,best estimate,,press,"UNODC survey as reported",,',
        'AFG,Afghanistan,opium_poppy,2017,329000,,best estimate,,government estimate,"US ONDCP estimate",,',
        'MMR,Myanmar,opium_poppy,2018,-5,,best estimate,,press,"UNODC survey",,',
        'XXX,Atlantis,opium_poppy,2018,5,,best estimate,,press,"UNODC survey",,',
        'AFG,Afghanistan,opium_poppy,1013,5,,best estimate,,press,"UNODC survey",,',
    ]) + "\n"
    result = parse_compiled(bad.encode(), filename="opium.csv")
    reasons = {r["row"]: r["reason"] for r in result.rejects.to_dicts()}
    assert "not a UNODC series" in reasons[3] and reasons[4] == "negative quantity"
    assert "does not match" in reasons[5] and "year" in reasons[6]
    assert result.accepted.height == 1 and result.reconciles
