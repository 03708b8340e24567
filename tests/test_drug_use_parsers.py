"""The WDR drug tables on the real bundled workbooks (1.2 national prevalence, 1.1 regional and
global estimates, 8.1 prices and purities), and each trap of them: the header found wherever it
stands, footnote paragraphs that are never rows, an impossible survey year rejected with its
reason, a table of an unknown layout refused in one line, another sheet or edition loading with no
code change, units and currencies kept as published."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import polars as pl
import pytest

from orchestration.cli import main
from sources.drug_use import parse_drug_use
from sources.errors import SourceError
from sources.excel import read_sheet_as_text, sheet_names

from .bad_inputs.build import xlsx
from .conftest import ROOT

BUNDLED = ROOT / "sources" / "bundled" / "drug_use_and_markets"
NATIONAL = BUNDLED / "1.2_-_Prevalence_of_drug_use_in_the_general_population_including_NPS_national_data.xlsx"
REGIONAL = BUNDLED / "1.1_-_Prevalence_of_drug_use_in_the_general_population_regional_and_global_estimates.xlsx"
MARKETS = BUNDLED / "8.1_-_Prices_and_purities_of_drugs.xlsx"


@lru_cache(maxsize=None)
def parsed(path: Path):
    return parse_drug_use(path.read_bytes(), filename=path.name)


@lru_cache(maxsize=None)
def sheet_rows(path: Path, sheet: str) -> tuple[tuple, ...]:
    _, frame = read_sheet_as_text(path.read_bytes(), path.name, sheet)
    return tuple(tuple(r) for r in frame.drop("excel_row").iter_rows())


def rows(path: Path, sheet: str) -> list[list]:
    return [list(r) for r in sheet_rows(path, sheet)]


def book(**sheets: list[list]) -> bytes:
    return xlsx(sheets)


# --------------------------------------------------------------------------- 1.2, national prevalence

def test_every_sheet_of_the_national_table_is_read_by_its_header_and_reconciles():
    result = parsed(NATIONAL)
    sheets = result.facts["sheets"]
    assert len(sheets) == 10 and {s["header_row"] for s in sheets.values()} == {3}
    assert sheets["Tranquillizers and sedatives"]["layout"] == "prevalence"      # Total, not Best
    assert sheets["NPS"]["layout"] == "nps_prevalence"
    assert result.reconciles and result.rows_in == 2243 and result.rows_rejected == 1
    assert result.rows_accepted == 2242
    prevalence = result.tables["prevalence"]
    assert set(prevalence["drug"]) >= {"Cannabis", "Cocaine", "Opiates", "Tranquillizers and sedatives",
                                      '"Ecstasy"-type substances', "New psychoactive substances"}
    assert 1998 <= prevalence["year"].min() and prevalence["year"].max() == 2020


def test_a_survey_keeps_best_low_high_sex_age_source_and_method_as_published():
    p = parsed(NATIONAL).tables["prevalence"]
    kenya = p.filter((pl.col("sheet") == "Cannabis") & (pl.col("source_row") == 4))
    assert kenya.select("sex", "best", "low", "high").sort("sex").rows() == [
        ("Female", 0.3, None, None), ("Male", 2.1, None, None), ("Total", 1.2, None, None)]
    row = kenya.row(0, named=True)
    assert (row["country_iso3"], row["year"], row["age"], row["source"], row["method"]) == ("KEN", 2016, "15-64", "ARQ", "HHS")
    bounded = p.filter((pl.col("sheet") == "Cannabis") & (pl.col("source_row") == 5) & (pl.col("sex") == "Total"))
    assert bounded.select("best", "low", "high", "age", "adjustment_notes").row(0) == (2.1, 0.3, 4.0, "15-65", "b, e")
    # Method codes with trailing spaces ('HHS ') are read without them; an age is text ('12+').
    assert not p.filter(pl.col("method").str.ends_with(" ")).height
    assert "12+" in set(p["age"])


def test_a_footnote_paragraph_is_never_a_row():
    result = parsed(NATIONAL)
    p = result.tables["prevalence"]
    assert not p.filter(pl.col("country_name").str.starts_with("Except where")).height
    assert all(s["notes_skipped"] == 1 for name, s in result.facts["sheets"].items() if name != "NPS")
    last = rows(NATIONAL, "Cannabis")[-1]
    assert str(last[0]).startswith("Except where") and len(result.rejects.filter(pl.col("sheet") == "Cannabis")) == 0


def test_a_survey_span_keeps_its_text_and_a_part_of_a_country_is_never_the_country():
    p = parsed(NATIONAL).tables["prevalence"]
    span = p.filter(pl.col("year_text") == "2010-11").row(0, named=True)
    assert (span["year"], span["year_end"]) == (2010, 2011)
    scotland = p.filter(pl.col("country_name") == "United Kingdom (Scotland)")
    assert scotland.height and set(scotland["area_kind"]) == {"subnational"} and set(scotland["parent_iso3"]) == {"GBR"}
    assert scotland["country_iso3"].null_count() == scotland.height


def test_the_header_is_found_wherever_it_stands():
    sheet = rows(NATIONAL, "Cocaine")
    moved = [["World Drug Report 2022"], [], *sheet]
    result = parse_drug_use(book(Cocaine=moved), filename="moved.xlsx")
    assert result.facts["sheets"]["Cocaine"]["header_row"] == 5
    original = parsed(NATIONAL).tables["prevalence"].filter(pl.col("sheet") == "Cocaine")
    assert result.tables["prevalence"].height == original.height
    assert result.tables["prevalence"]["source_row"].min() == original["source_row"].min() + 2


def test_another_drug_sheet_under_another_name_and_file_loads_by_its_columns_in_any_order():
    sheet = rows(NATIONAL, "Opiates")
    header = sheet[2]
    order = list(reversed(range(len(header))))
    shuffled = sheet[:2] + [[r[i] if i < len(r) else None for i in order] for r in sheet[2:]]
    result = parse_drug_use(book(Feuil1=shuffled), filename="table_annexe_opiaces.xlsx")
    assert result.facts["sheets"]["Feuil1"]["layout"] == "prevalence"
    original = parsed(NATIONAL).tables["prevalence"].filter(pl.col("sheet") == "Opiates")
    got = result.tables["prevalence"]
    assert set(got["drug"]) == {"Opiates"} and got.height == original.height
    assert got.select("country_name", "year", "sex", "best").sort(pl.all()).equals(
        original.select("country_name", "year", "sex", "best").sort(pl.all()))


def test_another_population_group_of_the_same_publication_loads_with_no_code_change():
    sheet = rows(NATIONAL, "Cannabis")
    youth = [["CANNABIS"], ["Annual prevalence of use among students aged 15-16 (school surveys)"], sheet[2],
             ["Europe", "Western and Central Europe", "France", "21.1", "19.0", "23.2", "23.0", "19.2", "2019", "15-16",
              "ESPAD", "SS", None, None]]
    result = parse_drug_use(book(ESPAD=youth), filename="espad.xlsx")
    (row,) = result.tables["prevalence"].filter(pl.col("sex") == "Total").to_dicts()
    assert (row["country_iso3"], row["age"], row["method"], row["best"], row["low"]) == ("FRA", "15-16", "SS", 21.1, 19.0)


@pytest.mark.parametrize("year, says", [("1013", "impossible survey year: 1013"), ("2031", "impossible survey year: 2031"),
                                        ("2019-12", "impossible survey year: 2019-12"), (None, "no survey year")])
def test_an_impossible_survey_year_is_a_rejected_row_with_its_reason(year, says):
    sheet = rows(NATIONAL, "Cocaine")
    year_col = [str(c).strip() for c in sheet[2]].index("Year")
    sheet[4][year_col] = year
    result = parse_drug_use(book(Cocaine=sheet), filename="cocaine.xlsx")
    (reject,) = result.rejects.to_dicts()
    assert says in reject["reason"] and (reject["sheet"], reject["row"], reject["column"]) == ("Cocaine", 5, "Year")
    assert result.reconciles and result.rows_rejected == 1


def test_a_table_of_an_unknown_layout_is_refused_in_one_line_naming_what_is_missing():
    sheet = rows(NATIONAL, "Cannabis")
    best = [str(c).strip() for c in sheet[2]].index("Best")
    sheet[2][best] = "Estimate"
    with pytest.raises(SourceError) as err:
        parse_drug_use(book(Cannabis=sheet), filename="cannabis.xlsx")
    message = str(err.value)
    assert "\n" not in message
    assert "sheet 'Cannabis'" in message and "row 3" in message and "best or total" in message
    assert message.startswith("file cannabis.xlsx")


def test_a_sheet_of_no_known_layout_beside_known_ones_is_skipped_with_a_warning():
    result = parse_drug_use(book(Notes=[["Read me"], ["These tables ..."]], Cocaine=rows(NATIONAL, "Cocaine")),
                            filename="with_notes.xlsx")
    assert result.tables["prevalence"].height and any("'Notes' skipped" in w for w in result.warnings)


# --------------------------------------------------------------------------- 1.1, regional and global

def test_the_regional_table_keeps_unodcs_estimates_with_bounds_and_users_in_persons():
    result = parsed(REGIONAL)
    r = result.tables["regional_prevalence"]
    assert result.reconciles and result.rows_rejected == 0
    world = r.filter((pl.col("region_level") == "global") & (pl.col("drug") == "Cannabis"))
    users = world.filter(pl.col("measure") == "users").row(0, named=True)
    prevalence = world.filter(pl.col("measure") == "prevalence").row(0, named=True)
    assert (users["best"], users["low"], users["high"], users["unit"]) == (209220000.0, 149450000.0, 264980000.0, "persons")
    assert (prevalence["year"], round(prevalence["best"], 6), prevalence["unit"]) == (2020, 4.116236, "percent")
    # Footnote letters glued to a drug's name are taken off; the header's text is kept.
    cocaine = r.filter(pl.col("drug") == "Cocaine")
    assert set(cocaine["drug_text"]) == {"Cocainea"}
    assert "Amphetamines and prescription stimulants" in set(r["drug"])
    # '-' is no estimate: a row of only '-' is not available, never zero; footnote lines are no rows.
    assert result.rows_not_available > 0 and not r.filter(pl.col("region_name") == "Melanesia").height
    assert result.facts["notes_skipped"] == 3
    assert set(r.filter(pl.col("region_name") == "East Africa")["region"]) <= {"Africa"}


# --------------------------------------------------------------------------- 8.1, prices and purities

def test_prices_keep_their_unit_currency_and_level_never_converted():
    result = parsed(MARKETS)
    prices = result.tables["prices"]
    assert result.reconciles
    kenya = prices.filter((pl.col("country_iso3") == "KEN") & (pl.col("year") == 2016)
                          & (pl.col("drug") == "Cannabis herb (marijuana)")).row(0, named=True)
    assert (kenya["typical"], kenya["minimum"], kenya["maximum"], kenya["unit"], kenya["unit_normalised"]) == (
        30.0, 20.0, 50.0, "5 gram", "5 gram")
    assert kenya["currency"] == "National currency (not EUR, USD or CHF)" and kenya["currency_code"] == "national"
    assert (kenya["level_of_sale"], kenya["level"]) == ("Street", "retail")
    spellings = prices.group_by("currency_code").agg(pl.col("currency").unique().sort()).sort("currency_code").rows()
    assert ("USD", ["USA", "United States dollar"]) in spellings and ("EUR", ["EUR", "Euro"]) in spellings
    # A row with only a range keeps it, with no typical price made up.
    only_range = prices.filter(pl.col("typical").is_null())
    assert only_range.height > 900 and only_range["minimum"].null_count() < only_range.height


def test_a_price_row_without_year_unit_or_figure_is_rejected_with_its_reason():
    rejects = parsed(MARKETS).rejects
    assert rejects.filter(pl.col("reason") == "no year").height == 19
    assert set(rejects.filter(pl.col("reason") == "no year")["column"]) == {"Year"}
    assert rejects.filter(pl.col("reason").str.starts_with("no unit")).height == 11
    assert rejects.filter(pl.col("reason").str.starts_with("minimum price")).height > 0


def test_purity_is_a_fraction_with_the_scale_it_was_read_in_stated():
    purities = parsed(MARKETS).tables["purities"]
    turkey = purities.filter((pl.col("country_iso3") == "TUR") & (pl.col("drug") == "Heroin")
                             & (pl.col("year") == 2020) & (pl.col("level_of_sale") == "Retail")).row(0, named=True)
    assert (turkey["typical"], turkey["purity_scale"], round(turkey["typical_fraction"], 5)) == (20.007, "percent", 0.20007)
    kenya = purities.filter((pl.col("country_iso3") == "KEN") & (pl.col("drug") == "Cocaine")
                            & (pl.col("level") == "wholesale")).row(0, named=True)
    assert (kenya["purity_unit"], kenya["purity_scale"], kenya["typical_fraction"]) == ("% (percent)", "fraction", 0.15)
    tablets = purities.filter(pl.col("purity_scale") == "mg per tablet")
    assert tablets.height > 100 and tablets["typical_fraction"].null_count() == tablets.height
    assert purities["typical_fraction"].drop_nulls().max() <= 1


def test_prices_and_purities_load_from_a_workbook_that_holds_them_in_another_order_and_names():
    data = book(Purete=rows(MARKETS, "purities")[:40], Prix=rows(MARKETS, "prices")[:30])
    result = parse_drug_use(data, filename="wdr_2023_8_1.xlsx")
    assert {s["layout"] for s in result.facts["sheets"].values()} == {"prices", "purities"}
    assert result.tables["prices"].height == 29 and result.tables["purities"].height == 39 - \
        result.rejects.filter(pl.col("sheet") == "Purete").height


# --------------------------------------------------------------------------- inspect

def test_inspect_reports_each_workbook_with_the_exit_codes_of_the_other_families(tmp_path, capsys):
    assert main(["inspect", "drug_use_and_markets", str(REGIONAL), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["layout"] == "WDR drug table: regional_prevalence" and report["reconciles"]
    assert main(["inspect", "drug_use_and_markets", str(MARKETS), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["rows_rejected"] == 57 and {r["sheet"] for r in report["rejects"]} == {"prices", "purities"}
    page = tmp_path / "1.2_-_Prevalence.xlsx"
    page.write_bytes(b"<!DOCTYPE html><html><body>Not found</body></html>")
    assert main(["inspect", "drug_use_and_markets", str(page)]) == 2
    assert "UNUSABLE" in capsys.readouterr().err


def test_the_bundled_sheets_are_the_ones_the_tests_read():
    assert sheet_names(NATIONAL.read_bytes(), NATIONAL.name)[0] == "Cannabis"
    assert sheet_names(MARKETS.read_bytes(), MARKETS.name) == ["prices", "purities"]
