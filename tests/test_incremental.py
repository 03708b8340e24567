"""A change rebuilds what depends on it: one family's new snapshot loads that family again, runs the
dbt models downstream of its raw tables and publishes, and the release is the one a full build
publishes from the same state (every public table compared row for row). A night that does not
fetch does all of it in one Dagster run: the refresh run's work (storing the bundled files, the
snapshot lists) is known before Dagster, and the build's subset writes the changed families' lists.

Both homes start as copies of the session's bundled build (state A); a new UNTC status file (a later
vintage of VI-15) and a new release of the UN-CTS prisons file make state B; one home then builds B
in full (`run --full`), the other with the nightly `run --if-changed`, which loads the ratification
and crime families alone and updates their raw tables by snapshot.
"""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import yaml

from bench.compare_warehouses import compare
from bench.incremental import changed_file, new_version
from orchestration.cli import main
from orchestration.incremental import PUBLISHED, inputs_now, plan, read_marks, table_digest
from orchestration.one_run import REGISTRY_SNAPSHOTS, lists_to_write, plan_without_refresh, store_bundled
from orchestration.warehouse.database import connect
from sources import fetch_log
from sources.catalog import FetchReport
from sources.family import with_raw_tables
from sources.settings import Paths

from .conftest import BUNDLED

# The module's fixture makes four builds (a full one, an incremental night, one with nothing new, one
# for a stale flag).
pytestmark = pytest.mark.timeout(1800)


def new_untc_vintage(bundle: Path, version: str = "2026-11-30") -> str:
    """A copy of the bundled snapshots with one more UNTC status file: VI-15 as of `version`."""
    shutil.copytree(BUNDLED, bundle)
    return new_version(bundle, changed_file(bundle, "untc"), version,
                       "Test copy: the 2018 file under a later status date (tests/test_incremental.py).")


def new_cts_release(bundle: Path, version: str = "2026-11-30") -> str:
    """One more release of the UN-CTS prisons file (the same rows): it replaces the one before."""
    return new_version(bundle, changed_file(bundle, "cts"), version,
                       "Test copy: the prisons file as a later release (tests/test_incremental.py).")


def _run(*args: str) -> tuple[int, str]:
    """The command's exit status and everything it wrote (with -v, Dagster's whole log)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main(["run", *args])
    return code, out.getvalue()


def _last_build(home: Path) -> dg.DagsterRun:
    builds = [r for r in _runs(home) if r.job_name == "build"]
    assert builds, f"no build run of {home}"
    return builds[-1]


def _steps(run: dg.DagsterRun) -> set[str]:
    return {s.step_key for s in dg.DagsterInstance.get().get_run_step_stats(run.run_id)}


def _runs(home: Path) -> list[dg.DagsterRun]:
    """Every Dagster run of this home, oldest first."""
    runs = dg.DagsterInstance.get().get_runs()
    return [r for r in reversed(runs)
            if Path(r.run_config.get("resources", {}).get("pipeline", {}).get("config", {}).get("home", "/"))
            .resolve() == home.resolve()]


@pytest.fixture(scope="module")
def both_ways(bundled_build, tmp_path_factory):
    base = tmp_path_factory.mktemp("incremental")
    full, incr = base / "full", base / "incr"
    shutil.copytree(bundled_build, full, symlinks=True)
    shutil.copytree(bundled_build, incr, symlinks=True)
    # The run that built state A, as its release records it (the shared build may have been made by
    # another test process, whose Dagster instance this one does not see).
    con = duckdb.connect(str(Paths(bundled_build).published_db), read_only=True)
    try:
        (before,) = con.execute("select run_id from audit.check_results where check_name = 'pandera_countries'").fetchone()
    finally:
        con.close()
    run_a = before
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("UNODC_BUNDLE_DIR", str(base / "bundle"))
        added = new_untc_vintage(base / "bundle")
        new_cts_release(base / "bundle")
        tampered = _tamper_crime_fact(full)
        facts_before = _facts_by_snapshot(incr)
        code_full, out_full = _run("--full", "--home", str(full))
        # The nightly command (no fetch): one Dagster run.
        code_incr, out_incr = _run("-v", "--if-changed", "--home", str(incr))
        assert code_full == 0, out_full
        assert code_incr == 0, out_incr
        runs = _runs(incr)
        facts_after = _facts_by_snapshot(incr)
        steps = _steps(_last_build(incr))
        release = Paths(incr).published_db.resolve()
        kept = base / "incremental-release.duckdb"
        shutil.copy(release, kept)
        nothing_new = _run("--home", str(incr))
        # A failed fetch recorded for the new UNTC file: its list changes by its stale flag alone.
        con = duckdb.connect(str(Paths(incr).published_db), read_only=True)
        try:
            dataset, item = con.execute("select dataset, item from raw.untc_snapshots where name = ?",
                                        [added]).fetchone()
        finally:
            con.close()
        fetch_log.record(incr, [FetchReport(dataset, item, "http://127.0.0.1:9/untc", "failed", "HTTP 503")])
        before_flags = len(_runs(incr))
        flags = _run("--home", str(incr))
        flag_runs = _runs(incr)[before_flags:]
    return {"full": full, "incr": incr, "out_full": out_full, "out_incr": out_incr, "steps": steps, "incr_release": kept,
            "run_a": before or run_a, "added": added, "nothing_new": nothing_new, "tampered": tampered,
            "facts_before": facts_before, "facts_after": facts_after, "bundle": base / "bundle",
            "release_a": Paths(bundled_build).published_db.resolve(), "runs": runs, "item": item,
            "flags": flags, "flag_runs": flag_runs}


FACTS = "main.fct_crime_statistics"


def _tamper_crime_fact(home: Path) -> tuple[str, str]:
    """One row of a UN-CTS file that does not change, altered in the build database: (its id, its value)."""
    con = duckdb.connect(str(Paths(home).build_db))
    try:
        observation, value = con.execute(f"select observation_id, value_text from {FACTS} "
                                         "where dataset not like '%prisons%' order by observation_id limit 1").fetchone()
        con.execute(f"update {FACTS} set value_text = 'tampered', value_numeric = -1 where observation_id = ?",
                    [observation])
    finally:
        con.close()
    return observation, value


def _facts_by_snapshot(home: Path) -> dict[str, tuple]:
    """Per snapshot of the crime facts in the build database: rows, first and last rowid, and a digest
    of its rows in the order they are stored."""
    con = duckdb.connect(str(Paths(home).build_db), read_only=True)
    try:
        rows = con.execute(f"""select snapshot_id, count(*), min(rowid), max(rowid),
                                       md5(string_agg(t::varchar, chr(10) order by rowid))
                                from {FACTS} as t group by snapshot_id""").fetchall()
    finally:
        con.close()
    return {snapshot: rest for snapshot, *rest in rows}


CHANGED = ("ratification", "crime_statistics")


def test_the_changed_families_alone_are_loaded_again(both_ways):
    assert "full build: asked for (--full)" in both_ways["out_full"]
    assert f"incremental build: 2 of {len(with_raw_tables())} families changed" in both_ways["out_incr"]
    assert "loading again: ratification, crime_statistics;" in both_ways["out_incr"]
    steps = both_ways["steps"]
    for step in ("untc_raw_tables", "ratification_table_checks", "crime_raw_tables", "crime_statistics_table_checks",
                 "dbt_models", "warehouse__indicators"):
        assert step in steps, (step, sorted(steps))
    # The other families' snapshot lists (written by the refresh run before), raw tables and checks,
    # and the geography, were neither loaded nor checked.
    others = [s for f in with_raw_tables() if f.name not in CHANGED
              for s in (f.tables_asset, f"raw__{f.snapshots.name}", f"{f.name}_snapshot_checks", f"{f.name}_table_checks")]
    assert len(others) == (len(with_raw_tables()) - 2) * 4
    for step in (*others, "raw__countries", "geography_table_checks", "registry_tables", "registry_table_checks"):
        assert not any(s.startswith(step) for s in steps), (step, sorted(steps))


def test_a_night_with_new_bundled_files_is_one_dagster_run(both_ways):
    out, runs = both_ways["out_incr"], both_ways["runs"]
    assert "rebuild: 2 snapshot(s) new or changed" in out, out[:3000]
    assert [r.job_name for r in runs] == ["build"], [r.job_name for r in runs]
    # The changed families' snapshot lists are written by the build itself (no refresh run); the
    # other families' are not written.
    lists = {f"raw__{f.snapshots.name}" for f in with_raw_tables()}
    written = {f"raw__{f.snapshots.name}" for f in with_raw_tables() if f.name in CHANGED}
    assert len(written) == 2 and lists & both_ways["steps"] == written, sorted(both_ways["steps"])


def test_the_night_s_dbt_ran_in_the_process_started_ahead_and_nothing_of_it_is_left(both_ways):
    # orchestration/dbt_ahead.py: the dbt step handed its command to the process the build started.
    out = both_ways["out_incr"]
    assert re.search(r"dbt runs in the process started ahead of the dbt step \(pid \d+\)", out), out[-3000:]
    assert "ended without an exit status" not in out
    assert "UNODC_DBT_AHEAD" not in os.environ
    left = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == os.getpid() and "orchestration.dbt_ahead" in cmdline:
            left.append(cmdline)
    assert not left, left


def test_a_list_changed_by_its_stale_flag_alone_is_loaded_again(both_ways):
    code, out = both_ways["flags"]
    assert code == 0, out
    assert "loading again: ratification;" in out
    assert [r.job_name for r in both_ways["flag_runs"]] == ["build"]
    con = duckdb.connect(str(Paths(both_ways["incr"]).published_db), read_only=True)
    try:
        stale = con.execute("select item, last_fetch_error from raw.untc_snapshots where is_stale").fetchall()
    finally:
        con.close()
    assert stale == [(both_ways["item"], "HTTP 503")]


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


def test_raw_tables_are_updated_by_snapshot(both_ways):
    # 20 UNTC status files were held, none is gone, the new one alone is read and inserted.
    assert ("ratification: raw tables updated by snapshot: 20 snapshot(s) kept, 0 no longer read removed, "
            "1 new inserted") in both_ways["out_incr"]
    # The five crime files were held; the new prisons release is inserted beside the one before (the
    # models read the newest release of each file).
    assert ("crime_statistics: raw tables updated by snapshot: 5 snapshot(s) kept, 0 no longer read removed, "
            "1 new inserted") in both_ways["out_incr"]
    con = duckdb.connect(str(Paths(both_ways["incr"]).build_db), read_only=True)
    try:
        files = con.execute("select count(*), count(distinct snapshot_id) from raw.untc_treaty_status").fetchone()
        by_file = con.execute("select count(*) from raw.untc_snapshots").fetchone()[0]
        prisons = con.execute("select distinct snapshot_id from raw.cts_observations o join raw.crime_files f "
                              "using (snapshot_id) where f.dataset like '%prisons%'").fetchall()
    finally:
        con.close()
    assert by_file == 21 and files[1] == 21
    assert len(prisons) == 2


def test_the_release_is_the_one_a_full_build_publishes(both_ways):
    full = both_ways["full"] / "warehouse" / "indicators.duckdb"
    # The incremental build's release, as published (before the run that found nothing new).
    incr = both_ways["incr_release"]
    con = duckdb.connect(str(incr), read_only=True)
    try:
        names = {n for (n,) in con.execute("select snapshot_name from dim_snapshot").fetchall()}
    finally:
        con.close()
    assert both_ways["added"] in names
    notes: list[str] = []
    assert compare(full, incr, notes=notes) == []


def test_a_full_build_writes_the_crime_facts_whole(both_ways):
    # The row altered in the build database before the full build is as the source gives it again
    # (an incremental model left to itself would have kept it: the file did not change).
    observation, value = both_ways["tampered"]
    con = duckdb.connect(str(Paths(both_ways["full"]).build_db), read_only=True)
    try:
        assert con.execute(f"select value_text from {FACTS} where observation_id = ?", [observation]).fetchall() == [
            (value,)]
        # Sorted whole: the new prisons release's rows sit among the others, in country order.
        new, others = con.execute(f"""select min(rowid) filter (where dataset like '%prisons%'),
                                           max(rowid) filter (where dataset not like '%prisons%') from {FACTS}""").fetchone()
    finally:
        con.close()
    assert new < others


def test_the_crime_facts_are_updated_by_snapshot(both_ways):
    before, after = both_ways["facts_before"], both_ways["facts_after"]
    gone, added = set(before) - set(after), set(after) - set(before)
    # The prisons release before the new one is deleted, the new one inserted.
    assert len(gone) == 1 and len(added) == 1
    (old,), (new,) = gone, added
    assert before[old][0] == after[new][0] > 0
    # Every other snapshot's rows are there, unchanged and in the same order. (Their row ids may
    # shift: DuckDB compacts the row groups a delete thinned when it checkpoints.)
    kept = set(before) & set(after)
    assert len(kept) >= 2
    for snapshot in kept:
        assert (before[snapshot][0], before[snapshot][3]) == (after[snapshot][0], after[snapshot][3]), snapshot
    # The new rows were appended after them, not sorted in among them as a table written whole
    # puts them (test_a_full_build_writes_the_crime_facts_whole).
    assert after[new][1] > max(after[snapshot][2] for snapshot in kept)


def test_carried_checks_say_when_they_ran(both_ways):
    con = duckdb.connect(str(both_ways["incr"] / "warehouse" / "indicators.duckdb"), read_only=True)
    try:
        rows = dict(con.execute("select check_name, run_id from audit.check_results").fetchall())
    finally:
        con.close()
    # Checked in this build: the ratification and crime families'; carried from the build of state A: the others'.
    assert rows["pandera_untc_treaty_status"] != both_ways["run_a"]
    assert rows["pandera_cts_observations"] != both_ways["run_a"]
    assert rows["pandera_crop_compiled_values"] == both_ways["run_a"]
    assert rows["pandera_countries"] == both_ways["run_a"]
    # A check against the published release runs in every build: the release it compared with changed.
    assert rows["cts_newest_release_does_not_shrink"] != both_ways["run_a"]


def test_nothing_new_publishes_without_loading(both_ways):
    code, out = both_ways["nothing_new"]
    assert code == 0, out
    assert "incremental build: no family changed" in out and "loading again: no family;" in out


def test_any_doubt_is_a_full_build(both_ways, tmp_path):
    where = Paths(both_ways["incr"])
    assert not plan(where).full
    assert plan(where, full=True).full
    # The build database of an interrupted build: no mark of a complete build.
    home = tmp_path / "copy"
    shutil.copytree(both_ways["incr"], home, symlinks=True)
    con = duckdb.connect(str(Paths(home).build_db))
    try:
        assert PUBLISHED in read_marks(con)
        con.execute("delete from build_state.marks where name = ?", [PUBLISHED])
    finally:
        con.close()
    decided = plan(Paths(home))
    assert decided.full and "does not record a complete build" in decided.reason
    # The build database of another release than the published one.
    shutil.rmtree(home)
    shutil.copytree(both_ways["incr"], home, symlinks=True)
    con = duckdb.connect(str(Paths(home).build_db))
    try:
        con.execute("update build_state.marks set value = json_merge_patch(value, '{\"release_id\": \"x\"}') "
                    "where name = ?", [PUBLISHED])
    finally:
        con.close()
    decided = plan(Paths(home))
    assert decided.full and "built for release x" in decided.reason


def _models_and_publish(home: Path) -> dg.ExecuteInProcessResult:
    """The dbt models, their tests, the publish and what follows it, on the raw tables as they are."""
    from orchestration.assets.dbt import dbt_models
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    downstream = dg.AssetSelection.assets(*dbt_models.keys).downstream()
    job = defs.resolve_job_def("build").get_subset(asset_selection=downstream.resolve(graph),
                                                     asset_check_selection=downstream.resolve_checks(graph))
    return job.execute_in_process(instance=dg.DagsterInstance.get(), raise_on_error=False,
                                  run_config={"resources": {"pipeline": {"config": {"home": str(home)}}}})


def test_the_release_does_not_depend_on_the_order_raw_rows_were_written_in(bundled_build, tmp_path):
    """An update by snapshot writes a new snapshot's rows after the others, where a whole write puts
    them in the snapshots' order: every raw table written in reverse must publish the same release
    (a model that keeps one of several rows needs a full tie-break, a sum of doubles an exact sum)."""
    home = tmp_path / "reversed"
    shutil.copytree(bundled_build, home, symlinks=True)
    con = duckdb.connect(str(Paths(home).build_db))
    try:
        raw = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "and schema_name = 'raw' order by 1").fetchall()]
        for name in raw:
            con.execute(f'create temp table _reversed as select * from raw."{name}" order by rowid desc')
            con.execute(f'delete from raw."{name}"')
            con.execute(f'insert into raw."{name}" select * from _reversed')
            con.execute("drop table _reversed")
        first = con.execute("select snapshot_id from raw.cts_observations limit 1").fetchone()[0]
        last = con.execute("select snapshot_id from raw.cts_observations "
                           "limit 1 offset (select count(*) - 1 from raw.cts_observations)").fetchone()[0]
    finally:
        con.close()
    assert len(raw) > 20 and first != last
    result = _models_and_publish(home)
    assert result.success
    notes: list[str] = []
    # The release before is this one's previous: their manifests differ in what changed since.
    assert compare(Paths(bundled_build).published_db, Paths(home).published_db, notes=notes) == [
        "audit.release: the manifests differ in changes_since_previous"]
    # Not even a double's last digits differ.
    assert notes == []


def _made_from(home: Path) -> list[str]:
    """What each release published in `home` was made from, as its build recorded it."""
    instance = dg.DagsterInstance.get()
    made = []
    for run in reversed(instance.get_runs(filters=dg.RunsFilter(job_name="build"))):
        if Path(run.run_config["resources"]["pipeline"]["config"]["home"]).resolve() != home.resolve():
            continue
        for event in instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION):
            materialization = event.asset_materialization
            if materialization.asset_key == dg.AssetKey(["warehouse", "indicators"]):
                made.append(materialization.metadata["made_from"].value)
    return made


def test_the_incremental_release_is_made_from_the_release_before(both_ways):
    out = both_ways["out_incr"]
    assert "made from the release " in out, out[-3000:]
    written = out.split("table(s) written again: ", 1)[1].splitlines()[0]
    # The mart reads the newest release of each file: the prisons rows of the release before are
    # deleted, those of the new release inserted; the other files' rows stay.
    deleted, inserted = re.search(r"main\.fct_crime_statistics \(by snapshot: (\d+) rows deleted, (\d+) inserted\)",
                                  written).groups()
    assert int(deleted) == int(inserted) > 0
    # The raw tables keep every snapshot's rows: the new files' are inserted.
    for table in ("raw.cts_observations", "raw.untc_treaty_status", "raw.crime_files"):
        assert re.search(rf"{re.escape(table)} \(by snapshot: 0 rows deleted, [1-9]\d* inserted\)", written), table
    assert "audit.check_results (replaced)" in written and "raw.reporting_units (replaced)" in written
    # The raw tables of the other families stay as the release before has them.
    others = [f"raw.{t.name} " for f in with_raw_tables() if f.name not in CHANGED for t in f.tables]
    assert len(others) > 5 and not [t for t in others if t in written], written
    # The full build publishes from its build file; the other home's builds (the night, nothing new,
    # a stale flag) each from the release before.
    assert _made_from(both_ways["full"]) == ["build"]
    assert [m.split(" ")[0] for m in _made_from(both_ways["incr"])] == ["release", "release", "release"]


def _diff(con, table, only=None):
    from orchestration.warehouse.releases import diff_sql

    return sorted(con.execute(diff_sql(table, "old_release", "new_release", only)).fetchall(), key=str)


def test_a_diff_by_snapshot_is_the_full_diff(both_ways, tmp_path):
    """The release diff of a mart published by snapshot compares only the rows of the datasets whose
    snapshots changed: the same rows as the full diff, on the real new release and on a revision of it."""
    from orchestration.warehouse.releases import changed_by_snapshot
    from sources.family import published_by_snapshot

    assert published_by_snapshot() == {"fct_crime_statistics": "dataset"}
    con = duckdb.connect()
    try:
        con.execute(f"attach '{both_ways['release_a']}' as old_release (read_only)")
        con.execute(f"attach '{both_ways['incr_release']}' as new_release (read_only)")
        (dataset,) = changed_by_snapshot(con, "fct_crime_statistics", "dataset", "old_release", "new_release")
    finally:
        con.close()
    assert "prison" in dataset
    revised = tmp_path / "revised.duckdb"
    shutil.copy(both_ways["incr_release"], revised)
    revised.chmod(0o644)
    con = duckdb.connect(str(revised))
    try:
        # The new prisons release, revised: some values changed, some rows gone, three rows more.
        con.execute("update fct_crime_statistics set value_text = value_text || '0' where dataset = ? "
                    "and source_row % 7 = 0", [dataset])
        con.execute("delete from fct_crime_statistics where dataset = ? and source_row % 11 = 0", [dataset])
        con.execute("insert into fct_crime_statistics select * replace (source_row + 1000000 as source_row, "
                    "2099 as year) from fct_crime_statistics where dataset = ? limit 3", [dataset])
    finally:
        con.close()
    con = duckdb.connect()
    try:
        con.execute(f"attach '{both_ways['release_a']}' as old_release (read_only)")
        for new in (both_ways["incr_release"], revised):
            con.execute(f"attach '{new}' as new_release (read_only)")
            among = changed_by_snapshot(con, "fct_crime_statistics", "dataset", "old_release", "new_release")
            assert among == [dataset], among
            full = _diff(con, "fct_crime_statistics")
            assert _diff(con, "fct_crime_statistics", ("dataset", among)) == full
            con.execute("detach new_release")
        changes = {c for _, _, c, _, _ in full}
        assert changes == {"added", "removed", "revised"}, changes
        # Nothing changed: nothing compared.
        con.execute(f"attach '{both_ways['release_a']}' as new_release (read_only)")
        assert changed_by_snapshot(con, "fct_crime_statistics", "dataset", "old_release", "new_release") == []
        assert _diff(con, "fct_crime_statistics", ("dataset", [])) == []
    finally:
        con.close()


def test_a_failure_while_updating_the_copy_leaves_the_release_before(both_ways, tmp_path):
    """A build killed while it writes the copy of the release before again: the published release
    is the one before, byte for byte, and complete; the next build publishes."""
    from reliability.harness import inspect_published, kill_at, leftovers, run_build, sha256

    home = tmp_path / "home"
    shutil.copytree(both_ways["incr"], home, symlinks=True)
    bundle = tmp_path / "bundle"
    shutil.copytree(both_ways["bundle"], bundle)
    new_cts_release(bundle, "2026-12-01")
    env = {"UNODC_BUNDLE_DIR": str(bundle)}
    published = home / "warehouse" / "indicators.duckdb"
    before = sha256(published)
    kill = kill_at(home, fault="publish:updating_copy", env=env, log_name="killed-updating")
    assert kill["reached"], (home / "campaign-logs" / "killed-updating.err").read_text()[-3000:]
    after = inspect_published(home)
    assert after["complete"], after
    assert sha256(published) == before
    assert list(published.parent.glob(".publish-*")) and leftovers(home)["lock_free"]
    done = run_build(home, env=env, log_name="after")
    assert done["exit"] == 0, done["stderr"][-3000:]
    assert sha256(published) != before and inspect_published(home)["complete"]
    assert not list(published.parent.glob(".publish-*"))
