"""The UN-CTS and WDR 7.1 parsers on the real dataUNODC and World Drug Report files."""
from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest

from sources.crime.cts import dataset_from_filename, parse_cts, parse_release_date
from sources.crime.wdr_seizures import parse_wdr_seizures
from sources.errors import SourceError

from .conftest import BUNDLED
from .xlsx import real_rows, write_xlsx

CRIME = BUNDLED / "crime_statistics"
HOMICIDE = CRIME / "data_cts_intentional_homicide.xlsx"
PRISONS = CRIME / "data_cts_prisons_and_prisoners.xlsx"
GLOTIP = CRIME / "data_glotip.xlsx"
SEIZURES = CRIME / "7.1_-_Drug_seizures_2016-2020.xlsx"
SEIZURES_2024 = CRIME / "7.1._Drug_seizures_2018-2022.xlsx"


@pytest.fixture(scope="module")
def homicide():
    return parse_cts(HOMICIDE.read_bytes(), filename=HOMICIDE.name)


@pytest.fixture(scope="module")
def prisons():
    return parse_cts(PRISONS.read_bytes(), filename=PRISONS.name)


@pytest.fixture(scope="module")
def glotip():
    return parse_cts(GLOTIP.read_bytes(), filename=GLOTIP.name)


def test_homicide_file_loads_whole(homicide):
    assert homicide.rows_in == 76338 and homicide.accepted.height == 76338 and homicide.reconciles
    assert homicide.facts["header_row"] == 3                       # two preamble rows
    assert homicide.facts["release_date"] == date(2022, 8, 8)      # text dd/mm/yyyy
    assert homicide.facts["value_column"] == "VALUE"
    # 536 natural keys repeat (the Sex = Unknown rows): every row is kept with its row number.
    assert homicide.facts["duplicate_keys"] == 536 and homicide.facts["duplicate_key_rows"] == 1072
    dup = homicide.accepted.filter(pl.col("key_occurrences") > 1)
    assert set(dup["sex"].unique()) == {"Unknown"}
    assert dup["source_row"].n_unique() == dup.height


def test_rates_keep_full_precision(homicide):
    rates = homicide.accepted.filter(pl.col("unit") == "Rate per 100,000 population")
    sample = rates.filter(pl.col("value_text").str.len_chars() > 8).row(0, named=True)
    assert float(sample["value_text"]) == sample["value_numeric"]


def test_reporting_units_and_aggregates_come_from_the_table(homicide, prisons):
    units = dict(zip(homicide.accepted["reporting_unit"], homicide.accepted["unit_kind"]))
    assert units["GBR_EW"] == units["GBR_S"] == units["GBR_NI"] == "subnational"
    assert units["IRQ_KUR"] == "subnational" and units["KOS"] == "alias" and units["CHA"] == "territory"
    assert units["WORLD"] == units["BIG5_OECANIA"] == units["M49_L_AM_CAR"] == "aggregate"
    parents = dict(zip(homicide.accepted["reporting_unit"], homicide.accepted["country_iso3"]))
    assert parents["GBR_EW"] == "GBR" and parents["KOS"] == "XKX" and parents["WORLD"] is None
    prison_units = dict(zip(prisons.accepted["reporting_unit"], prisons.accepted["unit_kind"]))
    assert prison_units["GBR_E_W"] == prison_units["IRQ_KRI"] == "subnational"


def test_the_impossible_year_is_rejected_and_kept(prisons):
    assert prisons.rows_in == 65797 and prisons.accepted.height == 65796 and prisons.reconciles
    (reject,) = prisons.rejects.to_dicts()
    assert reject["value"] == "1013" and reject["column"] == "Year" and reject["row"] == 36495
    assert "impossible year" in reject["reason"] and reject["sheet"] == "data_cts_prisons_and_prisoners"
    assert prisons.facts["duplicate_keys"] == 12


def test_glotip_text_values_are_kept_losslessly(glotip):
    assert glotip.facts["value_column"] == "txtVALUE" and glotip.facts["release_date"] == date(2023, 5, 30)
    censored = glotip.accepted.filter(pl.col("is_censored"))
    assert censored.height == glotip.facts["censored_values"] > 20000
    assert set(censored["value_text"].unique()) == {"<5"}
    assert censored["value_numeric"].null_count() == censored.height       # never 0
    assert set(censored["censor_upper"].unique()) == {5.0}
    separated = glotip.accepted.filter(pl.col("value_text") == "1,282")
    assert separated.height >= 1 and set(separated["value_numeric"]) == {1282.0}
    assert glotip.accepted["value_text"].null_count() == 0
    kinds = dict(zip(glotip.accepted["reporting_unit"], glotip.accepted["unit_kind"]))
    assert kinds["name:Sark"] == "territory" and kinds["Aruba/Curacao"] == "combined" and kinds["SAM"] == "aggregate"
    assert glotip.facts["duplicate_keys"] == 336


def test_a_later_layout_loads_with_no_code_change(tmp_path):
    """The Nov 2024 homicide layout: no Indicator column, other order, a true Excel release date."""
    rows = real_rows(HOMICIDE, 400)
    header = rows[2]
    order = ["Iso3_code", "Region", "Subregion", "Country", "Source", "Dimension", "Category", "Sex", "Age",
             "Year", "Unit of measurement", "VALUE", "Comment"]
    index = {name: header.index(name) for name in header}
    body = [[r[index[c]] if c in index else "extra note" for c in order] for r in rows[3:]]
    path = write_xlsx(tmp_path / "data_cts_intentional_homicide.xlsx",
                      [["UNODC", "unodc-dass@un.org"], [datetime(2024, 11, 24)], order, *body])
    # Without its Indicator column the file loads only for a dataset that declares its one
    # indicator (issue 20): else its rows could not be told from the dataset's other indicators.
    with pytest.raises(SourceError, match="missing: Indicator"):
        parse_cts(path.read_bytes(), filename=path.name)
    result = parse_cts(path.read_bytes(), filename=path.name, single_indicator="Victims of intentional homicide")
    assert result.facts["release_date"] == date(2024, 11, 24)
    assert result.facts["indicator_inferred"] == "Victims of intentional homicide"
    assert result.facts["missing_optional"] == [] and result.facts["extra_columns"] == ["Comment"]
    assert result.accepted.height == 397 and result.reconciles
    assert result.accepted["extra"][0] == '{"Comment":"extra note"}'
    original = parse_cts(HOMICIDE.read_bytes(), filename=HOMICIDE.name).accepted.head(397)
    assert result.accepted["value_numeric"].to_list() == original["value_numeric"].to_list()
    assert result.accepted["country_iso3"].to_list() == original["country_iso3"].to_list()


def test_a_missing_column_stops_the_file_and_names_it(tmp_path):
    rows = real_rows(PRISONS, 50)
    year = rows[2].index("Year")
    cut = [r[:year] + r[year + 1:] for r in rows]
    path = write_xlsx(tmp_path / "data_cts_prisons_and_prisoners.xlsx", cut)
    with pytest.raises(SourceError, match=r"data_cts_prisons_and_prisoners.xlsx.*row 3.*column 'Year'.*missing: Year"):
        parse_cts(path.read_bytes(), filename=path.name)


def test_the_header_is_found_wherever_it_moved(tmp_path):
    rows = real_rows(GLOTIP, 60)
    moved = [rows[0], ["note added by the publisher"], [], rows[1], *rows[2:]]
    path = write_xlsx(tmp_path / "data_glotip.xlsx", moved)
    result = parse_cts(path.read_bytes(), filename=path.name)
    assert result.facts["header_row"] == 5 and result.accepted.height == 57
    assert result.accepted["source_row"][0] == 6


@pytest.mark.parametrize("cell,expected", [("08/08/2022", date(2022, 8, 8)), ("2024-11-24 00:00:00", date(2024, 11, 24)),
                                           ("45620", date(2024, 11, 24)), ("UNODC", None)])
def test_release_dates_in_every_form(cell, expected):
    assert parse_release_date(cell) == expected


def test_bad_rows_are_rejected_with_their_reason(tmp_path):
    rows = real_rows(PRISONS, 30)
    h = rows[2]
    value, iso = h.index("VALUE"), h.index("Iso3_code")
    rows[5][value] = "n/a"
    rows[6][value] = None
    rows[7][iso] = "ATL"
    path = write_xlsx(tmp_path / "data_cts_prisons_and_prisoners.xlsx", rows)
    result = parse_cts(path.read_bytes(), filename=path.name)
    reasons = {r["row"]: r["reason"] for r in result.rejects.to_dicts()}
    assert reasons[6].startswith("value is not a number: n/a")
    assert reasons[7].startswith("value is empty")
    assert reasons[8].startswith("unknown reporting unit") and "ATL" in reasons[8]
    assert result.reconciles and result.accepted.height == 27 - 3


def test_unusable_files_are_refused_with_their_name(tmp_path):
    with pytest.raises(SourceError, match="HTML page"):
        parse_cts(b"<!DOCTYPE html><html>maintenance</html>", filename="data_cts_x.xlsx")
    with pytest.raises(SourceError, match="no ZIP signature"):
        parse_cts(HOMICIDE.read_bytes()[4:], filename="data_cts_x.xlsx")
    with pytest.raises(SourceError, match="damaged or truncated"):
        parse_cts(HOMICIDE.read_bytes()[: 100000], filename="data_cts_x.xlsx")
    with pytest.raises(SourceError, match="not a UN-CTS layout"):
        parse_cts(SEIZURES.read_bytes(), filename=SEIZURES.name)


def test_dataset_names_follow_the_file_names():
    assert dataset_from_filename("data_cts_intentional_homicide.xlsx") == "cts_intentional_homicide"
    assert dataset_from_filename("data_glotip.xlsx") == "cts_glotip"


def test_seizures_keep_totals_apart_and_use_kg_equivalent():
    result = parse_wdr_seizures(SEIZURES.read_bytes(), filename=SEIZURES.name)
    assert result.rows_in == 10678 and result.reconciles and result.facts["header_row"] == 4
    assert result.facts["title"] == "Drug seizures, 2016-2020*"
    assert "double counting" in result.facts["notes"][0]
    totals = result.accepted.filter(pl.col("is_reported_total"))
    assert totals.height == result.facts["reported_total_rows"] == 295
    assert totals["drug_subgroup"].str.starts_with("Reported total").any()
    units = dict(zip(result.accepted["unit_text"], result.accepted["unit"]))
    assert units["Kilogram"] == units["Kilograms"] == "kilogram" and units["Hectars"] == "hectare"
    grams = result.accepted.filter(pl.col("unit_text") == "Grams", pl.col("quantity") > 0).row(0, named=True)
    assert grams["kg_equivalent"] == pytest.approx(grams["quantity"] / 1000, rel=1e-6)
    assert result.facts["missing_kg"] == result.accepted["kg_equivalent"].null_count() == 99
    assert result.facts["layout"] == "quantity, unit and KgEquivalent"


@pytest.fixture(scope="module")
def seizures_2024():
    return parse_wdr_seizures(SEIZURES_2024.read_bytes(), filename=SEIZURES_2024.name)


def _row(result, n: int) -> dict:
    return result.accepted.filter(pl.col("source_row") == n).row(0, named=True)


def test_the_2024_edition_is_recognised_by_its_header_and_loads_whole(seizures_2024):
    r = seizures_2024
    # One title row, the header on row 2, found by its names; the layout is a fact of the file.
    assert r.facts["layout"] == "kilograms" and r.facts["header_row"] == 2 and r.facts["sheet"] == "Export"
    assert r.facts["title"] == "Drug seizures, 2018-2022" and r.facts["years"] == [2018, 2019, 2020, 2021, 2022]
    assert r.header[:9] == ["Region", "SubRegion", "Country", "DrugGroup", "DrugSubGroup", "DrugName",
                            "Reference year", "Kilograms", "msCode"]
    assert r.rows_in == 11013 == r.rows_accepted + r.rows_rejected and r.rows_rejected == 0 and r.reconciles
    assert r.facts["countries"] == r.accepted["iso3"].n_unique() == 156
    # 72 rows give no kilograms: kept, with no figure, never zero.
    assert r.facts["missing_kg"] == r.accepted["kg_equivalent"].null_count() == 72
    # Kilograms is the kilogram equivalent (it includes seizures counted in tablets): no quantity
    # or unit as reported is made up.
    assert r.accepted["quantity"].null_count() == r.accepted["unit_text"].null_count() == r.accepted.height
    assert r.facts["unit_variants"] == 0 and r.facts["unmapped_units"] == []


def test_the_2024_edition_keeps_totals_apart_by_the_same_rule(seizures_2024):
    a = seizures_2024.accepted
    # 613 rows are named totals; the rule (the sub-group "Reported total ...", or a name "(total of
    # the above ...)") makes 390 of them totals, plus 5 rows under "Reported total Cannabis-type".
    assert a.filter(pl.col("drug_name").str.to_lowercase().str.contains("total")).height == 613
    assert a["is_reported_total"].sum() == seizures_2024.facts["reported_total_rows"] == 395
    cannabis = a.filter(pl.col("drug_subgroup") == "Reported total Cannabis-type")
    assert cannabis.height == 5 and cannabis["is_reported_total"].all()
    # 'Total "ecstasy"-type substances (including the above ...)' under the group's own sub-group
    # (2018-2019, 223 rows) are the unspecified ecstasy rows of the 2022 edition: parts.
    ecstasy = a.filter(pl.col("drug_name").str.starts_with('Total "ecstasy"'),
                       ~pl.col("drug_subgroup").str.starts_with("Reported total"))
    assert ecstasy.height == 223 and not ecstasy["is_reported_total"].any()
    assert sorted(ecstasy["year"].unique().to_list()) == [2018, 2019]


def test_the_2024_edition_rows_keep_their_values(seizures_2024):
    r = seizures_2024
    kenya = _row(r, 3)
    assert (kenya["iso3"], kenya["country"], kenya["region"], kenya["subregion"], kenya["year"], kenya["kg_equivalent"]) == (
        "KEN", "Kenya", "Africa", "East Africa", 2022, 10.84)
    assert kenya["drug_group"].startswith("Amphetamine-type stimulants") and kenya["source_type"] is None
    peru = [_row(r, n) for n in (2787, 2788)]
    assert [(p["year"], p["drug_name"][:10], p["kg_equivalent"], p["is_reported_total"]) for p in peru] == [
        (2020, "Coca paste", 20281.0, False), (2020, "Cocaine hy", 17988.0, False)]
    belgium = _row(r, 6761)
    assert (belgium["iso3"], belgium["year"], belgium["kg_equivalent"], belgium["is_reported_total"]) == (
        "BEL", 2020, 70254.476, True)
    assert belgium["drug_name"].startswith("Cocaine (total of the above")
    poland = [_row(r, n) for n in (9147, 9148)]
    assert [(p["drug_name"][:8], p["kg_equivalent"], p["is_reported_total"]) for p in poland] == [
        ("3,4-meth", 408.0, False), ('Total "e', 59.0, False)]
    afghanistan = _row(r, 4544)
    assert (afghanistan["drug_subgroup"], afghanistan["kg_equivalent"], afghanistan["is_reported_total"]) == (
        "Reported total Cannabis-type", 79302.0, True)


def _rows_2024(n: int) -> list[list]:
    return [row[:9] for row in real_rows(SEIZURES_2024, n)]        # without read_sheet_as_text's row number


def test_a_shifted_header_is_still_found_by_its_names(tmp_path):
    rows = _rows_2024(40)
    shifted = [rows[0], [], ["Note: an added note row"], [], *rows[1:]]
    path = write_xlsx(tmp_path / "seizures.xlsx", shifted, sheet="Export")
    result = parse_wdr_seizures(path.read_bytes(), filename=path.name)
    assert result.facts["layout"] == "kilograms" and result.facts["header_row"] == 5
    assert result.rows_in == 38 == result.rows_accepted and result.facts["notes"] == ["Note: an added note row"]
    assert _row(result, 6)["kg_equivalent"] == 10.84 and _row(result, 6)["iso3"] == "KEN"


def test_an_unknown_layout_is_refused_in_one_line_naming_what_is_missing(tmp_path):
    rows = _rows_2024(20)
    rows[1] = ["ISO code" if c == "msCode" else c for c in rows[1]]
    path = write_xlsx(tmp_path / "seizures.xlsx", rows, sheet="Export")
    with pytest.raises(SourceError) as err:
        parse_wdr_seizures(path.read_bytes(), filename=path.name)
    message = str(err.value)
    assert "\n" not in message and "unknown layout of table 7.1: required column(s) missing: msCode" in message
    assert "nearest layout: kilograms" in message and "ISO3, Year, KgEquivalent" in message
    assert err.value.column == "msCode" and err.value.row == 2 and err.value.sheet == "Export"


def test_an_indicator_is_inferred_only_for_a_dataset_that_declares_exactly_one(tmp_path):
    """Issue 20, defect 2: without its Indicator column a file is refused, unless its dataset
    declares its one indicator (datasets.yaml `single_indicator`); then every row takes it, and the
    report says so."""
    from tests.bad_inputs.cases import CTS_HEADER, cts, cts_col, cts_rows, drop_col

    data = cts(drop_col(cts_rows(), cts_col("Indicator")))
    with pytest.raises(SourceError, match="missing: Indicator"):
        parse_cts(data, filename="data_cts_prisons_and_prisoners.xlsx")
    result = parse_cts(data, filename="data_cts_prisons_and_prisoners.xlsx", single_indicator="Persons held")
    assert result.rows_in == len(cts_rows()) - CTS_HEADER - 1 and result.reconciles
    assert set(result.accepted["indicator"].to_list()) == {"Persons held"}
    assert result.facts["indicator_inferred"] == "Persons held"
    assert any("no Indicator column" in w for w in result.warnings)


def test_a_release_without_a_date_takes_its_snapshot_date_and_says_so(tmp_path):
    """Issue 20, defect 7: a UN-CTS file with no release date reconciled, but its null date kept
    every row out of the newest-release join (fct_crime_statistics). It now takes the snapshot's
    date, and the file's warnings say so; the dbt test
    assert_every_accepted_row_of_the_newest_release_reaches_the_mart guards the join itself."""
    from sources.family import family
    from sources.ingest import ingest
    from sources.snapshots import SnapshotStore
    from tests.bad_inputs.cases import cts, cts_rows

    rows = [r for r in cts_rows() if not (r[0] and "/" in str(r[0]))]      # the preamble's date removed
    store = SnapshotStore(tmp_path / "snapshots")
    snap = store.put(cts(rows), {"dataset": "cts_prisons_and_prisoners", "family": "crime_statistics", "format": "cts",
                                 "item": "cts_prisons_and_prisoners", "version": "2031-02-03", "as_of": "2031-02-03",
                                 "licence": "test", "filename": "data_cts_prisons_and_prisoners.xlsx"})
    frames = []
    tables = ingest(family("crime_statistics"), store, [snap], lambda _, frame, __: frames.append(frame))
    (file,) = tables["crime_files"].to_dicts()
    assert file["release_date"] == "2031-02-03" and file["rows_accepted"] > 0
    assert "the snapshot's date 2031-02-03 is taken" in file["warnings"]
    assert frames[0]["release_date"].drop_nulls().len() == frames[0].height == file["rows_accepted"]
