"""The published warehouse explains itself: every table and column of main and audit carries its
description as a comment, the yml's words reach the file unchanged, codes have code lists, every
ISO3 code has the UN's name beside it, and the convenience tables say what they promise. All on the
shared real build (read-only)."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from .conftest import ROOT

MODELS = ROOT / "dbt_project" / "models"


@pytest.fixture(scope="module")
def con(bundled_build):
    con = duckdb.connect(str(bundled_build / "warehouse" / "indicators.duckdb"), read_only=True)
    yield con
    con.close()


def _yml_models() -> dict[str, dict]:
    models = {}
    for path in MODELS.rglob("*.yml"):
        for model in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("models", []):
            models[model["name"]] = model
    return models


def test_every_table_and_column_of_main_and_audit_has_a_comment(con):
    tables = con.execute("""select schema_name, table_name, coalesce(comment, '') from duckdb_tables()
                            where schema_name in ('main', 'audit')""").fetchall()
    assert len(tables) > 25
    assert [f"{s}.{t}" for s, t, c in tables if not c.strip()] == []
    # duckdb_columns() also lists DuckDB's own catalogue views: only the file's tables count.
    columns = con.execute("""select schema_name, table_name, column_name, coalesce(comment, '') from duckdb_columns()
                             where schema_name in ('main', 'audit')
                               and table_oid in (select table_oid from duckdb_tables())""").fetchall()
    assert len(columns) > 400
    assert [f"{s}.{t}.{c}" for s, t, c, text in columns if not text.strip()] == []


def test_a_description_in_the_yml_reaches_the_published_file_verbatim(con):
    column = next(c for c in _yml_models()["fct_indicator_values"]["columns"] if c["name"] == "withheld_reason")
    published = con.execute("""select comment from duckdb_columns()
                               where table_name = 'fct_indicator_values' and column_name = 'withheld_reason'""").fetchone()[0]
    assert published == column["description"]
    assert "coverage rule" in published


def test_the_audit_tables_say_what_they_hold(con):
    comments = dict(con.execute("""select table_name, comment from duckdb_tables() where schema_name = 'audit'""").fetchall())
    assert set(comments) >= {"release", "release_changes", "check_results"}
    assert "previous published release" in comments["release_changes"]


def test_the_published_fact_has_the_contract_s_columns_and_types(con):
    declared = [(c["name"], c["data_type"].upper()) for c in _yml_models()["fct_indicator_values"]["columns"]]
    published = con.execute("""select column_name, data_type from duckdb_columns()
                               where schema_name = 'main' and table_name = 'fct_indicator_values'
                               order by column_index""").fetchall()
    assert published == declared


def test_every_code_list_a_test_names_is_in_the_warehouse(con):
    named = set()
    for model in _yml_models().values():
        for column in model.get("columns", []):
            for rule in ((column.get("config") or {}).get("meta") or {}).get("rules", []):
                if isinstance(rule, dict) and "in_code_list" in rule:
                    lists = rule["in_code_list"]
                    named |= {lists} if isinstance(lists, str) else set(lists)
    assert {"obs_status", "unit_measure", "action_kind", "ref_area", "aggregation_method", "coverage_class"} <= named
    lists = dict(con.execute("select code_list, count(*) from dim_code_list group by 1").fetchall())
    assert sorted(named - set(lists)) == []
    assert con.execute("""select label from dim_code_list where code_list = 'obs_status' and code = 'O'""").fetchone()[0] \
        == "Missing value"


def test_every_iso3_code_has_the_un_name_beside_it(con):
    iso3_columns = con.execute("""select table_name, column_name from duckdb_columns()
                                  where schema_name = 'main' and column_name like '%\\_iso3' escape '\\'
                                    and table_name != 'dim_country' order by 1, 2""").fetchall()
    tables = {t for t, _ in iso3_columns}
    assert {"fct_assistance", "fct_project_outputs", "fct_crime_statistics", "fct_drug_seizures",
            "fct_crop_cultivation", "fct_treaty_participation"} <= tables
    columns = {(t, c) for t, c in con.execute(
        "select table_name, column_name from duckdb_columns() where schema_name = 'main'").fetchall()}
    wrong = {}
    for table, code in iso3_columns:
        name = code.removesuffix("_iso3") + "_name"
        assert (table, name) in columns, f"{table}.{code} has no {name} beside it"
        wrong[f"{table}.{name}"] = con.execute(f"""
            select count(*) from main."{table}" as t left join dim_country as d on d.iso3 = t."{code}"
            where t."{code}" is not null and t."{name}" is distinct from d.country_name""").fetchone()[0]
    assert {k: v for k, v in wrong.items() if v} == {}


def test_one_name_per_code_the_un_s_and_the_source_s_kept_where_it_matters(con):
    names = dict(con.execute("select iso3, country_name from dim_country where iso3 in ('COD', 'SWZ', 'TUR')").fetchall())
    assert names == {"COD": "Democratic Republic of the Congo", "SWZ": "Eswatini", "TUR": "Türkiye"}
    in_source = {r[0] for r in con.execute("""select distinct participant_name_in_source from fct_treaty_actions
                                              where participant_iso3 = 'SWZ'""").fetchall()}
    assert "Swaziland" in in_source
    assert con.execute("select distinct participant_name from fct_treaty_actions where participant_iso3 = 'SWZ'").fetchall() \
        == [("Eswatini",)]


def test_the_latest_value_is_the_newest_real_stated_one(con):
    assert con.execute("select count(*) from v_latest_indicator_values").fetchone()[0] > 1000
    # No newer real, stated value exists for any row, and none of its rows is illustrative or withheld.
    newer = con.execute("""
        select count(*) from v_latest_indicator_values as v join fct_indicator_values as f
          using (indicator_code, ref_area_type, ref_area_code, disaggregation)
        where f.year > v.year and f.value is not null and f.withheld_reason is null and not f.is_illustrative""").fetchone()[0]
    assert newer == 0
    unreal = con.execute("""
        select count(*) from v_latest_indicator_values as v join fct_indicator_values as f
          using (indicator_code, ref_area_type, ref_area_code, disaggregation, year)
        where f.is_illustrative or f.withheld_reason is not null or f.value is null""").fetchone()[0]
    assert unreal == 0


def test_seizures_by_group_add_each_country_once(con):
    # The world figure of a group and year is the sum of its countries' rows (a reported total is
    # never added to its parts: each country has one row per group and year).
    rows = con.execute("""
        with world as (select drug_group, year, kilograms from v_seizures_by_group
                       where ref_area_type = 'world' and kilograms is not null),
             countries as (select drug_group, year, sum(kilograms) as kg, count(*) as n,
                                  count(distinct ref_area_code) as areas
                           from v_seizures_by_group where ref_area_type = 'country' group by all)
        select world.kilograms, countries.kg, countries.n, countries.areas
        from world join countries using (drug_group, year)""").fetchall()
    assert len(rows) > 20
    assert all(n == areas for _, _, n, areas in rows)
    assert all(abs(w - kg) <= 1e-6 * max(1.0, kg) for w, kg, _, _ in rows)


def test_the_country_profile_has_every_member_state_and_no_zero_for_missing(con):
    states, lines = con.execute("""select count(distinct country_iso3), count(distinct indicator_code)
                                   from v_country_profile""").fetchone()
    assert states == 193 and lines >= 5
    assert con.execute("select count(*) from v_country_profile where not has_value and latest_value is not null").fetchone()[0] == 0
    assert con.execute("select count(*) from v_country_profile where not has_value").fetchone()[0] > 0
