"""dbt's tests are not Dagster asset checks: the dbt step records every test's outcome in its
`dbt_build` check result, and a failing error-severity test fails the step and closes the publish
gate, as a failed Dagster check would."""
from __future__ import annotations

import json
import os
import shutil
import subprocess

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
    # An action kind no code list has: the mart's column rules (in_code_list on action_kind) fail.
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
    assert ("column_rules_fct_treaty_actions_", "fct_treaty_actions") in failed, failed
    rules = failed[("column_rules_fct_treaty_actions_", "fct_treaty_actions")]
    # One rule broken, and which: the column, the rule, the rows that break it and one of their values.
    assert rules["failures"] == 1
    assert rules["rows"] == [{"column_name": "action_kind", "rule": "in_code_list action_kind",
                              "failing_rows": changed, "example": "approved_in_a_test"}]
    # The command's account of the failure says the same.
    from orchestration.cli import _dbt_failures
    from sources.settings import Paths

    said = [line for line in _dbt_failures(Paths(home)) if "column_rules_fct_treaty_actions_" in line]
    assert len(said) == 1 and said[0].endswith(
        f"first rows: column_name action_kind, rule in_code_list action_kind, failing_rows {changed}, "
        "example approved_in_a_test"), said
    # Every other outcome is kept too: the warnings by name and rows, the passed tests by name.
    warned = {t["test"]: t["failures"] for t in tests["not_passed"] if t["status"] == "warn"}
    assert warned["warn_crop_totals_differ_from_their_rows"] == 1
    assert "column_rules_dim_country_" in tests["passed"] and tests["count"]["fail"] == len(failed)
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
        # The failing row itself is kept with the outcome (dbt keeps only the count).
        from orchestration.dbt_results import add_failing_rows, test_outcomes

        outcomes = test_outcomes(tmp_path / "target" / "run_results.json", tmp_path / "target" / "manifest.json")
        con = duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True)
        add_failing_rows(con, tmp_path / "target" / "run_results.json", outcomes)
        con.close()
        [failed] = outcomes["not_passed"]
        assert "rows_unread" not in failed and len(failed["rows"]) == 1, failed


# One tampering of a mart per kind of column rule, each on a column that declares it.
RULE_TAMPERINGS = [
    ("dim_instrument", "participants_snapshot_id", "not_null", 1, None,
     "update main.dim_instrument set participants_snapshot_id = null where instrument_code = 'UNTOC'"),
    ("fct_treaty_actions", "action_id", "unique", 4, None,
     "insert into main.fct_treaty_actions select * from main.fct_treaty_actions order by action_id limit 2"),
    ("fct_treaty_actions", "action_kind", "in_code_list action_kind", None, "approved_in_a_test",
     "update main.fct_treaty_actions set action_kind = 'approved_in_a_test' where action_kind = 'approval'"),
    ("dim_result", "theme_code", "accepted_values 'AN', 'RL', 'HS'", 1, "XX",
     "update main.dim_result set theme_code = 'XX' where result_code = (select min(result_code) from main.dim_result)"),
    ("fct_indicator_values", "value", "not_null where obs_status != 'Q' and withheld_reason is null", 1,
     None, """update main.fct_indicator_values set value = null where rowid = (select min(rowid) from main.fct_indicator_values
              where obs_status = 'A' and withheld_reason is null and value is not null)"""),
]


def test_each_kind_of_column_rule_fails_on_its_column_and_says_which(bundled_build, tmp_path):
    from orchestration.dbt_project import dbt_vars_json
    from orchestration.dbt_results import add_failing_rows, test_outcomes
    from tests.test_dbt_families import run_dbt

    shutil.copy(bundled_build / "var" / "build" / "build.duckdb", tmp_path / "build.duckdb")
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    changed = {}
    for model, column, rule, _, _, sql in RULE_TAMPERINGS:
        changed[(model, column, rule)] = con.execute(sql).fetchone()[0]
        assert changed[(model, column, rule)] > 0, sql
    con.close()
    done = run_dbt(tmp_path, "test", "--vars", dbt_vars_json(), "--select", "test_name:column_rules")
    assert done.returncode != 0
    outcomes = test_outcomes(tmp_path / "target" / "run_results.json", tmp_path / "target" / "manifest.json")
    con = duckdb.connect(str(tmp_path / "build.duckdb"), read_only=True)
    add_failing_rows(con, tmp_path / "target" / "run_results.json", outcomes)
    con.close()
    failed = {t["on"]: t for t in outcomes["not_passed"]}
    assert set(failed) == {m for m, *_ in RULE_TAMPERINGS} and {t["status"] for t in failed.values()} == {"fail"}
    found = {(model, row["column_name"], row["rule"]): row for model, t in failed.items() for row in t["rows"]}
    assert set(found) == set(changed)
    for model, column, rule, rows, example, _ in RULE_TAMPERINGS:
        row = found[(model, column, rule)]
        assert row["failing_rows"] == (rows if rows is not None else changed[(model, column, rule)]), row
        if example is not None:
            assert row["example"] == example
    # Every other model's rules held: each model with column rules has its one test, and it ran.
    assert all(t.startswith("column_rules_") for t in outcomes["passed"])
    assert len(outcomes["passed"]) + len(failed) == len(_models_with_rules(tmp_path / "target" / "manifest.json"))


def _models_with_rules(manifest_path) -> dict[str, list[str]]:
    nodes = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    return {uid: [c["name"] for c in node["columns"].values() if (c.get("config") or {}).get("meta", {}).get("rules")]
            for uid, node in nodes.items()
            if node["resource_type"] == "model"
            and any((c.get("config") or {}).get("meta", {}).get("rules") for c in node["columns"].values())}


def test_every_model_whose_columns_declare_rules_has_the_test_that_checks_them():
    from orchestration.dbt_project import dbt_project

    manifest = dbt_project.manifest_path
    nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    tested = {n["attached_node"] for n in nodes.values()
              if n["resource_type"] == "test" and (n.get("test_metadata") or {}).get("name") == "column_rules"}
    with_rules = _models_with_rules(manifest)
    assert len(with_rules) >= 27 and sorted(set(with_rules) - tested) == []
    # The single-column rules are declared so, not as tests of their own (one dbt node per model).
    single = [uid for uid, n in nodes.items() if n["resource_type"] == "test"
              and (n.get("test_metadata") or {}).get("name") in ("not_null", "accepted_values", "in_code_list")
              and n.get("attached_node") in with_rules]
    assert single == []


def test_a_rule_the_test_does_not_know_stops_the_build(tmp_path):
    from orchestration.dbt_project import DBT_DIR, dbt_vars_json
    from tests.test_dbt_families import DBT

    project = tmp_path / "project"
    shutil.copytree(DBT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    yml = project / "models" / "marts" / "ratification" / "_ratification__models.yml"
    text = yml.read_text(encoding="utf-8")
    assert "config: {meta: {rules: [not_null]}}" in text
    yml.write_text(text.replace("config: {meta: {rules: [not_null]}}", "config: {meta: {rules: [not_nul]}}", 1),
                   encoding="utf-8")
    done = subprocess.run([str(DBT), "compile", "--vars", dbt_vars_json(), "--select", "test_name:column_rules",
                           "--profiles-dir", str(project), "--target-path", str(tmp_path / "target"),
                           "--log-path", str(tmp_path / "logs")],
                          cwd=project, env={**os.environ, "HOME": str(tmp_path)}, capture_output=True, text=True)
    assert done.returncode != 0
    assert "column_rules on dim_instrument.participants_snapshot_id: unknown rule not_nul" in done.stdout, done.stdout[-3000:]
