"""dbt's tests are not Dagster asset checks: the dbt step records every test's outcome in its
`dbt_build` check result, and a failing error-severity test fails the step and closes the publish
gate, as a failed Dagster check would."""
from __future__ import annotations

import json
import shutil

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt import DBT_BUILD_CHECK, dbt_models
from orchestration.definitions import defs
from orchestration.resources import PipelineResource
from orchestration.warehouse.publish import GateClosed, gate


def test_a_failing_dbt_test_is_named_in_the_dbt_build_result_and_closes_the_gate(bundled_build, tmp_path):
    home = tmp_path / "home"
    shutil.copytree(bundled_build / "var" / "build", home / "var" / "build")
    db = home / "var" / "build" / "build.duckdb"
    con = duckdb.connect(str(db))
    # An action kind no code list has: the mart's in_code_list test on action_kind fails.
    changed = con.execute("update raw.untc_treaty_actions set action_kind = 'approved_in_a_test' "
                          "where action_kind = 'approval'").fetchone()[0]
    con.close()
    assert changed > 0

    result = dg.materialize([dbt_models], resources={"pipeline": PipelineResource(home=str(home)),
                                                     "dbt": defs.resources["dbt"]}, raise_on_error=False)
    assert not result.success
    assert result.get_asset_check_evaluations() == []
    assert not [e for e in result.all_events if e.event_type == dg.DagsterEventType.ASSET_OBSERVATION]

    con = duckdb.connect(str(db), read_only=True)
    passed, details = con.execute("select passed, details from audit.check_results where check_name = ?",
                                  [DBT_BUILD_CHECK]).fetchone()
    with pytest.raises(GateClosed, match=DBT_BUILD_CHECK):
        gate(con, [DBT_BUILD_CHECK])
    con.close()
    tests = json.loads(details)["tests"]
    assert passed is False
    failed = {(t["test"], t["on"]): t for t in tests["not_passed"] if t["status"] == "fail"}
    assert ("in_code_list_fct_treaty_actions_action_kind__action_kind", "fct_treaty_actions") in failed, failed
    assert failed[("in_code_list_fct_treaty_actions_action_kind__action_kind", "fct_treaty_actions")]["failures"] == 1
    # Every other outcome is kept too: the warnings by name and rows, the passed tests by name.
    warned = {t["test"]: t["failures"] for t in tests["not_passed"] if t["status"] == "warn"}
    assert warned["warn_crop_totals_differ_from_their_rows"] == 1
    assert "unique_dim_country_iso3" in tests["passed"] and tests["count"]["fail"] == len(failed)
    assert sum(tests["count"].values()) == len(tests["passed"]) + len(tests["not_passed"])


MART_COUNT_TEST = "assert_every_accepted_row_of_the_newest_release_reaches_the_mart"

# What the count by snapshot must see: the uniqueness of observation_id rests on it (no `unique`
# test hashes 19 million ids at ×100; the raw check makes (snapshot, source row) unique per file).
MART_TAMPERINGS = {
    # An incremental build that inserts a snapshot's rows again.
    "a snapshot inserted twice": """
        insert into main.fct_crime_statistics
        select * from main.fct_crime_statistics
        where snapshot_id = (select min(snapshot_id) from main.fct_crime_statistics) limit 3""",
    # A row of the newest release lost on the way to the mart.
    "a row lost": """
        delete from main.fct_crime_statistics
        where observation_id = (select min(observation_id) from main.fct_crime_statistics)""",
    # The rows of a release that a newer one replaced, left behind (the pre-hook's delete missed).
    "a replaced release left behind": """
        insert into main.fct_crime_statistics
        select * replace ('an-older-snapshot' as snapshot_id, md5('an-older-snapshot:' || source_row) as observation_id)
        from main.fct_crime_statistics
        where snapshot_id = (select min(snapshot_id) from main.fct_crime_statistics) limit 2""",
}


@pytest.mark.parametrize("tampering", [None, *MART_TAMPERINGS])
def test_the_mart_count_by_snapshot_sees_rows_twice_or_left_behind(bundled_build, tmp_path, tampering):
    from orchestration.dbt_project import dbt_vars_json
    from tests.test_dbt_families import run_dbt

    shutil.copy(bundled_build / "var" / "build" / "build.duckdb", tmp_path / "build.duckdb")
    if tampering:
        con = duckdb.connect(str(tmp_path / "build.duckdb"))
        assert con.execute(MART_TAMPERINGS[tampering]).fetchone()[0] > 0
        con.close()
    done = run_dbt(tmp_path, "test", "--vars", dbt_vars_json(), "--select", MART_COUNT_TEST)
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert [r["unique_id"].split(".")[-1] for r in results] == [MART_COUNT_TEST]
    if tampering is None:
        assert done.returncode == 0 and results[0]["status"] == "pass", done.stdout[-3000:]
    else:
        assert done.returncode != 0 and results[0]["status"] == "fail" and results[0]["failures"] == 1, \
            done.stdout[-3000:]
