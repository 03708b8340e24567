"""Running it every night: change detection, stale sources, freshness, the schedule and sensors,
the build lock in Dagster-launched runs, and the instance's retry and concurrency settings.

One real build (with a live fetch from a local mirror) serves every test of the module.
"""
from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from orchestration.cli import main
from orchestration.nightly import decide
from sources.family import with_raw_tables
from sources.settings import Paths

from .conftest import FIXTURES, UNTC_XML, _Handler, _Server

CTS_ENV = ("UNODC_CTS_HOMICIDE_URL", "UNODC_CTS_PRISONS_URL", "UNODC_CTS_GLOTIP_URL", "UNODC_CTS_CORRUPTION_URL",
           "UNODC_CTS_JUSTICE_URL", "UNODC_CTS_VIOLENT_URL")


@pytest.fixture(scope="module")
def mirror():
    """A local mirror of every source: VI-15 as bundled, everything else answers 404."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.routes = {"/untc/VI-15.en.xml": (200, (UNTC_XML / "VI-15.en.xml").read_bytes(), {})}
    server.posts = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    from sources.catalog import datasets

    with pytest.MonkeyPatch.context() as mp:
        # Every declared dataset points at the mirror, a family declared later too: no test leaves this machine.
        for cfg in datasets().values():
            mp.setenv(cfg["url_env"], base + "/missing")
        mp.setenv("UNODC_UNTC_URL", base + "/untc/{item}.en.xml")
        for name in CTS_ENV:
            mp.setenv(name, f"{base}/cts/{name.lower()}.xlsx")
        mp.setenv("UNODC_IATI_DATASTORE_URL", base + "/datastore")
        mp.setenv("UNODC_IATI_ORG_ID", "XM-DAC-00000")
        yield server
    server.shutdown()
    server.server_close()


def _run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["run", *args])
    return code, out.getvalue()


def _query(db: Path, sql: str):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _build_runs() -> int:
    return len(dg.DagsterInstance.get().get_runs(filters=dg.RunsFilter(job_name="build")))


@pytest.fixture(scope="module")
def nightly(mirror, tmp_path_factory):
    """A build that fetched (most sources fail), then a nightly run with the same inputs."""
    home = tmp_path_factory.mktemp("nightly")
    where = Paths(home)
    code, first_out = _run("--fetch", "--home", str(home))
    assert code == 0, first_out
    release = _query(where.published_db, "select release_id from audit.release")[0][0]
    dbt_results = where.build_dir / "dbt_target" / "run_results.json"
    state = {"release": release, "published_mtime": where.published_db.stat().st_mtime_ns,
             "dbt_mtime": dbt_results.stat().st_mtime_ns, "build_runs": _build_runs()}
    # The nightly run in a process of its own, as cron starts it: it must decide before importing dbt.
    second = subprocess.run([sys.executable, "-c", NIGHTLY_PROBE, "--fetch", "--if-changed", "--home", str(home)],
                            cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=300)
    return {"home": home, "where": where, "before": state, "code": second.returncode,
            "out": second.stdout, "err": second.stderr}


NIGHTLY_PROBE = """import sys
from orchestration.cli import main
code = main(["run", *sys.argv[1:]])
print("dbt imported:", any(m.split(".")[0] in ("dagster_dbt", "dbt") for m in sys.modules))
sys.exit(code)
"""


def test_a_nightly_run_with_the_same_inputs_does_not_rebuild_or_republish(nightly):
    where, before = nightly["where"], nightly["before"]
    assert nightly["code"] == 0, nightly["err"][-3000:]
    assert "dbt imported: False" in nightly["out"]       # a night with nothing new never loads dbt
    assert "no rebuild:" in nightly["out"] and f"release {before['release']} was built from" in nightly["out"]
    assert "Unchanged release" in nightly["out"]
    assert _query(where.published_db, "select release_id from audit.release")[0][0] == before["release"]
    assert where.published_db.stat().st_mtime_ns == before["published_mtime"]
    # No dbt run and no build run happened: only the refresh ran.
    assert (where.build_dir / "dbt_target" / "run_results.json").stat().st_mtime_ns == before["dbt_mtime"]
    assert _build_runs() == before["build_runs"]
    assert decide(where).rebuild is False



QUIET_PROBE = """import sys
from orchestration.cli import main
code = main(["run", *sys.argv[1:]])
print("dagster imported:", "dagster" in sys.modules)
sys.exit(code)
"""


def test_a_night_that_fetches_nothing_decides_without_dagster_and_warns_as_the_refresh_run_does(nightly, tmp_path):
    """No fetch, no landing file, every bundled file stored: the refresh run would store nothing, so the
    decision and the freshness warnings are taken from the store and the manifest, without Dagster."""
    from orchestration.nightly import decide_without_refresh
    from sources.iati.landing import iati_landing_dir

    where, before = nightly["where"], nightly["before"]
    refreshes = len(dg.DagsterInstance.get().get_runs(filters=dg.RunsFilter(job_name="refresh")))
    quiet = subprocess.run([sys.executable, "-c", QUIET_PROBE, "--if-changed", "--home", str(nightly["home"])],
                           cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=300)
    assert quiet.returncode == 0, quiet.stderr[-3000:]
    assert "dagster imported: False" in quiet.stdout
    assert "no rebuild:" in quiet.stdout and f"release {before['release']} was built from" in quiet.stdout
    # The same warnings, overdue and stale, as the refresh run of the night before said.
    said = {line for line in nightly["out"].splitlines() if line.startswith("warning: ")}
    assert said and {line for line in quiet.stdout.splitlines() if line.startswith("warning: ")} == said
    assert len(dg.DagsterInstance.get().get_runs(filters=dg.RunsFilter(job_name="refresh"))) == refreshes
    assert where.published_db.stat().st_mtime_ns == before["published_mtime"]
    # Work for the refresh run: a fetch, or a file in a landing folder.
    assert decide_without_refresh(where, fetch=True) is None
    home = tmp_path / "home"
    shutil.copytree(nightly["home"], home)
    landing = iati_landing_dir(home)
    landing.mkdir(parents=True)
    (landing / "activities.xml").write_bytes(
        (FIXTURES / "project_outputs" / "activity-standard-example-annotated.xml").read_bytes())
    assert decide_without_refresh(Paths(home), fetch=False) is None
    (landing / "activities.xml").unlink()
    assert decide_without_refresh(Paths(home), fetch=False).rebuild is False

def test_a_failed_fetch_keeps_the_last_snapshot_and_marks_it_stale(nightly):
    db = nightly["where"].published_db
    crime = dict(_query(db, "select dataset, last_fetch_error from raw.crime_snapshots where is_stale"))
    assert set(crime) == {"cts_intentional_homicide", "cts_prisons_and_prisoners", "cts_glotip"}
    assert all("HTTP 404" in error for error in crime.values())
    untc = dict(_query(db, """select item, bool_or(is_stale) from raw.untc_snapshots group by item"""))
    assert untc["VI-15"] is False and untc["VI-18"] is True     # VI-15 answered (same bytes), VI-18 did not
    # The stale snapshot is still the one the facts come from.
    assert _query(db, "select count(*) from fct_crime_statistics where dataset = 'cts_glotip'")[0][0] > 0


def test_overdue_and_stale_sources_warn_and_still_publish(nightly):
    db = nightly["where"].published_db
    checks = {name: (passed, blocking, json.loads(details)) for name, passed, blocking, details in _query(
        db, "select check_name, passed, blocking, details from audit.check_results where check_name like '%_fresh'")}
    assert set(checks) == {f"{f.name}_fresh" for f in with_raw_tables()}
    assert {"ratification_fresh", "crime_statistics_fresh", "crop_surveys_fresh", "project_outputs_fresh"} <= set(checks)
    passed, blocking, details = checks["ratification_fresh"]
    assert passed is False and blocking is False                 # a warning: the release was published all the same
    assert {o["item"] for o in details["overdue"]} >= {"VI-15", "XVIII-12"}   # bundled 2015 and 2018 status tables
    assert any(s["name"].startswith("cts_glotip/") for s in checks["crime_statistics_fresh"][2]["stale"])
    assert "warning: crime_statistics_fresh" in nightly["out"]


def test_freshness_is_judged_by_the_date_of_the_data():
    from orchestration.freshness import overdue_items

    today = date(2026, 11, 28)
    frame = pl.DataFrame({"dataset": ["untc_status", "untc_status", "cts_glotip", "submission_templates"],
                          "item": ["VI-15", "VI-15", "cts_glotip", "t"], "version": ["a", "b", "c", "d"],
                          "as_of": [str(today - timedelta(days=30)), str(today - timedelta(days=3)),
                                    str(today - timedelta(days=400)), "2001-01-01"],
                          "accessed": [None, None, None, None]})
    overdue, judged = overdue_items(frame, today)
    assert judged == 2                                            # a template has no schedule of its own
    assert [(o["item"], o["age_days"]) for o in overdue] == [("cts_glotip", 400)]   # VI-15's newest is 3 days old


def test_the_sensors_rebuild_only_after_a_refresh_that_changed_a_snapshot(nightly, tmp_path, monkeypatch):
    from orchestration.definitions import defs
    from orchestration.schedules import landing_folder, rebuild_sensor
    from sources.iati.landing import iati_landing_dir, import_landing
    from sources.snapshots import SnapshotStore

    home = tmp_path / "home"
    shutil.copytree(nightly["home"], home)
    monkeypatch.setenv("UNODC_HOME", str(home))
    instance = dg.DagsterInstance.get()
    (refresh_run,) = instance.get_runs(filters=dg.RunsFilter(job_name="refresh"), limit=1)
    (success,) = instance.get_records_for_run(refresh_run.run_id, of_type=dg.DagsterEventType.RUN_SUCCESS).records
    sensor = rebuild_sensor(defs.resolve_job_def("build"))

    def after_refresh():
        context = dg.build_run_status_sensor_context(
            sensor_name=sensor.name, dagster_event=success.event_log_entry.dagster_event,
            dagster_instance=instance, dagster_run=refresh_run)
        return sensor(context)

    skipped = after_refresh()
    assert isinstance(skipped, dg.SkipReason) and "nothing to rebuild" in skipped.skip_message
    assert isinstance(landing_folder(dg.build_sensor_context(instance=instance)), dg.SkipReason)

    landing = iati_landing_dir(home)
    landing.mkdir(parents=True)
    (landing / "activities.xml").write_bytes((FIXTURES / "project_outputs" / "activity-standard-example-annotated.xml").read_bytes())
    request = landing_folder(dg.build_sensor_context(instance=instance))
    assert isinstance(request, dg.RunRequest)
    assert request.run_config["resources"]["pipeline"]["config"]["fetch"] is False
    # What the refresh run does with the landing folder, then the sensor that follows it.
    import_landing(SnapshotStore(Paths(home).snapshots), home)
    assert isinstance(landing_folder(dg.build_sensor_context(instance=instance)), dg.SkipReason)
    rebuild = after_refresh()
    assert isinstance(rebuild, dg.RunRequest) and rebuild.job_name in (None, "build")
    (added,) = decide(Paths(home)).added
    assert added.startswith("iati_activities/") and added.endswith("/activities.xml")


def test_the_nightly_schedule_fetches_in_a_refresh_run():
    from orchestration.schedules import nightly_schedule

    assert nightly_schedule.cron_schedule == "0 2 * * *" and nightly_schedule.execution_timezone == "UTC"
    assert nightly_schedule.job_name == "refresh"
    (request,) = nightly_schedule.evaluate_tick(dg.build_schedule_context()).run_requests
    assert request.run_config["resources"]["pipeline"]["config"]["fetch"] is True


def test_a_dagster_launched_run_takes_the_build_lock(tmp_path):
    from orchestration.definitions import defs
    from orchestration.warehouse.lock import build_lock

    config = {"resources": {"pipeline": {"config": {"home": str(tmp_path)}}}}
    with build_lock(Paths(tmp_path)):
        result = defs.resolve_job_def("refresh").execute_in_process(
            instance=dg.DagsterInstance.ephemeral(), run_config=config, raise_on_error=False)
    assert not result.success
    assert "another build holds" in str(result.all_events)
    assert not (tmp_path / "var" / "snapshots").exists()         # nothing was written


def test_the_instance_retries_crashed_runs_and_lets_one_writer_run(tmp_path):
    from orchestration.definitions import defs

    shutil.copyfile(Path(__file__).resolve().parent.parent / "orchestration" / "dagster.yaml", tmp_path / "dagster.yaml")
    instance = dg.DagsterInstance.from_config(str(tmp_path))
    assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
    assert instance.run_retries_retry_on_asset_or_op_failure is False
    queue = instance.run_coordinator.get_run_queue_config()
    assert queue.max_concurrent_runs == 1
    assert {"key": "unodc/writes", "value": "build_db", "limit": 1} in queue.tag_concurrency_limits
    for job in ("build", "refresh"):
        assert defs.resolve_job_def(job).tags.get("unodc/writes") == "build_db"
