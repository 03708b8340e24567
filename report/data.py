"""What the site shows, read once from one release's DuckDB file, read-only.

Every table is read whole into polars (the bundled build's facts are ~100,000 rows): grouping
in memory is quicker than a query per page for a few hundred pages.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

VALUE_COLUMNS = """indicator_code, ref_area_type, ref_area_code, ref_area_name, year, disaggregation_dimension,
    disaggregation, value, lower_bound, upper_bound, obs_status, unit_measure, share_of_members,
    members_reporting, members_in_group, coverage_share, coverage_minimum, aggregation_method, aggregation_rule,
    withheld_reason, note, is_illustrative, level_of_influence, influence_basis, influence_is_illustrative,
    snapshot_ids, vintage, source_family"""


@dataclass
class Release:
    release_id: str
    published_at: str
    code_version: str
    manifest: dict
    lines: pl.DataFrame            # dim_indicator with its coverage, every line in annex order
    results: pl.DataFrame          # dim_result
    values: pl.DataFrame           # fct_indicator_values
    snapshots: dict[str, dict]     # dim_snapshot by id
    countries: pl.DataFrame        # UN Member States
    areas: dict[str, str]          # every reference area's name (countries, regions, the world)
    instruments: pl.DataFrame      # dim_instrument
    treaties: pl.DataFrame         # fct_treaty_participation
    crops: pl.DataFrame            # current crop figures
    assistance: pl.DataFrame       # fct_assistance
    changes: pl.DataFrame          # audit.release_changes
    extra: dict = field(default_factory=dict)

    @property
    def instrument_titles(self) -> dict[str, str]:
        return dict(self.instruments.select("instrument_code", "title").iter_rows())


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return con.sql(sql).pl()


def _has(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return con.execute("select count(*) from duckdb_tables() where schema_name = ? and table_name = ?",
                       [schema, table]).fetchall()[0][0] > 0


def read_release(path: Path) -> Release:
    if not Path(path).exists():
        raise FileNotFoundError(f"no warehouse at {path}")
    con = duckdb.connect(str(path), read_only=True)
    try:
        release_id, published_at, code_version, manifest = con.execute(
            "select release_id, published_at::varchar, code_version, manifest from audit.release").fetchall()[0]
        lines = _frame(con, """
            select d.*, r.result_order, c.coverage_class, c.coverage_status, c.values_published, c.values_real,
                   c.values_illustrative, c.values_withheld, c.first_year, c.last_year, c.countries
            from main.dim_indicator as d
            left join main.rpt_indicator_coverage as c using (indicator_code)
            left join main.dim_result as r on r.result_code = d.result_code
            order by r.result_order, d.annex_order, d.indicator_code""")
        results = _frame(con, "select * from main.dim_result order by result_order")
        values = _frame(con, f"select {VALUE_COLUMNS} from main.fct_indicator_values "
                             "order by indicator_code, disaggregation, ref_area_type, ref_area_code, year")
        snapshots = {r["snapshot_id"]: r for r in _frame(con, """
            select snapshot_id, snapshot_name, title, producer, family, licence, accessed, snapshot_as_of::varchar
                   as snapshot_as_of, published, url, sha256 from main.dim_snapshot""").iter_rows(named=True)}
        countries = _frame(con, """
            select iso3, country_name, official_name, m49_region_name, m49_subregion_name, un_admission_year
            from main.dim_country where is_un_member_state order by country_name""")
        areas = dict(con.execute("""
            select distinct ref_area_code, ref_area_name from main.fct_indicator_values
            union select iso3, country_name from main.dim_country""").fetchall())
        instruments = _frame(con, "select * from main.dim_instrument order by adopted_on")
        treaties = _frame(con, """
            select t.participant_iso3 as iso3, t.instrument_code, i.title, i.instrument_family, t.signed_on,
                   t.party_since, t.party_by, t.withdrawn_on, t.is_party, t.as_of, t.snapshot_id
            from main.fct_treaty_participation as t join main.dim_instrument as i using (instrument_code)
            order by t.participant_iso3, i.adopted_on""")
        crops = _frame(con, """
            select country_iso3 as iso3, crop, measure, unit, series, year, value, lower_bound, upper_bound,
                   obs_status, edition, source_kind, source, snapshot_id, footnotes
            from main.fct_crop_cultivation where is_current and country_iso3 is not null and not is_total
            order by iso3, crop, measure, year, series""")
        assistance = _frame(con, """
            select country_iso3 as iso3, year, area_code, activity_ids, sources, bases, is_illustrative
            from main.fct_assistance order by iso3, year, area_code""")
        changes = _frame(con, "select * from audit.release_changes") if _has(con, "audit", "release_changes") \
            else pl.DataFrame(schema={"table_name": pl.String, "row_key": pl.String, "change": pl.String,
                                      "old_values": pl.String, "new_values": pl.String})
    finally:
        con.close()
    return Release(release_id=release_id, published_at=published_at, code_version=code_version,
                   manifest=json.loads(manifest), lines=lines, results=results, values=values,
                   snapshots=snapshots, countries=countries, areas=areas, instruments=instruments,
                   treaties=treaties, crops=crops, assistance=assistance, changes=changes)
