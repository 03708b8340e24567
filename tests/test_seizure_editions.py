"""Two editions of WDR table 7.1 in one real build: WDR 2022 (2016-2020) and WDR 2024 (2018-2022),
which revises 2018-2020. Both are kept; the indicators read one edition a year, the newest that
covers it; rpt_seizure_edition_revisions says what changed. On the shared bundled build (read-only)."""
from __future__ import annotations

import duckdb
import pytest

# Each country counted once (its reported total where it gives one, else its detailed rows), by
# edition, as the README's example does.
WORLD_COCAINE_BY_EDITION = """
    with per_country as (
        select edition, is_current_edition, year, country_iso3,
               coalesce(sum(kg_equivalent) filter (where is_reported_total),
                        sum(kg_equivalent) filter (where not is_reported_total)) as kg
        from fct_drug_seizures
        where drug_group = 'Cocaine-type' and kg_equivalent is not null
        group by all
    )
    select year, edition, bool_and(is_current_edition), round(sum(kg))
    from per_country group by year, edition order by year, edition"""


@pytest.fixture(scope="module")
def con(bundled_build):
    con = duckdb.connect(str(bundled_build / "warehouse" / "indicators.duckdb"), read_only=True)
    yield con
    con.close()


def test_both_editions_are_kept_and_one_a_year_is_current(con):
    assert con.execute("""select edition, min(year), max(year), count(*), count(*) filter (where is_reported_total),
                                 count(*) filter (where is_current_edition)
                          from fct_drug_seizures group by 1 order by 1""").fetchall() == [
        ("wdr-2022", 2016, 2020, 10678, 295, 4079),       # 2016-2017 current
        ("wdr-2024", 2018, 2022, 11013, 395, 11013)]


def test_the_world_cocaine_series_by_edition(con):
    series = con.execute(WORLD_COCAINE_BY_EDITION).fetchall()
    assert series == [
        (2016, "wdr-2022", True, 1118936.0),
        (2017, "wdr-2022", True, 1289065.0),
        (2018, "wdr-2022", False, 1263574.0), (2018, "wdr-2024", True, 1270837.0),
        (2019, "wdr-2022", False, 1370135.0), (2019, "wdr-2024", True, 1364875.0),
        (2020, "wdr-2022", False, 1403158.0), (2020, "wdr-2024", True, 1421723.0),
        (2021, "wdr-2024", True, 2026308.0),
        (2022, "wdr-2024", True, 2013976.0)]
    # The indicator's world series is the current edition's, one edition a year, and says which.
    world = con.execute("""select year, vintage, round(value) from fct_indicator_values
                           where indicator_code = 'TRA.R1.D2' and ref_area_type = 'world'
                             and disaggregation = 'Cocaine-type' order by year""").fetchall()
    assert world == [(year, edition, kg) for year, edition, current, kg in series if current]
    rule = con.execute("""select aggregation_rule from fct_indicator_values where indicator_code = 'TRA.R1.D2'
                          and ref_area_code = 'PER' and year = 2020 and disaggregation = 'Cocaine-type'""").fetchone()[0]
    assert rule == ("sum of 2 detailed rows (no reported total); table 7.1, edition wdr-2024, "
                    "the newest of the editions that cover 2020 (wdr-2022, wdr-2024)")


def test_the_revisions_mart_compares_the_years_both_editions_cover(con):
    kinds = con.execute("""select year, kind, count(*) from rpt_seizure_edition_revisions
                           group by all order by 1, 2""").fetchall()
    assert kinds == [(2018, "added", 21), (2018, "dropped", 4), (2018, "revised", 653),
                     (2019, "added", 27), (2019, "dropped", 4), (2019, "revised", 649),
                     (2020, "added", 46), (2020, "dropped", 3), (2020, "revised", 82)]
    assert con.execute("select distinct previous_edition, edition from rpt_seizure_edition_revisions").fetchall() == [
        ("wdr-2022", "wdr-2024")]

    def row(iso3: str, year: int, group: str):
        return con.execute("""select round(previous_kg, 5), round(kg, 5), round(difference, 2), kind, within_rounding,
                                     previous_basis, basis
                              from rpt_seizure_edition_revisions
                              where country_iso3 = ? and year = ? and drug_group = ?""", [iso3, year, group]).fetchone()

    # The United Kingdom's 2018 cocaine: 3,539 kg in WDR 2022, 10,140 kg in WDR 2024.
    assert row("GBR", 2018, "Cocaine-type")[:5] == (3539.24, 10140.0, 6600.76, "revised", False)
    # Ecuador 2020: WDR 2022's reported total, WDR 2024's two detailed rows (no total any more).
    assert row("ECU", 2020, "Cocaine-type") == (80680.0, 92157.86, 11477.86, "revised", False,
                                                "reported total of the drug group",
                                                "sum of 2 detailed rows (no reported total)")
    # The Netherlands 2019 "ecstasy": 600 kg and 206.82 kg of pills in WDR 2022; 600 and 207 in WDR 2024.
    assert row("NLD", 2019, "“Ecstasy”-type substances")[:5] == (806.82, 807.0, 0.18, "revised", True)
    # Added in WDR 2024; dropped by it (Lao PDR's reported total of 0 kg).
    assert row("TUN", 2020, "Cocaine-type")[:4] == (None, 96.60488, None, "added")
    assert row("LAO", 2020, "Cocaine-type")[:4] == (0.0, None, None, "dropped")
