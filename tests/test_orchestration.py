"""Dagster definitions: the asset graph is deliberate, and the snapshot asset fetches for real."""
from __future__ import annotations

import dagster as dg
import duckdb

from orchestration.assets.ratification import untc_snapshots
from orchestration.checks import BLOCKING_CHECKS
from orchestration.definitions import defs
from orchestration.resources import PipelineResource

from .conftest import UNTC_XML


def test_asset_graph_is_what_we_mean():
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/countries", "raw/untc_snapshots", "raw/untc_treaty_actions", "dim_country",
            "dim_instrument", "fct_treaty_actions", "fct_treaty_participation", "warehouse/indicators"} <= keys
    publish_deps = {k.to_user_string() for k in graph.get(dg.AssetKey(["warehouse", "indicators"])).parent_keys}
    marts = {k for k in keys if k.startswith(("dim_", "fct_", "rpt_"))}
    # Publishing waits for every public mart (and so for every dbt test on it).
    assert publish_deps == marts
    assert {"fct_indicator_values", "fct_crime_statistics", "rpt_indicator_coverage"} <= marts
    actions_parents = {k.to_user_string() for k in graph.get(dg.AssetKey(["staging", "stg_untc__xml_actions"])).parent_keys}
    assert actions_parents == {"raw/untc_treaty_actions"}
    raw_tables = {k.path[1] for k in graph.get_all_asset_keys() if k.path[0] == "raw"}
    # Every raw table has its pandera model, run as a blocking check.
    assert {f"pandera_{t}" for t in raw_tables} <= set(BLOCKING_CHECKS)
    assert {"participants_mapped", "untc_reject_rate", "registry_matches_annex"} <= set(BLOCKING_CHECKS)
    blocking = {k.name for k in graph.asset_check_keys if graph.get_check_spec(k).blocking}
    assert set(BLOCKING_CHECKS) <= blocking


def test_the_build_runs_dbt_once_and_the_checks_of_a_family_in_two_steps():
    from dagster._core.execution.api import create_execution_plan

    steps = {s.key for s in create_execution_plan(defs.resolve_job_def("build")).steps}
    # Dagster splits a step whose assets or checks sit both before and after another step: a split
    # dbt step would run dbt more than once, its tests before their models.
    assert not [k for k in steps if k.rsplit("_", 1)[-1].isdigit()], sorted(steps)
    assert "dbt_models" in steps
    families = ("crime_statistics", "crop_surveys", "project_outputs", "ratification")
    assert {k for k in steps if k.endswith("_checks")} == {
        *(f"{f}_{stage}_checks" for f in families for stage in ("snapshot", "table")),
        "registry_table_checks", "geography_table_checks"}


def test_a_check_that_raises_is_recorded_as_failed_and_the_others_still_run(tmp_path):
    from orchestration.checks import family_checks, rule_check

    def boom(frame, _):
        raise ZeroDivisionError("a bug in a rule")

    def rows(frame, _):
        return frame.height > 0, {"rows": frame.height}

    home = tmp_path / "home"
    (home / "var" / "build").mkdir(parents=True)
    con = duckdb.connect(str(home / "var" / "build" / "build.duckdb"))
    con.execute("create schema raw; create table raw.t as select 1 as x")
    con.close()

    @dg.asset(key=["raw", "t"])
    def t():
        return None

    step = family_checks("test", tables=[rule_check(["raw", "t"], "breaks", "raises", boom, blocking=False),
                                         rule_check(["raw", "t"], "counts", "counts rows", rows, blocking=False)])
    result = dg.materialize([t, *step], resources={"pipeline": PipelineResource(home=str(home))},
                            selection=dg.AssetSelection.checks(*step), raise_on_error=False)
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert evaluations["breaks"].passed is False
    assert "ZeroDivisionError: a bug in a rule" in evaluations["breaks"].metadata["error"].value
    assert evaluations["counts"].passed is True and evaluations["counts"].metadata["rows"].value == 1
    con = duckdb.connect(str(home / "var" / "build" / "build.duckdb"), read_only=True)
    recorded = dict(con.execute("select check_name, passed from audit.check_results").fetchall())
    con.close()
    assert recorded == {"breaks": False, "counts": True}


def test_the_snapshot_asset_fetches_from_a_mirror_and_keeps_the_bundle(http_server, tmp_path, monkeypatch):
    http_server.routes["/VI-15.en.xml"] = (200, (UNTC_XML / "VI-15.en.xml").read_bytes()
                                           .replace(b"<Parties>154</Parties>", b"<Parties>155</Parties>"), {})
    monkeypatch.setenv("UNODC_UNTC_URL", http_server.base + "/{item}.en.xml")
    result = dg.materialize([untc_snapshots],
                            resources={"pipeline": PipelineResource(home=str(tmp_path), fetch=True)})
    assert result.success
    meta = result.asset_materializations_for_node("raw__untc_snapshots")[0].metadata
    statuses = {r["item"]: r["status"] for r in meta["fetch"].value}
    assert statuses["VI-15"] == "new" and statuses["VI-16"] == "failed"
    con = duckdb.connect(str(tmp_path / "var" / "build" / "build.duckdb"), read_only=True)
    rows = con.execute("select item, notes from raw.untc_snapshots where item = 'VI-15' order by as_of").fetchall()
    con.close()
    assert len(rows) == 2 and rows[-1][1] == "fetched live"


def test_the_workspace_that_make_dev_serves_loads():
    import subprocess
    import sys
    from pathlib import Path

    dagster = Path(sys.executable).with_name("dagster")
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
                         cwd=root, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "All code locations passed validation" in out.stderr + out.stdout
