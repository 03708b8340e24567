from __future__ import annotations

import csv

import polars as pl
import pytest

from schemas import validate
from schemas.geography import Countries
from sources.geography import countries, resolve
from sources.ratification import parse_status_file

from .conftest import FIXTURES, UNTC_TABLE, UNTC_XML


def members_at_end_of(year: int) -> int:
    df = countries()
    return df.filter(pl.col("un_admission_year").is_not_null() & (pl.col("un_admission_year") <= year)
                     & (pl.col("un_exit_year").is_null() | (pl.col("un_exit_year") > year))).height


@pytest.mark.parametrize("year,expected", [(1945, 51), (1991, 166), (2006, 192), (2011, 193), (2026, 193)])
def test_un_membership_by_year(year, expected):
    # The denominators of "number of Member States that …": successors never double count.
    assert members_at_end_of(year) == expected


def test_countries_pass_their_schema():
    ok, cases, _ = validate(Countries, countries())
    assert ok, cases


def test_historical_states_have_dates_and_successors():
    df = countries().filter(pl.col("iso3").is_in(["SUN", "YUG", "CSK", "SCG", "DDR"]))
    assert df.height == 5
    rows = {r["iso3"]: r for r in df.iter_rows(named=True)}
    assert rows["SUN"]["m49_code"] == "810" and "RUS" in rows["SUN"]["successor_iso3"]
    assert rows["SCG"]["successor_iso3"] == "SRB;MNE"
    assert all(r["valid_to"] is not None and r["entity_kind"] == "historical_state" for r in rows.values())


def test_non_member_participants_are_present():
    df = countries()
    kinds = dict(zip(df["iso3"], df["entity_kind"]))
    assert kinds["EUU"] == "regional_organisation"
    assert kinds["VAT"] == kinds["PSE"] == "observer_state"
    assert kinds["COK"] == kinds["NIU"] == "non_member_state"
    assert df.filter(pl.col("iso3") == "SDN")["m49_code"].item() == "729"
    assert df.filter(pl.col("iso3") == "SSD")["m49_region_name"].item() == "Africa"


def test_every_participant_in_the_real_files_maps():
    names = set()
    for path in [*UNTC_TABLE.glob("*.csv"), *(FIXTURES / "ratification").glob("*.csv"), *UNTC_XML.glob("*.xml")]:
        names |= set(parse_status_file(path.read_bytes(), filename=path.name).accepted["participant"].to_list())
    assert len(names) > 190
    unmapped = sorted(n for n in names if resolve(n)[0] is None)
    assert unmapped == []


@pytest.mark.parametrize("name,iso3", [
    ("Czech Republic", "CZE"), ("Czechia", "CZE"), ("The former Yugoslav Republic of Macedonia", "MKD"),
    ("North Macedonia", "MKD"), ("Netherlands (Kingdom of the)", "NLD"), ("Türkiye", "TUR"),
    ("European Union", "EUU"), ("Holy See", "VAT"), ("State of Palestine", "PSE"), ("Niger", "NER"),
    ("Nigeria", "NGA"), ("Dominica", "DMA"), ("Dominican Republic", "DOM"), ("Sudan", "SDN"),
    ("South Sudan", "SSD"), ("Serbia and Montenegro", "SCG"), ("Union of Soviet Socialist Republics", "SUN"),
])
def test_names_that_changed_map_to_one_code(name, iso3):
    assert resolve(name)[0] == iso3


def test_an_unknown_name_is_not_guessed():
    assert resolve("Atlantis") == (None, "unmapped")


def test_reviewed_tables_point_at_known_codes():
    known = set(countries()["iso3"])
    with open("sources/geography/names.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            assert row["iso3"] in known, row
    for row in countries().iter_rows(named=True):
        for succ in (row["successor_iso3"] or "").split(";"):
            assert not succ or succ in known, (row["iso3"], succ)


def test_every_member_state_has_its_admission_day():
    from datetime import date

    df = countries().filter(pl.col("un_admission_year").is_not_null())
    assert df.height == 199 and df["un_admission_date"].null_count() == 0
    days = dict(zip(df["iso3"], df["un_admission_date"]))
    assert days["USA"] == date(1945, 10, 24) and days["SSD"] == date(2011, 7, 14) and days["CHE"] == date(2002, 9, 10)
    assert days["RUS"] == date(1991, 12, 24) and days["SUN"] == date(1945, 10, 24)
    # The reviewed days agree, year for year, with the independent base list.
    assert df.filter(pl.col("un_admission_date").dt.year() != pl.col("un_admission_year")).height == 0


@pytest.mark.parametrize("written", ["XK", "XKX", "KOS", "Kosovo", "Kosovo under UNSCR 1244"])
def test_kosovo_as_the_sources_write_it_is_kosovo_and_not_a_member_state(written):
    """Issue 20, defect 11: IATI writes `XK`, UN files `XKX` or `KOS`; all are Kosovo (XKX), read
    through the reviewed `codes.csv`, and Kosovo stays out of every UN membership count."""
    from sources.geography import iso3_of_code

    assert resolve(written)[0] == "XKX"
    if written.isupper():
        assert iso3_of_code(written) == "XKX"
    (kosovo,) = countries().filter(pl.col("iso3") == "XKX").to_dicts()
    assert kosovo["entity_kind"] == "non_member_state" and kosovo["un_admission_year"] is None
    assert members_at_end_of(2026) == 193


def test_a_code_no_table_knows_is_still_unknown():
    from sources.geography import iso3_of_code

    assert iso3_of_code("ZZ") is None and iso3_of_code("QQQ") is None and iso3_of_code("") is None
    assert iso3_of_code("af") == "AFG" and iso3_of_code("KEN") == "KEN"
