"""The SDG Global Database in the published warehouse of a real bundled build: the observations with
their areas, natures, units and vintage; the annex line and derived lines it answers, each fact
traceable to its file and row; and the homicide cross-check against UN-CTS."""
from __future__ import annotations

import csv
import json

import duckdb
import pytest

from .test_sdg_parsers import FILES, ROWS

VINTAGE = "2023-12-17"
UK = "United Kingdom of Great Britain and Northern Ireland"


@pytest.fixture(scope="module")
def con(bundled_build):
    con = duckdb.connect(str(bundled_build / "warehouse" / "indicators.duckdb"), read_only=True)
    yield con
    con.close()


def rows(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def test_every_figure_of_the_current_releases_is_in_the_mart_with_its_vintage(con):
    by_series = dict(rows(con, "select lower(series_code), count(*) from fct_sdg_observations group by 1"))
    assert by_series == ROWS
    assert rows(con, "select distinct cast(vintage as varchar), channel from fct_sdg_observations") == [
        (VINTAGE, "DDF re-cut")]
    files = rows(con, """select count(*), bool_and(reconciles), sum(rows_in), sum(rows_accepted)
                         from fct_load_reconciliation where dataset like 'sdg_%'""")
    assert files == [(8, True, 32575, 32575)]
    # Every nature keeps its label; a series that states none (SH_SUD_TREAT) has neither.
    natures = dict(rows(con, "select coalesce(nature, '-'), any_value(nature_label) from fct_sdg_observations group by 1"))
    assert natures == {"C": "Country data", "E": "Estimated data", "G": "Global monitoring data",
                       "N": "Non-relevant", "-": None}
    assert dict(rows(con, "select series_code, string_agg(distinct units, ',') from fct_sdg_observations group by 1")) == {
        "VC_IHR_PSRC": "PER_100000_POP", "VC_IHR_PSRCN": "NUMBER", "VC_HTF_DETV": "NUMBER", "VC_PRS_UNSNT": "PERCENT",
        "VC_ARM_SZTRACE": "PERCENT", "IU_COR_BRIB": "PERCENT", "SH_SUD_TREAT": "PERCENT", "SH_ALC_CONSPT": "LTPUREAL"}


def test_m49_areas_are_placed_in_dim_country_and_its_regions(con):
    brazil = rows(con, """select country_iso3, country_name, m49_region_code, m49_region_name, ref_area_type, m49_level
                          from fct_sdg_observations where series_code = 'VC_IHR_PSRC' and geo_area_code = '076'
                          and year = 2019 and sex = 'BOTHSEX'""")
    assert brazil == [("BRA", "Brazil", "019", "Americas", "country", "country")]
    levels = dict(rows(con, """select distinct geo_area_code, m49_level || '/' || coalesce(ref_area_type, '-') || '/' || m49_region_code
                               from fct_sdg_observations where geo_area_code in ('002', '015', '419', '014')"""))
    # Africa is an M49 region of fct_indicator_values; Northern Africa and Latin America and the
    # Caribbean are sub-regions, Eastern Africa an intermediate region (of Sub-Saharan Africa): each
    # in its region, none with a row in the indicators.
    assert levels == {"002": "region/m49_region/002", "015": "subregion/-/002", "419": "subregion/-/019",
                      "014": "intermediate_region/-/002"}
    parts = rows(con, """select distinct geo_area_code, parent_iso3, parent_name, cts_reporting_unit from fct_sdg_observations
                         where area_kind = 'subnational' and parent_iso3 = 'GBR' order by 1""")
    assert parts == [("827", "GBR", UK, "GBR_E_W"), ("828", "GBR", UK, "GBR_NI"),
                     ("829", "GBR", UK, "GBR_S")]
    assert rows(con, """select distinct grouping from fct_sdg_observations where geo_area_code = '199'""") == [
        ("development group",)]


def test_treatment_coverage_answers_trt_r1_i2_with_its_coverage(con):
    line = rows(con, """select answered_by, awaits, approximation like '%stands for the count%', influence_rule, sdg_series
                        from dim_indicator where indicator_code = 'TRT.R1.I2'""")
    assert line == [("sdg_global_database", None, True, "assistance_direct",
                     "3.5.1 SH_SUD_TREAT (the SDG database's own figure is the line's source)")]
    assert rows(con, "select coverage_class from rpt_indicator_coverage where indicator_code = 'TRT.R1.I2'") == [("real",)]
    countries = rows(con, """select count(*), count(distinct ref_area_code), min(year), max(year)
                             from fct_indicator_values where indicator_code = 'TRT.R1.I2' and ref_area_type = 'country'""")
    assert countries == [(80, 29, 2015, 2017)]
    france = rows(con, """select value, unit_measure, disaggregation_dimension, obs_status, source_rows, vintage
                          from fct_indicator_values where indicator_code = 'TRT.R1.I2' and ref_area_code = 'FRA'""")
    source = FILES["sh_sud_treat"]
    assert france == [(85.71429, "percent", "DRUG_GROUP", "A", f"{source.name}:26", VINTAGE)]
    assert source.read_text().splitlines()[25] == "250,notspec,opioids,percent,2017,85.71429"
    # Every regional and world aggregate is withheld below half the group, and says how many report.
    world = rows(con, """select year, disaggregation, value, obs_status, members_reporting, members_in_group, withheld_reason
                         from fct_indicator_values where indicator_code = 'TRT.R1.I2' and ref_area_type = 'world'
                         and disaggregation = '_T' order by year""")
    assert [(y, m) for y, _, _, _, m, _, _ in world] == [(2015, 4), (2016, 6), (2017, 6)]
    assert all(v is None and s == "O" and n == 193 and "the rule asks for 50 %" in r for _, _, v, s, _, n, r in world)
    assert rows(con, """select count(*) from fct_indicator_values where indicator_code = 'TRT.R1.I2'
                        and ref_area_type != 'country' and (value is not null or aggregation_method != 'mean')""") == [(0,)]


def test_the_sdg_16_series_are_derived_lines_beside_the_uncts_figures(con):
    lines = dict(rows(con, """select indicator_code, origin || '/' || answered_by || '/' || coverage_class
                              from rpt_indicator_coverage where answered_by = 'sdg_global_database'"""))
    assert lines == {"TRT.R1.I2": "annex/sdg_global_database/real", **{
        code: "derived/sdg_global_database/real" for code in ("TRA.R1.D3", "PRI.R3.D2", "CCP.R3.D3", "COR.R1.D1", "ICO.R3.D1")}}
    assert rows(con, """select count(*) from dim_indicator where answered_by = 'sdg_global_database' and origin = 'derived'
                        and (origin_note is null or awaits is not null)""") == [(0,)]
    # Mexico 2015: the same 20,762 victims, the rate over another population.
    mexico = rows(con, """select indicator_code, round(value, 2) from fct_indicator_values
                          where indicator_code in ('TRA.R1.D1', 'TRA.R1.D3') and ref_area_code = 'MEX' and year = 2015
                          order by 1""")
    assert mexico == [("TRA.R1.D1", 17.04), ("TRA.R1.D3", 17.28)]
    world = rows(con, """select value, obs_status, aggregation_method, members_reporting, members_in_group, aggregation_rule
                         from fct_indicator_values where indicator_code = 'TRA.R1.D3' and ref_area_code = '001' and year = 2021""")
    assert world[0][:3] == (5.79, "E", "published") and world[0][4] == 193 and 0 < world[0][3] < 193
    assert "nature N: Non-relevant" in world[0][5]
    # The bribery estimates keep their flag; the rows the database calls estimated are E.
    assert dict(rows(con, """select obs_status, count(*) from fct_indicator_values where indicator_code = 'COR.R1.D1'
                             group by 1""")) == {"A": 104, "E": 161}
    # No aggregate is formed where the database publishes none.
    assert rows(con, """select count(*) from fct_indicator_values where indicator_code in ('CCP.R3.D3', 'COR.R1.D1', 'ICO.R3.D1')
                        and ref_area_type != 'country'""") == [(0,)]


def test_every_sdg_fact_points_at_its_snapshot_and_row(con):
    facts = rows(con, """select v.snapshot_ids, v.source_rows, v.value from fct_indicator_values as v
                         where v.source_family = 'sdg_global_database' and v.ref_area_type = 'country'""")
    snapshots = {s for s, in rows(con, "select snapshot_id from dim_snapshot where family = 'sdg_global_database'")}
    assert facts and {s for s, _, _ in facts} <= snapshots
    lines = {path.name: path.read_text().splitlines() for path in FILES.values()}
    for _, source_rows, value in facts[::97]:
        file, row = source_rows.rsplit(":", 1)
        cells = next(csv.reader([lines[file][int(row) - 1]]))
        assert float(cells[-1]) == value, source_rows


def test_the_homicide_cross_check_counts_and_explains_the_differences(con, bundled_build):
    classes = dict(((c, b), n) for c, b, n in rows(con, """select classification, year_in_both_releases, count(*)
                                                          from rpt_sdg_crosscheck_homicide group by all"""))
    assert classes == {("equal_within_rounding", True): 458, ("revised", True): 2313, ("only_in_sdg", True): 125,
                       ("only_in_sdg", False): 104, ("only_in_uncts", True): 45, ("only_in_uncts", False): 1023}
    assert rows(con, """select distinct classification, rows_in_classification from rpt_sdg_crosscheck_homicide
                        order by 1""") == [("equal_within_rounding", 458), ("only_in_sdg", 229), ("only_in_uncts", 1068),
                                           ("revised", 2313)]
    explained = dict(rows(con, """select split_part(revision_explained, ':', 1), count(*) from rpt_sdg_crosscheck_homicide
                                  where classification = 'revised' group by 1"""))
    assert explained == {"the same number of victims in both": 2175, "the number of victims differs": 138}
    myanmar = rows(con, """select sdg_rate, round(uncts_rate, 3), sdg_victims, uncts_victims, classification
                           from rpt_sdg_crosscheck_homicide where country_iso3 = 'MMR' and year = 2020""")
    assert myanmar == [(2.94, 0.009, 1571.0, 5.0, "revised")]
    # Within rounding: the SDG rate is the UN-CTS rate to two decimals.
    austria = rows(con, """select sdg_rate, uncts_rate, tolerance, classification from rpt_sdg_crosscheck_homicide
                           where country_iso3 = 'AUT' and year = 2018""")
    assert austria[0][0] == 0.97 and abs(austria[0][1] - 0.967228608) < 1e-9 and austria[0][3] == "equal_within_rounding"
    assert abs(austria[0][2] - 0.005) < 1e-6
    # The warning test lists the revised rates; the build published all the same.
    results = json.loads((bundled_build / "var" / "build" / "dbt_target" / "run_results.json").read_text())
    (warned,) = [r for r in results["results"] if r["unique_id"].endswith(".warn_sdg_homicide_rate_differs_from_uncts")]
    assert (warned["status"], warned["failures"]) == ("warn", 2313)
