"""The whole pipeline, for real: Dagster materializes every asset into a temporary home, dbt builds
and tests the marts, and the published warehouse is queried as a researcher would."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main
from sources.snapshots import SnapshotStore

from .conftest import UNTC_TABLE


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("home")
    assert main(["run", "--home", str(home)]) == 0
    return home


def test_the_cold_build_reused_the_dbt_manifest_parsed_at_set_up(built):
    # The profile is one literal path (~/build.duckdb, HOME set to the build folder for dbt): a path
    # that differed per home made dbt re-parse the whole project on every cold build.
    # dbt rotates its log at 10 MB (dbt.log.1, ...): the parse messages may be in a rotated file.
    messages = [json.loads(line)["info"]["msg"] for log in (built / "var" / "build" / "dbt_target").glob("dbt.log*")
                for line in log.read_text().splitlines()]
    assert not [m for m in messages if "Unable to do partial parsing" in m]
    assert any(m.startswith("Partial parsing enabled") for m in messages)
    assert (built / "var" / "build" / "build.duckdb").exists() and not (Path.home() / "build.duckdb").exists()


def published(home: Path) -> Path:
    return home / "warehouse" / "indicators.duckdb"


def query(home: Path, sql: str, params=None):
    con = duckdb.connect(str(published(home)), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_published_warehouse_answers_by_plain_names(built):
    counts = dict(query(built, """
        select 'instruments', count(*) from dim_instrument union all
        select 'countries', count(*) from dim_country where is_un_member_state union all
        select 'participation', count(*) from fct_treaty_participation union all
        select 'rejects of ' || s.family, count(*) from fct_load_rejects join dim_snapshot as s using (snapshot_id)
        group by s.family"""))
    # prisons: year 1013; the WDR drug tables: 19 prices without a year, 11 without a unit, a minimum above its
    # maximum, a purity without figures, a low above its high (every reason is in the rejects).
    assert counts == {"instruments": 15, "countries": 193, "participation": 2507, "rejects of crime_statistics": 1,
                      "rejects of drug_use_and_markets": 58}
    assert {t for (t,) in query(built, "select table_name from duckdb_tables() where schema_name = 'main'")} >= {
        "dim_country", "dim_instrument", "dim_indicator", "dim_result", "dim_snapshot", "fct_treaty_actions",
        "fct_treaty_participation", "fct_indicator_values", "rpt_indicator_coverage", "fct_load_rejects"}
    untoc = query(built, """
        select count(*) filter (where is_party), count(*) filter (where signed_not_party)
        from fct_treaty_participation where instrument_code = 'UNTOC'""")[0]
    assert untoc == (179, 6)     # the 2015 table: 179 parties, 6 signatories that never ratified


def test_every_action_traces_to_its_snapshot_file_and_row(built):
    rows = query(built, """
        select a.participant_name, a.raw_cell, a.source_file, a.source_row, a.source_column,
               s.sha256, s.url, s.licence, s.snapshot_as_of
        from fct_treaty_actions a join dim_snapshot s using (snapshot_id)
        where a.instrument_code = 'UNCAC' and a.participant_iso3 = 'AFG' and a.is_party_action""")
    (name, cell, file, row, column, sha, url, licence, as_of), = rows
    assert (name, file, column) == ("Afghanistan", "18-14.csv", "Approval(AA), Acceptance(A), Accession(a), Succession(d), Ratification")
    source = (UNTC_TABLE / file).read_text().splitlines()[row - 1]
    assert source.startswith("Afghanistan,") and source.endswith(cell)
    assert sha == hashlib.sha256((UNTC_TABLE / file).read_bytes()).hexdigest()
    assert "mtdsg_no=XVIII-14" in url and "United Nations" in licence and str(as_of) == "2015-03-14"


def test_the_published_file_is_read_only_and_records_its_release(built):
    mode = os.stat(published(built)).st_mode
    assert not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    release, manifest = query(built, "select release_id, manifest from audit.release")[0]
    manifest = json.loads(manifest)
    assert manifest["release_id"] == release and manifest["row_counts"]["fct_treaty_actions"] == 3578
    checks = dict(query(built, "select check_name, passed from audit.check_results"))
    assert checks["dbt_build"] and checks["participants_mapped"] and checks["pandera_untc_treaty_actions"]
    assert not [n for n in os.listdir(published(built).parent) if n.startswith(".publish-")]


# "held": a researcher's session left open through the build; "fresh": a new connection per query.
# (Within one process DuckDB shares one instance per path, so the two run in separate processes.)
READER = textwrap.dedent("""
    import duckdb, json, os, sys, time
    db, stop, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    os.nice(10)     # beside the build on two cores: prove consistency without starving it
    config = {"threads": 1}
    held = duckdb.connect(db, read_only=True, config=config) if mode == "held" else None
    errors, open_errors, queries, releases = [], [], 0, set()
    while not os.path.exists(stop):
        try:
            con = held or duckdb.connect(db, read_only=True, config=config)
        except duckdb.IOException as exc:   # an open on the instant of the swap: retried
            open_errors.append(repr(exc))
            time.sleep(0.05)
            continue
        try:
            releases.add(con.execute("select release_id from audit.release").fetchone()[0])
            assert con.execute("select count(*) from fct_treaty_participation").fetchone()[0] > 0
            if con is not held:
                con.close()
            queries += 1
        except Exception as exc:
            errors.append(repr(exc))
        time.sleep(0.05)
    print(json.dumps({"errors": errors, "open_errors": open_errors, "queries": queries,
                      "releases": sorted(releases)}))
""")


def test_a_reader_keeps_working_while_the_next_build_publishes(revised):
    held, fresh = revised[2]["held"], revised[2]["fresh"]          # readers ran through the second build
    assert held["errors"] == [] and fresh["errors"] == [], revised[2]
    # DuckDB opens a path more than once: an open on the instant of the swap may fail and is retried.
    assert len(fresh["open_errors"]) <= 2 and held["open_errors"] == [], revised[2]
    assert held["queries"] > 10 and fresh["queries"] > 10
    assert len(held["releases"]) == 1, "an open session keeps reading the release it opened"
    assert len(fresh["releases"]) == 2, "new connections see the old release, then the new one"

def test_a_seeded_bad_row_stops_publication(built, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(built, home)
    before = hashlib.sha256(published(home).read_bytes()).hexdigest()
    release_before = query(home, "select release_id from audit.release")[0][0]
    bad = (UNTC_TABLE / "18-12.csv").read_text() + "Atlantis,1 Jan 2001,1 Jan 2002\n"
    SnapshotStore(home / "var" / "snapshots").put(bad.encode(), {
        "dataset": "untc_status", "family": "ratification", "format": "untc_table", "item": "XVIII-12",
        "version": "2016-01-01", "filename": "18-12.csv", "as_of": "2016-01-01", "licence": "test"})
    assert main(["run", "--home", str(home)]) == 1
    assert hashlib.sha256(published(home).read_bytes()).hexdigest() == before
    assert query(home, "select release_id from audit.release")[0][0] == release_before
    con = duckdb.connect(str(home / "var" / "build" / "build.duckdb"), read_only=True)
    passed, details = con.execute(
        "select passed, details from audit.check_results where check_name = 'participants_mapped'").fetchone()
    con.close()
    assert passed is False and "Atlantis" in details
    alert = json.loads((home / "var" / "log" / "alerts.log").read_text().splitlines()[-1])
    assert alert["summary"] == "the build did not publish" and any("participants_mapped" in d for d in alert["details"])


def test_a_second_build_at_once_is_refused(built, capsys):
    from orchestration.warehouse.lock import build_lock
    from sources.settings import Paths

    with build_lock(Paths(built)):
        assert main(["run", "--home", str(built)]) == 1
    assert "another build holds" in capsys.readouterr().err


def test_indicator_facts_answer_the_annex(built):
    world = dict(query(built, """
        select year, value from fct_indicator_values
        where indicator_code = 'RAT.R1.I3' and ref_area_type = 'world' and disaggregation = 'UNCAC'
          and year between 2008 and 2011 order by year"""))
    assert list(world) == [2008, 2009, 2010, 2011]
    assert all(world[y] < world[y + 1] for y in (2008, 2009, 2010))     # UNCAC parties grew every year
    # Serbia's 2001 ratification of UNTOC counts for Serbia and Montenegro until 2006, once.
    scg = query(built, """
        select year, ref_area_code, value from fct_indicator_values
        where indicator_code = 'RAT.R1.I1' and disaggregation = 'UNTOC'
          and ref_area_code in ('SCG', 'SRB') and year between 2004 and 2007 order by year""")
    assert scg == [(2004, "SCG", 1.0), (2005, "SCG", 1.0), (2006, "SRB", 1.0), (2007, "SRB", 1.0)]
    # The European Union is a party but not a Member State: it never appears as a country row.
    assert query(built, "select count(*) from fct_indicator_values where ref_area_code = 'EUU'") == [(0,)]
    # Aggregates publish their coverage; the 2015 tables make 2015 provisional.
    members, reporting, status = query(built, """
        select members_in_group, members_reporting, obs_status from fct_indicator_values
        where indicator_code = 'RAT.R1.I1' and disaggregation = 'TIP' and ref_area_type = 'world' and year = 2015""")[0]
    assert (members, reporting, status) == (193, 193, "A")     # TIP comes from the 2018 XML: 2015 is complete
    assert query(built, """select obs_status from fct_indicator_values where indicator_code = 'RAT.R1.I1'
        and disaggregation = 'UNTOC' and ref_area_type = 'world' and year = 2015""") == [("P",)]


def test_assistance_gives_levels_of_influence_and_the_paired_indicators(built):
    rows = dict(query(built, """
        select indicator_code, coverage_class from rpt_indicator_coverage
        where indicator_code in ('RAT.R1.I1', 'RAT.R1.I2', 'RAT.R2.I16', 'CCP.R1.I3')"""))
    assert rows == {"RAT.R1.I1": "real", "RAT.R1.I2": "illustrative_only", "RAT.R2.I16": "illustrative_only",
                    "CCP.R1.I3": "awaiting"}
    # Nigeria received (illustrative) assistance for ratification in 2008-2010: its UNTOC value is
    # real and a political-process result, so the level is medium, with the activity as evidence;
    # the level rests on the illustrative sample, the value does not.
    nga = query(built, """select value, in_receipt_of_assistance, level_of_influence, influence_basis, is_illustrative,
                                 influence_is_illustrative
                          from fct_indicator_values where indicator_code = 'RAT.R1.I1' and disaggregation = 'UNTOC'
                            and ref_area_code = 'NGA' and year = 2009""")
    assert nga == [(1.0, True, "medium", "assisted: XX-ILLUSTRATIVE-SAMPLE-002", False, True)]
    fra = query(built, """select year, in_receipt_of_assistance, level_of_influence, influence_basis, is_illustrative
                          from fct_indicator_values
                          where indicator_code = 'RAT.R1.I1' and disaggregation = 'UNTOC' and ref_area_code = 'FRA'
                            and year in (2009, 2014) order by year""")
    # 2014: the sample's activities end in 2011, so no level is stated, never "low".
    assert fra == [(2009, False, "low", "no UNODC assistance recorded in the result area that year", False),
                   (2014, None, None, "no assistance data for this year", False)]
    paired = query(built, """select count(*), bool_and(is_illustrative) from fct_indicator_values
                             where indicator_code = 'RAT.R1.I2' and ref_area_type = 'world'""")[0]
    assert paired[0] > 0 and paired[1] is True
    assert query(built, "select count(*) from dim_indicator where origin = 'annex'") == [(132,)]


def test_project_outputs_are_counted_once_and_attributed(built):
    assert query(built, "select count(*) from rpt_iati_duplicate_activities") == [(1,)]
    assert query(built, """select count(distinct iati_identifier) from fct_assistance, unnest(activity_ids) as t(iati_identifier)
                           where iati_identifier like 'XX-ILLUSTRATIVE-SAMPLE-%'""") == [(17,)]  # 18 published, one twice
    # Activity 2 reports women and men apart: the count per country and year adds them up, and a
    # July-June period counts in the year it ends.
    ago = query(built, """select year, value, values_summed from fct_project_outputs
                          where indicator_code = 'RAT.R2.I16' and country_iso3 = 'AGO' order by year""")
    assert [r[0] for r in ago] == [2009, 2010] and all(r[2] == 2 for r in ago)
    assert query(built, "select bool_and(is_illustrative) from fct_project_outputs") == [(True,)]
    assert query(built, "select count(*) from rpt_project_outputs_unmapped") == [(0,)]
    sector_only = query(built, """select bases from fct_assistance where country_iso3 = 'SEN' and area_code = 'RAT' and year = 2009""")
    assert sector_only == [(["sector 1:15210"],)]


def test_crime_statistics_are_published_losslessly(built):
    by_dataset = dict(query(built, "select dataset, count(*) from fct_crime_statistics group by 1"))
    assert by_dataset == {"cts_intentional_homicide": 76338, "cts_prisons_and_prisoners": 65796, "cts_glotip": 46556}
    # One id per source row (the build proves it by counts per snapshot, not a `unique` test).
    assert query(built, "select count(distinct observation_id) from fct_crime_statistics") == [(sum(by_dataset.values()),)]
    assert query(built, "select reason from fct_load_rejects where dataset = 'cts_prisons_and_prisoners'")[0][0].startswith(
        "impossible year")
    assert query(built, """select count(*) from fct_crime_statistics
                           where dataset = 'cts_glotip' and value_text = '<5' and value_numeric is null and is_censored""")[0][0] > 20000
    assert query(built, "select count(*) from fct_crime_statistics where shares_natural_key and dataset = 'cts_intentional_homicide'") == [(1072,)]
    # Two editions of table 7.1, every row of each kept: WDR 2022 (2016-2020) and WDR 2024 (2018-2022).
    assert query(built, """select edition, count(*), count(*) filter (where is_reported_total) from fct_drug_seizures
                           group by 1 order by 1""") == [("wdr-2022", 10678, 295), ("wdr-2024", 11013, 395)]
    reconciled = dict(query(built, "select dataset, bool_and(reconciles) from fct_load_reconciliation group by 1"))
    assert all(reconciled.values()) and "cts_glotip" in reconciled


def test_crime_indicators_answer_with_status_and_coverage(built):
    homicide = query(built, """select value, obs_status, members_reporting, aggregation_rule from fct_indicator_values
                               where indicator_code = 'TRA.R1.D1' and ref_area_type = 'world' and year = 2010""")
    value, status, reporting, rule = homicide[0]
    assert 5 < value < 7 and status == "E" and reporting > 100 and "regional estimate" in rule.lower()
    # The United Kingdom's figure is its own row, never England and Wales + Scotland + Northern Ireland.
    gbr = query(built, """select distinct o.reporting_unit from fct_indicator_values v
                          join fct_crime_statistics o
                            on o.source_file || ':' || o.source_row = v.source_rows
                          where v.indicator_code = 'TRA.R1.D1' and v.ref_area_code = 'GBR'""")
    assert gbr == [("GBR",)]
    censored = query(built, """select value, lower_bound, upper_bound from fct_indicator_values
                               where indicator_code = 'CCP.R3.D1' and ref_area_type = 'country' and obs_status = 'Q' limit 1""")
    assert censored == [(None, 0.0, 5.0)]
    pretrial = query(built, """select value, members_reporting, members_in_group from fct_indicator_values
                               where indicator_code = 'PRI.R3.D1' and ref_area_type = 'world' and year = 2010""")[0]
    assert 15 < pretrial[0] < 45 and pretrial[1] < pretrial[2]
    assert query(built, "select count(*) from rpt_crime_share_reconciliation where computed_value is not null")[0][0] > 10


def test_unsentenced_share_takes_the_published_estimate_and_units_that_cover_a_country(built):
    # The world figure is UNODC's estimate (29.9 %), not the pool of the reporting countries (27.5 %).
    world = query(built, """select round(value, 1), aggregation_method, obs_status from fct_indicator_values
                            where indicator_code = 'PRI.R3.D1' and ref_area_type = 'world' and year = 2007""")
    assert world == [(29.9, "published", "E")]
    pooled = query(built, """select round(computed_value, 1) from rpt_crime_share_reconciliation
                             where indicator_code = 'PRI.R3.D1' and ref_area_code = '001' and year = 2007""")
    assert pooled[0][0] < 29.0
    # The United Kingdom and Iraq report only by unit: formed where the units cover the country.
    formed = dict(query(built, """select ref_area_code, aggregation_rule from fct_indicator_values
                                  where indicator_code = 'PRI.R3.D1' and year = 2010 and ref_area_code in ('GBR', 'IRQ')"""))
    assert set(formed) == {"GBR", "IRQ"} and all("sum of its units, which cover the country" in r for r in formed.values())
    listed = query(built, """select is_formed, outcome from rpt_crime_unit_only_countries
                             where indicator_code = 'PRI.R3.D1' and country_iso3 = 'IRQ' and year = 2018""")
    assert listed[0][0] is False and "do not cover the country" in listed[0][1]
    methods = query(built, """select distinct f.indicator_code, f.aggregation_method, d.aggregation_method, d.aggregation_fallback
                              from fct_indicator_values f join dim_indicator d using (indicator_code)
                              where f.source_family = 'crime_statistics' and f.ref_area_type != 'country'""")
    assert methods and all(used in (declared, fallback) for _, used, declared, fallback in methods)


def test_seizures_count_a_reported_total_once_and_coca_leaf_apart(built):
    # The WDR 2022 edition's 2020 cocaine rows (the figures the README gives).
    naive = query(built, """select round(sum(kg_equivalent)) from fct_drug_seizures
                            where edition = 'wdr-2022' and year = 2020 and drug_group = 'Cocaine-type'""")[0][0]
    assert naive == 1608185                       # every row added, totals beside their parts
    # A country's total where it has a total row, else its parts.
    any_total_row = query(built, """with per as (
            select country_iso3, bool_or(is_reported_total) as has_total,
                   sum(kg_equivalent) filter (where is_reported_total) as total_kg,
                   sum(kg_equivalent) filter (where not is_reported_total) as parts_kg
            from fct_drug_seizures where edition = 'wdr-2022' and year = 2020 and drug_group = 'Cocaine-type' group by 1)
        select round(sum(case when has_total then total_kg else parts_kg end)) from per""")[0][0]
    assert any_total_row == 1387401
    # An empty total row totals nothing: Guatemala's and Uruguay's detailed seizures are kept.
    kept = query(built, """select round(sum(kg_equivalent)) from fct_drug_seizures where edition = 'wdr-2022'
                           and year = 2020 and drug_group = 'Cocaine-type' and country_iso3 in ('GTM', 'URY')
                           and not is_reported_total""")[0][0]
    by_edition = dict(query(built, """with per as (
            select edition, country_iso3, coalesce(sum(kg_equivalent) filter (where is_reported_total),
                                                   sum(kg_equivalent) filter (where not is_reported_total)) as kg
            from fct_drug_seizures where year = 2020 and drug_group = 'Cocaine-type' and kg_equivalent is not null
            group by all)
        select edition, round(sum(kg)) from per group by 1"""))
    assert by_edition == {"wdr-2022": 1403158, "wdr-2024": 1421723}
    assert by_edition["wdr-2022"] == any_total_row + kept
    # The indicator reads 2020 from the newest edition that covers it, WDR 2024 (its 2020 rows have
    # no empty total row).
    world = query(built, """select round(value), aggregation_method, members_reporting, members_in_group, vintage
                            from fct_indicator_values where indicator_code = 'TRA.R1.D2' and ref_area_type = 'world'
                              and year = 2020 and disaggregation = 'Cocaine-type'""")[0]
    assert world[0] == by_edition["wdr-2024"] and world[1] == "sum" and world[2] < world[3] and world[4] == "wdr-2024"
    coca = query(built, """select round(value) from fct_indicator_values where indicator_code = 'TRA.R1.D2'
                           and ref_area_type = 'world' and year = 2020 and disaggregation = 'Coca leaf and bush'""")
    assert coca == [(1142229,)]                   # WDR 2024 (WDR 2022: 1,585,730)


def test_a_file_missing_a_column_stops_the_build_and_names_it(built, tmp_path, capsys):
    from .xlsx import real_rows, write_xlsx

    home = tmp_path / "home"
    shutil.copytree(built, home)
    before = hashlib.sha256(published(home).read_bytes()).hexdigest()
    prisons = Path(__file__).resolve().parent.parent / "sources/bundled/crime_statistics/data_cts_prisons_and_prisoners.xlsx"
    rows = real_rows(prisons, 40)
    sex = rows[2].index("Sex")
    bad = write_xlsx(tmp_path / "data_cts_prisons_and_prisoners.xlsx", [r[:sex] + r[sex + 1:] for r in rows])
    SnapshotStore(home / "var" / "snapshots").put(bad.read_bytes(), {
        "dataset": "cts_prisons_and_prisoners", "family": "crime_statistics", "format": "cts",
        "item": "cts_prisons_and_prisoners", "version": "2024-01-01", "filename": "data_cts_prisons_and_prisoners.xlsx",
        "as_of": "2024-01-01", "licence": "test"})
    assert main(["run", "--home", str(home)]) == 1
    err = capsys.readouterr().err
    assert "data_cts_prisons_and_prisoners.xlsx" in err and "missing: Sex" in err
    assert hashlib.sha256(published(home).read_bytes()).hexdigest() == before


def test_crop_figures_keep_editions_bounds_and_the_reported_discrepancy(built):
    total_check = query(built, """select year, published, rows_sum, agrees from rpt_crop_total_checks
                                  where source_file like '6.1.1%' and not agrees""")
    assert total_check == [(2020, 234200.0, 234000.0, False)]
    peru = dict(query(built, """select series, count(*) from fct_crop_cultivation
                                where country_iso3 = 'PER' and source_kind = 'annex_table' group by 1"""))
    assert peru == {"b": 3, "c": 10}
    current = query(built, """select edition, source_kind from fct_crop_cultivation
                              where country_iso3 = 'COL' and year = 2020 and is_current""")
    assert current == [("WDR 2022", "annex_table")]
    world = query(built, """select value, members_reporting, aggregation_rule from fct_indicator_values
                            where indicator_code = 'ALT.R1.D1' and disaggregation = 'coca_bush'
                              and ref_area_type = 'world' and year = 2020""")[0]
    assert world[0] == 234200.0 and world[1] == 3 and "sum to 234000" in world[2]
    share = query(built, """select round(value, 1) from fct_indicator_values
                            where indicator_code = 'ALT.R1.D3' and ref_area_code = 'COL' and year = 2020""")
    assert share == [(round(100 * 142800 / 234200, 1),)]
    change = query(built, """select round(value, 2) from fct_indicator_values
                             where indicator_code = 'ALT.R1.D2' and ref_area_code = 'AFG'
                               and disaggregation = 'opium_poppy' and year = 2014""")
    assert change == [(round(100 * (224000 - 209000) / 209000, 2),)]
    assert query(built, "select count(*) from fct_load_rejects where dataset like 'crop%' or dataset like 'wdr_annex%'") == [(0,)]


# A second build on top of the first: UNTOC's Afghanistan ratification revised and a participant
# removed; a cannabis survey whose country label is a spreadsheet formula.
CANNABIS = (b"iso3,country,crop,year,hectares,production_t,series_label_raw,series_note,source_type,source,"
            b"source_file,source_repo,source_commit,cross_check\n"
            + b"".join(b'MAR,"=HYPERLINK(""http://example.invalid"",""Morocco"")",cannabis,%d,%d,,,,press report,'
                       b"UNODC cannabis survey of Morocco,test.csv,,,\n" % (y, ha) for y, ha in ((2016, 47000), (2017, 47500))))


@pytest.fixture(scope="module")
def revised(built, tmp_path_factory) -> tuple[Path, str, dict]:
    home = tmp_path_factory.mktemp("revised") / "home"
    shutil.copytree(built, home)
    table = (UNTC_TABLE / "18-12.csv").read_text().splitlines()
    table[1] = table[1].replace("24 Sep 2003", "25 Sep 2003")          # Afghanistan's ratification revised
    text = "\n".join(table[:-1]) + "\n"                                 # the last participant removed
    store = SnapshotStore(home / "var" / "snapshots")
    store.put(text.encode(), {
        "dataset": "untc_status", "family": "ratification", "format": "untc_table", "item": "XVIII-12",
        "version": "2016-01-01", "filename": "18-12.csv", "as_of": "2016-01-01", "licence": "test"})
    store.put(CANNABIS, {
        "dataset": "crop_compiled_cannabis", "family": "crop_surveys", "format": "crop_compiled",
        "item": "crop_compiled_cannabis", "version": "2026-11-28", "filename": "cannabis_test.csv",
        "as_of": "2026-11-28", "licence": "test"})
    stop = home.parent / "stop-readers"
    readers = {mode: subprocess.Popen([sys.executable, "-c", READER, str(published(home)), str(stop), mode],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for mode in ("held", "fresh")}
    try:
        time.sleep(1.0)
        assert main(["run", "--home", str(home)]) == 0
        time.sleep(1.0)
    finally:
        stop.touch()
        results = {mode: p.communicate(timeout=60) for mode, p in readers.items()}
    return home, text, {m: json.loads(results[m][0]) for m in ("held", "fresh")}


def copy_of(home: Path, tmp_path: Path) -> Path:
    shutil.copytree(home, tmp_path / "home")
    return tmp_path / "home"


def test_releases_are_kept_compared_tagged_and_pruned(revised, tmp_path, capsys, monkeypatch):
    from orchestration.warehouse.releases import list_releases
    from sources.settings import Paths

    home, revised_text = copy_of(revised[0], tmp_path), revised[1]
    capsys.readouterr()
    releases = [r["release_id"] for r in list_releases(Paths(home))]
    old, new = releases[-2], releases[-1]
    manifest = json.loads(query(home, "select manifest from audit.release")[0][0])
    assert manifest["previous_release"] == old and manifest["release_id"] == new
    changes = manifest["changes_since_previous"]
    assert changes["fct_treaty_participation.revised"] == 1 and changes["fct_treaty_participation.removed"] == 1
    assert changes["fct_indicator_values.added"] > 0                        # UNTOC's series now reaches 2016
    assert {s["sha256"] for s in manifest["snapshots"]} >= {hashlib.sha256(revised_text.encode()).hexdigest()}
    assert main(["diff", old, new, "--home", str(home), "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    afg = [r for r in rows if r["table_name"] == "fct_treaty_participation" and r["change"] == "revised"]
    assert len(afg) == 1 and "2003-09-24" in afg[0]["old_values"] and "2003-09-25" in afg[0]["new_values"]
    assert main(["tag", old, "wdr-test", "--home", str(home)]) == 0
    assert main(["tag", old, "../escape", "--home", str(home)]) == 2
    assert main(["diff", "wdr-test", new, "--home", str(home)]) == 0
    monkeypatch.setenv("UNODC_KEEP_RELEASES", "1")
    assert main(["run", "--home", str(home)]) == 0
    kept = {r["release_id"]: r["tags"] for r in list_releases(Paths(home))}
    assert old in kept and kept[old] == ["wdr-test"]                      # tagged: never pruned
    assert new not in kept and len(kept) == 2


def _cells(path: Path) -> dict:
    import openpyxl

    book = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book.worksheets}


def test_exports_are_reproducible_from_a_release(built, tmp_path):
    release = query(built, "select release_id from audit.release")[0][0]
    assert (built / "var" / "exports" / release / "indicator_values.sdmx10.csv").exists()   # the asset's
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        assert main(["export", "--home", str(built), "--release", release, "--out", str(out)]) == 0
    names = sorted(p.name for p in a.iterdir() if not p.name.startswith("."))
    assert names == sorted(p.name for p in b.iterdir() if not p.name.startswith(".")) and len(names) == 8 * 5 + 5
    for name in names:
        if name.endswith(".xlsx"):
            assert _cells(a / name) == _cells(b / name), name
        else:
            assert (a / name).read_bytes() == (b / name).read_bytes(), name


WDR_6_1_1 = Path(__file__).resolve().parents[1] / "sources" / "bundled" / "crop_surveys" / \
    "6.1.1_-_Illicit_coca_bush_cultivation.xlsx"


def sheet_differences(source: Path, exported: Path) -> list[str]:
    """Every cell of the WDR sheet against the exported sheet: value (a year the WDR types as a date
    counts as its year; a total the WDR computes by formula counts as its cached value), bold or
    not, merged ranges and column widths. Deliberate difference: the export adds provenance lines
    (release, figures set apart) BELOW the table, after the last row of the WDR sheet; those rows
    are not compared here but checked by their own asserts."""
    import datetime

    import openpyxl

    def cells(ws):
        out = {}
        for row in ws.iter_rows():
            for c in row:
                v = c.value.year if isinstance(c.value, datetime.datetime) else c.value
                if v is not None:
                    out[(c.row, c.column)] = (v, bool(c.font.b))
        return out

    src = openpyxl.load_workbook(source, data_only=True).worksheets[0]
    exp = openpyxl.load_workbook(exported).worksheets[0]
    a, b = cells(src), cells(exp)
    last = src.max_row
    diffs = [f"{openpyxl.utils.get_column_letter(c)}{r}: WDR {a.get((r, c))!r}, export {b.get((r, c))!r}"
             for r, c in sorted(set(a) | set(b)) if r <= last and a.get((r, c)) != b.get((r, c))]
    if sorted(map(str, src.merged_cells.ranges)) != sorted(map(str, exp.merged_cells.ranges)):
        diffs.append(f"merged: WDR {sorted(map(str, src.merged_cells.ranges))}, export {sorted(map(str, exp.merged_cells.ranges))}")
    def widths(ws) -> dict[int, float]:
        # A <col> element may span several columns (min..max): openpyxl files it under the first.
        return {c: d.width for d in ws.column_dimensions.values() if d.customWidth
                for c in range(d.min, d.max + 1)}

    got = widths(exp)
    for c, w in widths(src).items():
        if abs(got.get(c, 0) - w) > 1 / 14:                                    # a pixel's rounding
            diffs.append(f"width of column {openpyxl.utils.get_column_letter(c)}: WDR {w}, export {got.get(c)}")
    return diffs


def test_annex_workbook_is_laid_out_as_the_annex(built, tmp_path):
    import openpyxl

    release = query(built, "select release_id from audit.release")[0][0]
    assert main(["export", "--home", str(built), "--tables", "6.1.1,6.2.1,6.1.2,P.1", "--format", "xlsx,csv",
                 "--out", str(tmp_path)]) == 0
    exported = tmp_path / "6.1.1_global_illicit_cultivation_of_coca_bush.xlsx"
    assert sheet_differences(WDR_6_1_1, exported) == []
    book = openpyxl.load_workbook(exported)
    ws = book["Table 6.1.1"]
    assert ws["B3"].value == "Global illicit cultivation of coca bush, 2009-2020 (hectares)"
    assert (ws["B11"].value, ws["F11"].value, ws["E11"].value) == ("  Total", "d", 155600)  # d beside 2011 only
    assert ws["G9"].value is None and ws["C10"].value is None                   # Peru b and c: blank, not ".."
    below = [ws.cell(r, 2).value for r in range(18, ws.max_row + 1) if ws.cell(r, 2).value]
    assert below[0].startswith("Not part of the annex table")                   # press reports set apart
    assert any(t.startswith("Colombia 2021: 204,000") for t in below)
    assert any(t.startswith(f"Release {release} of unodc-indicators") for t in below)
    import polars as pl

    csv = pl.read_csv((tmp_path / "6.1.1_global_illicit_cultivation_of_coca_bush.csv").read_bytes()[3:], infer_schema=False)
    total = csv.filter(pl.col("is_total") == "true")
    assert total.filter(pl.col("footnotes").is_not_null())["year"].to_list() == ["2011"]
    assert total["series"].null_count() == total.height
    assert csv.filter(pl.col("in_annex_table") == "false").select("label", "year").rows() == [
        ("Colombia", "2021"), ("Colombia", "2022")]
    codebook = [[c.value for c in r] for r in book["Codebook"].iter_rows()]
    assert ["ALT.R1.D1"] == [r[0] for r in codebook if r[0] == "ALT.R1.D1"]
    assert any(r[0] == "E" and r[1] == "estimated value" for r in codebook)
    assert any("licence" in (r[1] or "") for r in codebook)
    opium = [[c.value for c in r] for r in openpyxl.load_workbook(
        tmp_path / "6.2.1_cultivation_of_opium_poppy_in_selected.xlsx").worksheets[0].iter_rows()]
    asia = [r for r in opium if r[0] in ("Afghanistan", "Lao People's Democratic Republic a", "Myanmar a",
                                         "Pakistan", "Thailand b")]
    subtotal = next(r for r in opium if r[0] == "Subtotal Asia")
    assert subtotal[1] == sum(r[1] for r in asia) == 211073                # 2000: the countries shown
    empty = [[c.value for c in r] for r in openpyxl.load_workbook(
        tmp_path / "6.1.2_eradication_of_coca_bush.xlsx").worksheets[0].iter_rows()]
    assert any((r[0] or "").startswith(f"No figures for this table in release {release}") for r in empty)
    outputs = [[c.value for c in r] for r in openpyxl.load_workbook(
        tmp_path / "P.1_outputs_of_unodc_technical_assistance.xlsx").worksheets[0].iter_rows()]
    assert outputs[1][0].startswith("ILLUSTRATIVE")
    assert all(r[0].endswith("(illustrative)") for r in outputs[4:] if r[0] and r[0][0].islower() is False
               and not r[0].isupper() and not r[0].startswith(("Subtotal", "Note", "Release", "Sources", "..")))


def test_tidy_files_carry_status_bounds_provenance_and_metadata(built, tmp_path):
    import polars as pl

    assert main(["export", "--home", str(built), "--tables", "H.1,P.1", "--format", "csv,parquet",
                 "--out", str(tmp_path)]) == 0
    raw = (tmp_path / "H.1_victims_of_intentional_homicide_by.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    csv = pl.read_csv(raw[3:], infer_schema=False)
    assert csv.columns[:6] == ["table_number", "region", "iso3", "area_code", "area_name", "label"]
    assert {"obs_status", "lower_bound", "upper_bound", "is_illustrative", "snapshot_id"} <= set(csv.columns)
    world_2000 = csv.filter((pl.col("area_code") == "001") & (pl.col("year") == "2000")).row(0, named=True)
    assert world_2000["value"] == "6.854248582" and world_2000["obs_status"] == "E" and world_2000["is_total"] == "true"
    parquet = pl.read_parquet(tmp_path / "H.1_victims_of_intentional_homicide_by.parquet")
    assert parquet.columns == csv.columns and parquet.height == csv.height
    meta = json.loads((tmp_path / "H.1_victims_of_intentional_homicide_by.csv.json").read_text())
    assert meta["release_id"] == query(built, "select release_id from audit.release")[0][0]
    assert meta["sources"] and all(s["licence"] and s["sha256"] for s in meta["sources"])
    assert meta["illustrative"] is False
    assert main(["export", "--home", str(built), "--tables", "7.1", "--format", "csv", "--out", str(tmp_path / "7.1")]) == 0
    (seizures_csv,) = (tmp_path / "7.1").glob("7.1_*.csv")
    seizures = pl.read_csv(seizures_csv.read_bytes()[3:], infer_schema=False)
    # One edition a year: WDR 2022 for 2016-2017 (4,079 rows, 17 totals), WDR 2024 for 2018-2022.
    assert seizures.height == 4079 + 11013 and seizures.filter(pl.col("is_total") == "true").height == 17 + 395
    outputs = pl.read_parquet(tmp_path / "P.1_outputs_of_unodc_technical_assistance.parquet")
    assert outputs["is_illustrative"].all()
    assert json.loads((tmp_path / "P.1_outputs_of_unodc_technical_assistance.parquet.json").read_text())["illustrative"]


def test_sdmx_reads_back_against_the_structure_shipped_with_it(built, tmp_path):
    from pysdmx.io import get_datasets, read_sdmx
    from pysdmx.model.dataflow import DataStructureDefinition

    assert main(["export", "--home", str(built), "--tables", "H.1", "--format", "sdmx", "--out", str(tmp_path)]) == 0
    facts = query(built, "select count(*) from fct_indicator_values")[0][0]
    meta = json.loads((tmp_path / "indicator_values.sdmx.json").read_text())
    assert meta["observations"] + meta["rows_without_m49_code"] == facts
    structure = tmp_path / "indicator_values.structure.xml"
    assert structure.read_text().startswith("<?xml") and "v3_0/message" in structure.read_text()[:600]
    dsds = {a.id: a for a in read_sdmx(str(structure), validate=True).structures
            if isinstance(a, DataStructureDefinition)}
    assert set(dsds) == {"DSD_MTS_INDICATORS", "DSD_MTS_SDG_SERIES"}
    units = {c.id: c.name for c in dsds["DSD_MTS_INDICATORS"].components["UNIT_MEASURE"].enumeration.items}
    assert "NUMBER" in units and "COUNT" not in units and "COUNTS" not in units and all(units.values())
    for name, flow, rows in (("indicator_values.sdmx10.csv", "UNODC:DF_MTS_INDICATORS(1.0)", meta["observations"]),
                             ("indicator_values.sdmx20.csv", "UNODC:DF_MTS_INDICATORS(1.0)", meta["observations"]),
                             ("sdg_series.sdmx20.csv", "UNODC:DF_MTS_SDG_SERIES(1.0)", meta["sdg_observations"])):
        (dataset,) = get_datasets(tmp_path / name, structure)
        assert dataset.short_urn == f"Dataflow={flow}" and len(dataset.data) == rows > 0
        # Every coded value of the data is a code of its list, and every code has a label.
        for comp in dataset.structure.components:
            if comp.enumeration is not None:
                codes = {c.id: c.name for c in comp.enumeration.items}
                assert all(codes.values()), comp.id
                assert set(dataset.data[comp.id].dropna().astype(str)) <= set(codes), (name, comp.id)
        assert dataset.attributes["RELEASE_ID"] == meta["release_id"]             # a dataset-level attribute
    (sdg,) = get_datasets(tmp_path / "sdg_series.sdmx20.csv", structure)
    assert {"VC_IHR_PSRC", "VC_HTF_DETV", "VC_PRS_UNSNT"} == set(sdg.data.SERIES)
    world = sdg.data[(sdg.data.SERIES == "VC_IHR_PSRC") & (sdg.data.REF_AREA.astype(str) == "1")]
    assert len(world) and set(world.SDG_INDICATOR) == {"16.1.1"} and set(world.INDICATOR) == {"TRA_R1_D1"}
    header = (tmp_path / "indicator_values.sdmx20.csv").read_text().splitlines()[1]
    assert header.startswith("dataflow,UNODC:DF_MTS_INDICATORS(1.0),I,")
    assert meta["illustrative_observations"] > 0 and meta["illustrative_note"]


def test_seizures_export_keeps_the_wdr_table_whole(built, tmp_path):
    import polars as pl
    import pyarrow.parquet as pq

    assert main(["export", "--home", str(built), "--tables", "7.1", "--format", "csv,parquet", "--out", str(tmp_path)]) == 0
    csv = pl.read_csv((tmp_path / "7.1_drug_seizures_by_country.csv").read_bytes()[3:], infer_schema=False)
    assert csv.height == 15092 and csv.filter(pl.col("is_total") == "true").height == 412
    assert dict(csv.group_by("edition").len().rows()) == {"wdr-2022": 4079, "wdr-2024": 11013}
    assert csv["comment"].drop_nulls().len() == query(
        built, "select count(comment) from fct_drug_seizures where is_current_edition")[0][0]
    assert {"iso3", "region", "sub_region", "drug_sub_group", "comment", "unit_as_reported",
            "quantity_as_reported", "edition"} <= set(csv.columns)
    assert len({c.lower() for c in csv.columns}) == len(csv.columns)
    regions = dict(csv.filter(pl.col("iso3").is_in(["TUR", "CYP"])).select("iso3", "region").unique().rows())
    assert regions == {"TUR": "Europe", "CYP": "Europe"}                      # where the WDR puts them
    kg = csv.filter(pl.col("value").str.contains(r"\.\d{4,}$")).height
    assert kg > 0                                                              # not rounded to 3 decimals
    meta = pq.read_schema(tmp_path / "7.1_drug_seizures_by_country.parquet").metadata
    assert json.loads(meta[b"source_checksums"]) and meta[b"release_id"].decode() == csv["release_id"][0]


def test_export_names_what_exists_when_asked_for_what_does_not(built, capsys):
    assert main(["export", "--home", str(built), "--tables", "6.1.1,9.9", "--out", "/nonexistent/never"]) == 2
    assert "unknown table(s) 9.9; the tables are: 6.1.1, 6.1.2, 6.2.1" in capsys.readouterr().err
    assert main(["export", "--home", str(built), "--format", "xlsx,pdf"]) == 2
    assert "unknown format(s) pdf; the formats are: xlsx, csv, parquet, sdmx" in capsys.readouterr().err
    assert main(["export", "--home", str(built), "--release", "../../etc"]) == 2
    capsys.readouterr()
    readme = Path(__file__).resolve().parents[1] / "README.md"
    assert main(["export", "--home", str(built), "--tables", "H.1", "--out", str(readme)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is a file, not a folder" in err and "Traceback" not in err


def test_exports_keep_formulas_as_text_and_show_changes_since_the_previous_release(revised, tmp_path):
    import zipfile

    import openpyxl

    home = revised[0]
    manifest = json.loads(query(home, "select manifest from audit.release")[0][0])
    out = home / "var" / "exports" / manifest["release_id"]               # written by the asset at publish
    book = tmp_path / "cannabis.xlsx"
    shutil.copyfile(out / "6.3.1_cannabis_cultivation.xlsx", book)
    cell = next(c for row in openpyxl.load_workbook(book).worksheets[0].iter_rows() for c in row
                if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"   # text, never a formula
    with zipfile.ZipFile(book) as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    csv = (out / "6.3.1_cannabis_cultivation.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in csv and ",=HYPERLINK(" not in csv and ',"=HYPERLINK(' not in csv
    changes = (out / "6.3.1_cannabis_cultivation.changes.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(changes) == 3 and all(line.startswith("added,") for line in changes[1:])
    meta = json.loads((out / "6.3.1_cannabis_cultivation.changes.csv.json").read_text())
    assert meta["compared_with"] == manifest["previous_release"] and meta["counts"] == {"added": 2}
    sheet = openpyxl.load_workbook(book)["Changes"]
    assert sheet["A1"].value.startswith(f"Changes in release {manifest['release_id']} since release "
                                        f"{manifest['previous_release']}: 2 added")
    assert [c.value for c in sheet[3]][:3] == ["Change", "Region or group", "Area code"]
    table = openpyxl.load_workbook(book).worksheets[0]
    assert sum(c.fill.fgColor.rgb == "FFFFEB9C" for row in table.iter_rows() for c in row) == 2
