"""A night that does not fetch runs in one Dagster run: the refresh run's work (storing the bundled
files, the snapshot lists) is known before Dagster, and the build's subset writes the changed
families' lists itself. The decisions and the release are those of a refresh run and a build.

Homes are copies of the session's bundled build (state A); one more UNTC status file makes state B.
"""
from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from bench.compare_warehouses import compare
from orchestration.cli import main
from orchestration.incremental import inputs_now, table_digest
from orchestration.one_run import REGISTRY_SNAPSHOTS, lists_to_write, plan_without_refresh, store_bundled
from orchestration.warehouse.database import connect
from sources import fetch_log
from sources.catalog import FetchReport
from sources.family import with_raw_tables
from sources.settings import Paths

from .test_incremental import new_untc_vintage

pytestmark = pytest.mark.timeout(1800)


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["run", *args])
    return code, out.getvalue()


def _runs(home: Path) -> list[dg.DagsterRun]:
    """Every Dagster run of this home, oldest first."""
    runs = dg.DagsterInstance.get().get_runs()
    return [r for r in reversed(runs)
            if Path(r.run_config.get("resources", {}).get("pipeline", {}).get("config", {}).get("home", "/"))
            .resolve() == home.resolve()]


def _steps(run: dg.DagsterRun) -> set[str]:
    return {s.step_key for s in dg.DagsterInstance.get().get_run_step_stats(run.run_id)}


@pytest.fixture(scope="module")
def one_file(bundled_build, tmp_path_factory):
    """State B built by the nightly command (no fetch) and, for comparison, in full; then a failed
    fetch recorded for the new UNTC file (its list changes by its stale flag alone) and a plain `run`."""
    base = tmp_path_factory.mktemp("one-run")
    night, full = base / "night", base / "full"
    shutil.copytree(bundled_build, night, symlinks=True)
    shutil.copytree(bundled_build, full, symlinks=True)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNODC_BUNDLE_DIR", str(base / "bundle"))
        added = new_untc_vintage(base / "bundle")
        code, out = _run("-v", "--if-changed", "--home", str(night))
        assert code == 0, out
        runs = _runs(night)
        kept = base / "night-release.duckdb"
        shutil.copy(Paths(night).published_db.resolve(), kept)
        code_full, out_full = _run("--full", "--home", str(full))
        assert code_full == 0, out_full
        con = duckdb.connect(str(Paths(night).published_db), read_only=True)
        try:
            dataset, item = con.execute("select dataset, item from raw.untc_snapshots where name = ?",
                                        [added]).fetchone()
        finally:
            con.close()
        fetch_log.record(night, [FetchReport(dataset, item, "http://127.0.0.1:9/untc", "failed", "HTTP 503")])
        flags = _run("--home", str(night))
        flag_runs = _runs(night)[len(runs):]
    return {"night": night, "full": full, "out": out, "runs": runs, "release": kept, "added": added,
            "item": item, "flags": flags, "flag_runs": flag_runs}


def test_a_night_with_one_new_bundled_file_is_one_dagster_run(one_file):
    out, runs = one_file["out"], one_file["runs"]
    assert "rebuild: 1 snapshot(s) new or changed" in out
    assert f"incremental build: 1 of {len(with_raw_tables())} families changed" in out
    assert "loading again: ratification;" in out
    assert [r.job_name for r in runs] == ["build"], [r.job_name for r in runs]
    steps = _steps(runs[0])
    # The changed family's snapshot list is written in the build, before its raw tables.
    for step in ("raw__untc_snapshots", "untc_raw_tables", "ratification_snapshot_checks", "dbt_models",
                 "warehouse__indicators"):
        assert step in steps, (step, sorted(steps))
    others = [f"raw__{f.snapshots.name}" for f in with_raw_tables() if f.name != "ratification"]
    assert not steps & set(others), sorted(steps & set(others))


def test_the_release_is_the_one_a_full_build_publishes(one_file):
    con = duckdb.connect(str(one_file["release"]), read_only=True)
    try:
        names = {n for (n,) in con.execute("select snapshot_name from dim_snapshot").fetchall()}
    finally:
        con.close()
    assert one_file["added"] in names
    notes: list[str] = []
    assert compare(one_file["full"] / "warehouse" / "indicators.duckdb", one_file["release"], notes=notes) == []


def test_a_list_changed_by_its_stale_flag_alone_is_loaded_again(one_file):
    code, out = one_file["flags"]
    assert code == 0, out
    assert "loading again: ratification;" in out
    assert [r.job_name for r in one_file["flag_runs"]] == ["build"]
    con = duckdb.connect(str(Paths(one_file["night"]).published_db), read_only=True)
    try:
        stale = con.execute("select item, last_fetch_error from raw.untc_snapshots where is_stale").fetchall()
    finally:
        con.close()
    assert stale == [(one_file["item"], "HTTP 503")]


def test_the_lists_a_refresh_would_write_are_known_without_it(bundled_build, tmp_path):
    home = tmp_path / "copy"
    shutil.copytree(bundled_build, home, symlinks=True)
    where = Paths(home)
    assert store_bundled(where, fetch=False)
    assert not store_bundled(where, fetch=True)
    written = lists_to_write(where)
    with connect(where.build_db) as con:
        held = inputs_now(con, where)
        assert written[REGISTRY_SNAPSHOTS] == table_digest(con, "raw", REGISTRY_SNAPSHOTS)
    assert {f.snapshots.name: written[f.snapshots.name] for f in with_raw_tables()} == {
        f.snapshots.name: held["families"][f.name]["list"] for f in with_raw_tables()}
    planned = plan_without_refresh(where)
    assert planned is not None and not planned.full and planned.changed == []
    # A list the build database holds otherwise than a refresh would write it, of a family the build
    # would not load: the night runs as before, a refresh run first.
    with connect(where.build_db) as con:
        con.execute("delete from raw.crop_snapshots where rowid = (select min(rowid) from raw.crop_snapshots)")
    assert plan_without_refresh(where) is None
