"""Warehouse-wide invariants of the indicator facts, on the real bundled build.

The invariants are dbt tests (`dbt_project/tests/invariants/`), so every build runs them and a
violation stops publication. Here each one runs on the published warehouse of a real build (it
must find nothing) and on a copy into which a counter-example was written (it must find it): an
invariant that cannot fail would prove nothing.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
from pathlib import Path

import duckdb
import pytest

from .conftest import ROOT

INVARIANTS = {p.stem: p for p in sorted((ROOT / "dbt_project" / "tests" / "invariants").glob("invariant_*.sql"))}

# A counter-example for each invariant: the kind of fact it exists to keep out of the warehouse.
COUNTER_EXAMPLES = {
    # A real crop figure flagged illustrative because its level of influence came from the sample.
    "invariant_no_real_value_flagged_illustrative": """
        update fct_indicator_values set is_illustrative = true
        where indicator_code = 'ALT.R1.D1' and ref_area_code = 'COL' and year = 2009""",
    # A world count that rests on one Member State, presented as normal.
    "invariant_no_aggregate_below_coverage_presented_as_normal": """
        update fct_indicator_values set members_reporting = 1
        where indicator_code = 'RAT.R1.I1' and ref_area_type = 'world' and year = 2010""",
    # A world row formed by a method the registry does not declare.
    "invariant_aggregates_follow_their_declared_method": """
        update fct_indicator_values set aggregation_method = 'mean'
        where indicator_code = 'RAT.R1.I1' and ref_area_type = 'world' and year = 2010""",
    # A line computed while the registry says no family answers it.
    "invariant_registry_and_coverage_agree": """
        update dim_indicator set answered_by = null where indicator_code = 'TRA.R1.I2'""",
    # A second current world total for a year (the compiled copy of the workbook's total).
    "invariant_one_current_crop_figure": """
        update fct_crop_cultivation set is_current = true
        where is_total and source_kind != 'annex_table' and crop = 'coca_bush' and year = 2015""",
    # Peru's 2011 coca change across a series break (c in 2011 against b in 2010): +2.12 %.
    "invariant_no_change_across_series_or_reporting_sets": """
        update fct_indicator_values set value = 2.12, obs_status = 'A', withheld_reason = null
        where indicator_code = 'ALT.R1.D2' and ref_area_code = 'PER' and year = 2011""",
    # Hong Kong's 2020 cocaine seizures (WDR 2024): its reported total (1,269.2 kg) added to its
    # detailed rows (3.001 kg).
    "invariant_reported_totals_never_added_to_their_parts": """
        update fct_indicator_values set value = 1269.2 + 3.001
        where indicator_code = 'TRA.R1.D2' and ref_area_code = 'HKG' and year = 2020
          and disaggregation = 'Cocaine-type'""",
    # The WDR 2022 rows of 2019 current beside WDR 2024's: two editions' seizures added.
    "invariant_one_current_seizure_edition_per_year": """
        update fct_drug_seizures set is_current_edition = true where edition = 'wdr-2022' and year = 2019""",
    # "low" for a year no assistance data cover.
    "invariant_influence_only_where_assistance_data_cover": """
        update fct_indicator_values set level_of_influence = 'low',
               influence_basis = 'no UNODC assistance recorded in the result area that year'
        where indicator_code = 'RAT.R1.I1' and ref_area_code = 'FRA' and year = 2005""",
}


def render(sql: str) -> str:
    """The dbt test as plain SQL on the published file: no config block, ref('x') -> main.x."""
    sql = re.sub(r"\{\{\s*config\(.*?\)\s*\}\}", "", sql, flags=re.S)
    return re.sub(r"\{\{\s*ref\('(\w+)'\)\s*\}\}", r"main.\1", sql)


def violations(db: Path, name: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(render(INVARIANTS[name].read_text())).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def published(bundled_build) -> Path:
    return bundled_build / "warehouse" / "indicators.duckdb"


def test_every_invariant_has_a_counter_example():
    assert INVARIANTS and set(INVARIANTS) == set(COUNTER_EXAMPLES)


@pytest.mark.parametrize("name", sorted(INVARIANTS))
def test_the_invariant_holds_on_the_bundled_build(published, name):
    assert violations(published, name) == []


@pytest.mark.parametrize("name", sorted(COUNTER_EXAMPLES))
def test_the_invariant_fails_on_its_counter_example(published, tmp_path, name):
    seeded = tmp_path / "seeded.duckdb"
    shutil.copyfile(published, seeded)
    os.chmod(seeded, stat.S_IRUSR | stat.S_IWUSR)
    con = duckdb.connect(str(seeded))
    try:
        changed = con.execute(COUNTER_EXAMPLES[name]).fetchall()
        assert changed and changed[0][0] > 0, "the counter-example changed no row"
    finally:
        con.close()
    assert violations(seeded, name), f"{name} did not see its counter-example"
