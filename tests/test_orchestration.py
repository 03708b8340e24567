"""Dagster definitions: the asset graph is deliberate, and the snapshot asset fetches for real."""
from __future__ import annotations

import dagster as dg
import duckdb

from orchestration.assets.family import ASSETS
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
    # The scorecard site is written from each published release, like the exports.
    for after_publish in (["exports", "annex_tables"], ["report", "scorecard"]):
        assert {k.to_user_string() for k in graph.get(dg.AssetKey(after_publish)).parent_keys} == {"warehouse/indicators"}
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
    from sources.family import families as declared

    families = [f.name for f in declared() if f.tables]
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
    result = dg.materialize([ASSETS["ratification"].snapshots],
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


def test_a_table_written_in_parts_replaces_the_old_one_only_when_every_part_went_in(tmp_path):
    import polars as pl
    import pytest

    from orchestration.warehouse.database import table_by_parts, write_table

    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    write_table(con, "raw", "t", pl.DataFrame({"snapshot_id": ["old"], "value": [1.0]}))
    with table_by_parts(con, "raw", "t") as parts:
        parts.append(pl.DataFrame({"snapshot_id": ["a", "a"], "value": [1.5, None], "note": [None, None]}))
        # Columns by name, not position; a column no row of this part fills takes the table's type.
        parts.append(pl.DataFrame({"note": ["kept"], "value": [None], "snapshot_id": ["b"]}))
    assert parts.rows == 3
    assert con.execute("select snapshot_id, value, note from raw.t order by all").fetchall() == [
        ("a", 1.5, None), ("a", None, None), ("b", None, "kept")]
    assert dict(con.execute("select column_name, data_type from information_schema.columns "
                            "where table_name = 't'").fetchall())["value"] == "DOUBLE"

    with pytest.raises(ValueError, match=r"from x\.csv.*value is String, not Float64"):
        with table_by_parts(con, "raw", "t") as parts:
            parts.append(pl.DataFrame({"snapshot_id": ["c"], "value": [2.0]}))
            parts.append(pl.DataFrame({"snapshot_id": ["d"], "value": ["2,0"]}), " from x.csv")
    # The table is as it was, and no loading table is left behind.
    assert con.execute("select count(*) from raw.t").fetchall() == [(3,)]
    assert con.execute("select table_name from information_schema.tables where table_schema = 'raw'").fetchall() == [("t",)]
    con.close()


def _cts_rows(snapshots: str, each: int, value: float) -> list[dict]:
    """Rows of raw.cts_observations: `each` counts of `value` for every snapshot letter."""
    return [{"snapshot_id": snap * 64, "dataset": "cts_x", "source_file": "x.xlsx", "source_row": r,
             "iso3_code": "FRA", "indicator": "Victims of intentional homicide", "reporting_unit": "FRA",
             "unit_kind": "country", "country_iso3": "FRA", "year": 2020, "unit": "Counts",
             "value_text": str(value), "value_numeric": value, "is_censored": False, "key_occurrences": 1}
            for snap in snapshots for r in range(2, 2 + each)]


def _write_cts(con, rows: list[dict]) -> None:
    """As the build writes the table: every declared column, those the rows leave out empty."""
    import polars as pl

    from schemas.crime import CtsObservations

    frame = pl.concat([CtsObservations.empty(), pl.DataFrame(rows)], how="diagonal_relaxed")
    con.register("_rows", frame.to_arrow())
    con.execute("create table raw.cts_observations as select * from _rows")
    con.unregister("_rows")


def test_a_large_table_is_checked_in_batches_of_whole_snapshots_and_a_late_failure_still_counts(tmp_path, monkeypatch):
    from orchestration.checks import batches, pandera_check
    from schemas.crime import CtsObservations

    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.execute("create schema raw; create table raw.t as select (i % 3)::varchar as s, i from range(10) t(i)")
    frames = list(batches(con, "raw", "t", by="s", rows=4))
    # Groups of 4, 3 and 3 rows: a group is never split, and a batch closes once it reaches 4 rows.
    assert [sorted(f["s"].unique().to_list()) for f in frames] == [["0"], ["1", "2"]]
    assert sum(f.height for f in frames) == 10
    con.execute("create table raw.empty as select * from raw.t limit 0")
    assert [f.height for f in batches(con, "raw", "empty", by="s")] == [0]

    rows = _cts_rows("abc", 4, value=1.0)
    rows[-1]["value_numeric"] = -1.0            # the last snapshot, so the last batch, breaks a rule
    _write_cts(con, rows)
    check = pandera_check(CtsObservations)
    monkeypatch.setattr("orchestration.checks.BATCH_ROWS", 4)
    passed, meta = check.run(con, None)
    con.close()
    assert passed is False
    assert meta["rows"] == 12 and meta["batches"] == 3 and meta["failures"] == 1
    assert meta["failure_cases"].value[0]["check"] == "counts are not negative"


def test_a_batched_check_counts_every_failure_and_lists_the_first_fifty(tmp_path, monkeypatch):
    from orchestration.checks import pandera_check
    from schemas.crime import CtsObservations

    con = duckdb.connect(str(tmp_path / "b.duckdb"))
    con.execute("create schema raw")
    _write_cts(con, _cts_rows("ab", 60, value=-1.0))
    monkeypatch.setattr("orchestration.checks.BATCH_ROWS", 60)
    passed, meta = pandera_check(CtsObservations).run(con, None)
    con.close()
    # 120 negative counts in two batches of 60: all counted, fifty shown.
    assert passed is False and meta["batches"] == 2
    assert meta["failures"] == 120 and len(meta["failure_cases"].value) == 50


def test_a_loading_table_left_by_a_killed_build_is_never_published(tmp_path):
    from orchestration.warehouse.database import LOADING_PREFIX, record_check
    from orchestration.warehouse.publish import publish
    from sources.settings import Paths

    paths = Paths(tmp_path)
    paths.build_dir.mkdir(parents=True)
    con = duckdb.connect(str(paths.build_db))
    con.execute(f"create schema raw; create table raw.t as select 1 as x; "
                f"create table raw.{LOADING_PREFIX}t as select 2 as x")
    record_check(con, check="c", asset="raw.t", passed=True, blocking=True)
    con.close()
    manifest = publish(paths, required_checks=["c"])
    assert {k for k in manifest["row_counts"] if k.startswith("raw.")} == {"raw.t"}
    con = duckdb.connect(str(paths.published_db), read_only=True)
    assert con.execute("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall() == [("t",)]
    con.close()


def test_the_warehouse_modules_do_not_import_dagster():
    """The build database, publish step, releases and lock are plain Python: the Dagster assets call them."""
    import subprocess
    import sys

    code = ("import sys; import orchestration.warehouse.database, orchestration.warehouse.publish, "
            "orchestration.warehouse.releases, orchestration.warehouse.lock, orchestration.warehouse.faults; "
            "print('dagster' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def _build_with(paths, sql: str) -> None:
    from orchestration.warehouse.database import record_check

    paths.build_dir.mkdir(parents=True)
    con = duckdb.connect(str(paths.build_db))
    con.execute(sql)
    record_check(con, check="c", asset="raw.t", passed=True, blocking=True)
    con.close()


def test_the_published_copy_holds_the_public_tables_with_their_comments_and_nothing_else(tmp_path):
    """The publish copies the build file and trims it: dbt's views, the seeds' and staging schemas go;
    tables, their comments and their row order stay."""
    from orchestration.warehouse.publish import publish
    from sources.settings import Paths

    paths = Paths(tmp_path)
    _build_with(paths, """
        create schema raw; create schema staging; create schema reference;
        create table raw.t as select range as x from range(5000) order by x desc;
        comment on table raw.t is 'the raw table'; comment on column raw.t.x is 'a number';
        create view staging.v as select * from raw.t; create table reference.seed as select 1 as s;
        create view main.convenience as select 1 as y; create table main.fct as select 2 as z""")
    manifest = publish(paths, required_checks=["c"])
    assert manifest["row_counts"]["raw.t"] == 5000 and manifest["row_counts"]["fct"] == 1
    con = duckdb.connect(str(paths.published_db), read_only=True)
    try:
        schemas = {s for (s,) in con.execute("select schema_name from duckdb_schemas() "
                                             "where database_name = current_database()").fetchall()}
        assert {"main", "raw", "audit"} <= schemas and not {"staging", "reference"} & schemas
        assert con.execute("select count(*) from duckdb_views() where not internal").fetchone()[0] == 0
        assert con.execute("select comment from duckdb_tables() where table_name = 't'").fetchone()[0] == "the raw table"
        assert con.execute("select comment from duckdb_columns() where table_name = 't'").fetchone()[0] == "a number"
        assert con.execute("select x from raw.t limit 1").fetchone()[0] == 4999
    finally:
        con.close()
    assert not (paths.published_db.stat().st_mode & 0o222)      # read-only


def test_a_build_file_mostly_free_space_is_compacted_when_published(tmp_path):
    """A build that dropped a large table leaves its blocks free in the file; the published copy is
    written again into a fresh file, not published with the free space."""
    from orchestration.warehouse.publish import publish
    from sources.settings import Paths

    paths = Paths(tmp_path)
    _build_with(paths, """
        create schema raw; create table raw.big as select range as x, md5(range::varchar) as h from range(400000);
        checkpoint; drop table raw.big; create table raw.t as select 1 as x;
        comment on column raw.t.x is 'kept'""")
    con = duckdb.connect(str(paths.build_db))
    con.execute("checkpoint")
    total, free = con.execute("select total_blocks, free_blocks from pragma_database_size()").fetchone()
    con.close()
    assert free > total / 2, (total, free)
    publish(paths, required_checks=["c"])
    con = duckdb.connect(str(paths.published_db), read_only=True)
    try:
        total_after, free_after = con.execute("select total_blocks, free_blocks from pragma_database_size()").fetchone()
        assert free_after <= 0.25 * total_after and total_after < total / 2, (total_after, free_after, total)
        assert con.execute("select comment from duckdb_columns() where table_name = 't'").fetchone()[0] == "kept"
    finally:
        con.close()
    assert list(paths.warehouse_dir.glob(".publish-*")) == []


def test_a_check_made_again_is_required_once():
    from orchestration.checks import pandera_check
    from schemas import raw_tables

    table = raw_tables()[0]
    pandera_check(table)
    pandera_check(table)
    assert BLOCKING_CHECKS.count(f"pandera_{table.name}") == 1
    assert len(BLOCKING_CHECKS) == len(set(BLOCKING_CHECKS))


def test_the_exports_and_the_site_are_written_side_by_side_and_one_failing_spares_the_other(bundled_build, tmp_path):
    """One step writes both after the publish (the site in a process of its own): a site that
    cannot be written still leaves every export of the release, and the step fails naming it."""
    import shutil

    from orchestration.assets.after_publish import release_outputs

    home = tmp_path / "home"
    shutil.copytree(bundled_build / "warehouse", home / "warehouse", symlinks=True)
    release = (home / "warehouse" / "CURRENT").read_text().strip()
    # A folder of someone else's where the site goes: the scorecard refuses to replace it.
    stray = home / "var" / "report" / release / "notes.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("not a site")
    resources = {"pipeline": PipelineResource(home=str(home))}
    result = dg.materialize([release_outputs], resources=resources, raise_on_error=False)
    assert not result.success
    failure = result.failure_data_for_node("release_outputs").error.to_string()
    assert f"release {release} was published, but the scorecard failed: " in failure, failure
    assert "holds no earlier site" in failure and "the exports" not in failure
    exported = {m.event_specific_data.materialization.asset_key.to_user_string()
                for m in result.get_asset_materialization_events()}
    assert exported == {"exports/annex_tables"}
    files = {p.name for p in (home / "var" / "exports" / release).iterdir()}
    assert "indicator_values.sdmx20.csv" in files and any(f.endswith(".xlsx") for f in files)
    assert stray.read_text() == "not a site"

    # Either one alone, as a selection of the step, writes only itself (every build writes both).
    stray.unlink()
    shutil.rmtree(home / "var" / "exports")
    result = dg.materialize([release_outputs], resources=resources, selection="report/scorecard")
    made = {m.event_specific_data.materialization.asset_key.to_user_string(): m.event_specific_data.materialization
            for m in result.get_asset_materialization_events()}
    assert set(made) == {"report/scorecard"}
    assert made["report/scorecard"].metadata["release_id"].value == release
    assert made["report/scorecard"].metadata["pages"].value >= 240
    assert (home / "var" / "report" / release / "index.html").exists()
    assert not (home / "var" / "exports").exists()


def test_a_process_that_leaves_without_the_teardown_still_runs_its_exit_handlers_and_flushes_everything(tmp_path):
    """`leave` (the end of `run` and of the build's dbt process) skips only the freeing of memory:
    the exit handlers run, the logs and the standard streams reach their files and pipes, and the
    exit status is the one given."""
    import subprocess
    import sys

    handler_ran, log = tmp_path / "handler_ran", tmp_path / "build.log"
    program = f"""
import atexit, logging, pathlib, sys
from orchestration.process_exit import leave
atexit.register(lambda: pathlib.Path({str(handler_ran)!r}).write_text("ran"))
logger = logging.getLogger("build"); logger.addHandler(logging.FileHandler({str(log)!r})); logger.warning("last line")
sys.stdout.write("x" * 200_000)     # block-buffered on a pipe: lost if not flushed
sys.stderr.write("said on stderr")
leave(3)
raise SystemExit("never reached")
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3
    assert done.stdout == "x" * 200_000 and done.stderr == "said on stderr"
    assert handler_ran.read_text() == "ran" and log.read_text() == "last line\n"


def test_the_build_starts_dbt_through_the_projects_command_which_passes_on_dbts_status_and_words():
    import subprocess
    import sys
    from pathlib import Path

    executable = Path(defs.resources["dbt"].dbt_executable)
    assert executable == Path(sys.executable).with_name("unodc-indicators-dbt") and executable.exists()
    helped = subprocess.run([str(executable), "--help"], capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and "Usage: dbt" in helped.stdout and "build" in helped.stdout
    refused = subprocess.run([str(executable), "build", "--no-such-flag"], capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "Usage: dbt build" in refused.stderr and "--no-such-flag" in refused.stderr


def test_an_environment_set_up_before_the_projects_dbt_command_builds_with_plain_dbt(tmp_path):
    from orchestration.dbt_project import dbt_executable

    (tmp_path / "python").touch()
    (tmp_path / "dbt").touch()
    assert dbt_executable(tmp_path / "python") == tmp_path / "dbt"
    (tmp_path / "unodc-indicators-dbt").touch()
    assert dbt_executable(tmp_path / "python") == tmp_path / "unodc-indicators-dbt"


def test_a_process_that_leaves_gives_the_status_python_would_for_each_kind_of_exit(capsys):
    from orchestration.process_exit import status_of

    assert [status_of(SystemExit(c)) for c in (None, 0, 2)] == [0, 0, 2]
    assert capsys.readouterr().err == ""
    assert status_of(SystemExit("dbt: the profile cannot be read")) == 1
    assert capsys.readouterr().err == "dbt: the profile cannot be read\n"
