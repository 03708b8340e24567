"""What a release diff counts as a change."""
from __future__ import annotations

import duckdb

from orchestration.warehouse.releases import diff_releases


def _release(path, values: list[float]) -> None:
    con = duckdb.connect(str(path))
    con.execute("""create table fct_indicator_values (indicator_code varchar, ref_area_type varchar,
                   ref_area_code varchar, year integer, disaggregation varchar, value double, obs_status varchar,
                   lower_bound double, upper_bound double)""")
    for year, value in enumerate(values, start=2000):
        con.execute("insert into fct_indicator_values values ('X', 'world', '001', ?, '_T', ?, 'A', null, null)",
                    [year, value])
    con.close()


def test_a_value_summed_in_another_order_is_no_revision_a_real_change_is(tmp_path):
    _release(tmp_path / "old.duckdb", [305.87733, 1357.49, 10.0, 7.0])
    # The same sums in another order (last bits), one real revision, one value withheld.
    _release(tmp_path / "new.duckdb", [305.87733000000003, 1357.4899999999998, 10.5, None])
    con, changes = diff_releases(tmp_path / "old.duckdb", tmp_path / "new.duckdb")
    revised = sorted(changes.filter("change = 'revised'").project("row_key ->> '$.year'").fetchall())
    con.close()
    assert revised == [("2002",), ("2003",)]
