"""`unodc-indicators run | inspect`."""
from __future__ import annotations

import argparse
import codecs
import json
import os
import sys
import textwrap
from pathlib import Path

from sources.errors import FetchError, SourceError
from sources.settings import Paths, SettingsError, paths, settings


def _inspected(argv: list[str] | None) -> tuple[str, ...]:
    """The families `inspect` reads; found (their declarations imported) only for `inspect`."""
    words = sys.argv[1:] if argv is None else argv
    if "inspect" not in words:
        return ()
    from .inspect import inspected_families

    return inspected_families()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="unodc-indicators", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="materialize every asset, run the checks and publish the warehouse")
    run.add_argument("--fetch", action="store_true", help="fetch live data first (else: bundled snapshots only)")
    run.add_argument("--if-changed", action="store_true",
                     help="refresh the snapshots first; rebuild and publish only if one changed since the published release")
    run.add_argument("--full", action="store_true",
                     help="load every family and run every dbt model and check (default: only what changed "
                          "since the published release, when the build database allows it)")
    run.add_argument("--home", help="folder for var/ and warehouse/ (default: $UNODC_HOME or the project)")
    run.add_argument("-v", "--verbose", action="store_true",
                     help="the whole Dagster and dbt log on the terminal (also UNODC_VERBOSE=1); "
                          "by default it goes to var/log/build-*.log and the terminal gets one line per step")
    ins = sub.add_parser("inspect", help="parse and validate one source file without touching the warehouse")
    ins.add_argument("family", choices=_inspected(argv))
    ins.add_argument("path_or_url")
    ins.add_argument("--json", action="store_true", help="print the report as JSON")
    tpl = sub.add_parser("template", help="write the Excel submission template generated from the registry")
    tpl.add_argument("--out", required=True, help="the .xlsx file to write")
    rel = sub.add_parser("releases", help="list the kept releases and their tags")
    rel.add_argument("--home", help="folder for var/ and warehouse/")
    tag = sub.add_parser("tag", help="tag a release (a tagged release is never pruned)")
    tag.add_argument("release")
    tag.add_argument("name")
    tag.add_argument("--home", help="folder for var/ and warehouse/")
    dif = sub.add_parser("diff", help="what changed between two releases (ids or tags)")
    dif.add_argument("release_a")
    dif.add_argument("release_b")
    dif.add_argument("--limit", type=int, default=20, help="rows to show per table and change (all with --json)")
    dif.add_argument("--json", action="store_true")
    dif.add_argument("--home", help="folder for var/ and warehouse/")
    exp = sub.add_parser("export", help="annex tables (xlsx), tidy CSV and Parquet, and SDMX-CSV from one release")
    exp.add_argument("--release", help="release id or tag (default: the published warehouse)")
    exp.add_argument("--tables", help="table numbers, comma-separated, e.g. 6.1.1,7.1 (default: all)")
    exp.add_argument("--format", help="xlsx,csv,parquet,sdmx, comma-separated (default: all)")
    exp.add_argument("--out", help="folder to write into (default: var/exports/RELEASE_ID)")
    exp.add_argument("--compare", help="release id or tag: write beside each table what changed since it")
    exp.add_argument("--home", help="folder for var/ and warehouse/")
    rep = sub.add_parser("report", help="the scorecard: a static site of one release (opens from the file system)")
    rep.add_argument("--release", help="release id or tag (default: the published warehouse)")
    rep.add_argument("--out", required=True, help="folder to write the site into")
    rep.add_argument("--home", help="folder for var/ and warehouse/")
    args = parser.parse_args(argv)
    try:
        # Every setting is checked before any work: a bad one stops the command in one line.
        settings()
    except SettingsError as exc:
        print(f"unodc-indicators: {exc}", file=sys.stderr)
        return 2
    if args.command == "run" and argv is None and os.environ.get(CHILD_ENV) != "1":
        # Run as a program: the build runs in a child process, so that a death no Python handler
        # sees (a native abort in a reader, an out-of-memory kill) still ends as a failed run
        # with its summary and its alert. Called as a function (the tests), it runs in-process.
        return run_in_child(sys.argv[1:], args)
    if args.command == "run":
        from .warehouse.lock import BuildLocked

        try:
            return command_run(args)
        except BuildLocked as exc:
            # Expected when a build is running: a message, not a traceback.
            print(f"unodc-indicators: {exc}", file=sys.stderr)
            return 1
    if args.command == "template":
        return command_template(args)
    if args.command in ("releases", "tag", "diff"):
        return command_releases(args)
    if args.command == "export":
        return command_export(args)
    if args.command == "report":
        return command_report(args)
    return command_inspect(args)


def command_report(args) -> int:
    from report.build import build_site

    from .warehouse.releases import release_path

    where = Paths(Path(args.home).resolve()) if args.home else paths()
    try:
        source = release_path(where, args.release) if args.release else where.published_db
        done = build_site(source, Path(args.out))
    except (ValueError, OSError) as exc:
        print(f"unodc-indicators report: {exc}", file=sys.stderr)
        return 2
    print(f"release {done['release_id']}: {done['pages']} pages ({done['indicators']} indicators, "
          f"{done['countries']} Member States), {done['bytes'] / 1e6:.1f} MB in {done['seconds']} s")
    print(f"  open {Path(done['out']) / 'index.html'}")
    return 0


def command_export(args) -> int:
    from exports.definitions import DefinitionError
    from exports.run import FORMATS, export, parse_list

    from .warehouse.releases import release_path

    where = Paths(Path(args.home).resolve()) if args.home else paths()
    try:
        formats = parse_list(args.format, FORMATS, "format")
        tables = parse_list(args.tables, None, "table")
        source = release_path(where, args.release) if args.release else where.published_db
        compare = release_path(where, args.compare) if args.compare else None
        out = Path(args.out) if args.out else None
        if out is None:
            from exports.run import release_facts, open_release

            con = open_release(source)
            try:
                out = where.home / "var" / "exports" / release_facts(con)["release_id"]
            finally:
                con.close()
        report = export(source, out, tables, formats, compare)
    except (DefinitionError, ValueError, OSError) as exc:
        # A bad name, a missing release or an output path that cannot be written: one line, no traceback.
        print(f"unodc-indicators export: {exc}", file=sys.stderr)
        return 2
    print(f"release {report['release_id']}: {len(report['files'])} files written to {report['out']}"
          + (f" (changes against {report['compared_with']})" if report["compared_with"] else ""))
    for name in report["files"]:
        print(f"  {name}")
    return 0


def command_releases(args) -> int:
    from .warehouse.releases import diff_releases, list_releases, release_path, resolve, tag_release

    where = Paths(Path(args.home).resolve()) if args.home else paths()
    try:
        if args.command == "releases":
            for r in list_releases(where):
                print(f"{r['release_id']}  {r['published_at']}  code {r['code_version']}  {' '.join(r['tags'])}")
            return 0
        if args.command == "tag":
            tag_release(where, resolve(where, args.release), args.name)
            print(f"tagged {args.release} as {args.name}")
            return 0
        con, changes = diff_releases(release_path(where, args.release_a), release_path(where, args.release_b))
        rows = changes.pl()
        con.close()
    except (ValueError, FileNotFoundError) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows.to_dicts(), default=str, indent=1))
        return 0
    summary = rows.group_by("table_name", "change").len().sort("table_name", "change")
    print(f"changes from {args.release_a} to {args.release_b}:")
    for table, change, n in summary.iter_rows():
        print(f"  {table:<28} {change:<8} {n:>8}")
    for (table, change), part in rows.group_by(["table_name", "change"], maintain_order=True):
        for row in part.head(args.limit).iter_rows(named=True):
            print(f"  {table} {change}: {row['row_key']} {row['old_values'] or ''} -> {row['new_values'] or ''}")
    return 0


def command_template(args) -> int:
    from sources.iati.template import write_template
    from sources.strategy.registry import load_registry

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"--out must name an .xlsx file, not {out.name!r}", file=sys.stderr)
        return 2
    out.parent.mkdir(parents=True, exist_ok=True)
    write_template(out, load_registry())
    print(f"Submission template written to {out}")
    return 0


def quiet_night(args, where: Paths) -> int | None:
    """`run --if-changed` on a night that cannot bring anything new (no fetch, no landing file, every
    bundled file stored): decided, and its freshness warnings said, before Dagster is imported.
    None when the refresh run has work to do, or a rebuild is due."""
    from .nightly import decide_without_refresh, freshness_warnings
    from .warehouse.lock import build_lock

    with build_lock(where):
        decision = decide_without_refresh(where, fetch=bool(args.fetch))
        if decision is None:
            return None
        for line in freshness_warnings(where):
            print(f"warning: {line}")
    print(decision)
    print(summary(where, published_now=False))
    return 0


def command_run(args) -> int:
    where = Paths(Path(args.home).resolve()) if args.home else paths()
    if args.if_changed:
        done = quiet_night(args, where)
        if done is not None:
            return done
    from .progress import quiet_terminal, verbose_wanted
    from .resources import build_lock_once
    from .warehouse.lock import wait_for_build_db

    instance = _instance()
    verbose = verbose_wanted(getattr(args, "verbose", False))
    from .warehouse.publish import published_release

    release_before = published_release(where)
    from .dbt_ahead import started_ahead

    # dbt imported while the build does its first steps, on the other core (orchestration/dbt_ahead.py).
    with build_lock_once(where), started_ahead():
        _close_dead_runs(instance, where)
        wait_for_build_db(where, log=lambda line: print(line, file=sys.stderr))
        from .incremental import Plan, plan, precheck

        # A full build known before the snapshots are listed needs no refresh run of its own.
        build_plan = precheck(where, full=bool(getattr(args, "full", False)))
        refreshed, refresh_failures, one_run = None, [], False
        if not args.fetch and (args.if_changed or build_plan is None):
            # The refresh run's work, known before Dagster: the night is one run (orchestration/one_run.py).
            from .one_run import plan_without_refresh, store_bundled

            if store_bundled(where, fetch=False):
                planned = build_plan or plan_without_refresh(where)
                if planned is not None:
                    one_run, build_plan = True, planned
        if one_run:
            from .nightly import decide, freshness_warnings

            for line in freshness_warnings(where):
                print(f"warning: {line}")
            if args.if_changed:
                decision = decide(where)
                print(decision)
                if not decision.rebuild:
                    print(summary(where, published_now=False))
                    return 0
        elif args.if_changed or build_plan is None:
            # Decided before the dbt assets are loaded: a night with nothing new never imports dbt.
            from .nightly import Decision, decide, refresh
            from .schedules import refresh_definitions

            refresh_result = refresh(refresh_definitions(), instance, where, fetch=bool(args.fetch), verbose=verbose)
            refreshed = refresh_result.success
            if not refreshed:
                refresh_failures = [f"refresh run: {f}" for f in _failures(refresh_result) if "(WARN)" not in f] \
                    or [f"the refresh run {refresh_result.run_id} failed"]
            if args.if_changed:
                decision = decide(where) if refreshed else Decision(
                    True, "the refresh run failed; building so that the failure is reported")
                print(decision)
                if not decision.rebuild:
                    print(summary(where, published_now=False))
                    return 0
        if build_plan is None:
            build_plan = plan(where) if refreshed else Plan(
                True, "the refresh run failed; building everything but the publish, so that every failure is "
                      "reported and the published release stays")
        print(build_plan)
        if build_plan.full:
            from .incremental import forget_families

            forget_families(where)
        # After a refresh run, it has fetched already.
        run_config = {"resources": {"pipeline": {"config": {"home": str(where.home),
                                                             "fetch": bool(args.fetch and refreshed is None)}}},
                      # Dagster's whole log (to the terminal, or to the log file of a quiet run) and the step lines.
                      "loggers": {"console": {"config": {"log_level": "DEBUG"}}, "step_lines": {}}}
        from .dbt_project import prepare_manifest

        prepare_manifest()
        from .definitions import defs

        job = defs.resolve_job_def("build")
        if not build_plan.full:
            from .incremental import selection

            assets, checks = selection(defs, build_plan.changed, with_lists=one_run)
            job = job.get_subset(asset_selection=assets, asset_check_selection=checks)
        elif refresh_failures:
            # A failed refresh (a landing file refused and moved to the quarantine, say) stops the
            # publication, as the same failure in the build's own snapshot step always did.
            from .incremental import without_publish

            assets, checks = without_publish(defs)
            job = job.get_subset(asset_selection=assets, asset_check_selection=checks)
        if verbose:
            result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
        else:
            log_dir = where.home / "var" / "log"
            with quiet_terminal(log_dir) as (log_file, terminal):
                terminal.write(f"Building; the full Dagster and dbt log: {log_file}\n")
                result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
    dbt_failures = _dbt_failures(where)
    failures = refresh_failures + _failures(result) + dbt_failures
    if any("(WARN)" not in f for f in dbt_failures):
        # dbt's own words say what failed; the step's exception only says that dbt did.
        failures = [f for f in failures if not f.startswith("step dbt_models:")]
    # Failures and warnings first, then what the warehouse holds.
    blocking = [f for f in failures if "(WARN)" not in f]
    warnings = [f for f in failures if "(WARN)" in f]
    release_after = published_release(where)
    # A step after the publish (the exports) can fail once the new release is in place: say which.
    published = release_after is not None and (release_before is None or release_after[0] != release_before[0])
    if blocking or not result.success:
        print("\n" + ("The release was published, but a later step failed:" if published
                      else "The build did not publish. What failed:"), file=sys.stderr)
        for line in blocking or ["(see the Dagster run log" + ("" if verbose else f" in {log_file}") + ")"]:
            print(f"  - {line}", file=sys.stderr)
    if warnings:
        print("Warnings (they do not stop a build):", file=sys.stderr)
        for line in warnings:
            print(f"  - {line[:300]}", file=sys.stderr)
    print(summary(where, published_now=published))
    if blocking or not result.success:
        from .alerts import notify_failure

        what = "a step after the publish failed" if published else "the build did not publish"
        for channel in notify_failure(where, what, blocking or failures, result.run_id):
            print(f"  alert: {channel}", file=sys.stderr)
        return 1
    return 0


CHILD_ENV = "UNODC_RUN_CHILD"


def run_in_child(argv: list[str], args) -> int:
    """`run` in a child process; its output is passed on line by line, SIGTERM and SIGINT are
    passed to it. When it dies of a signal, this process closes its Dagster run as failed, prints
    the summary and what failed, and sends the alert, as the build itself would have."""
    import signal
    import subprocess
    import threading

    env = {**os.environ, CHILD_ENV: "1", "PYTHONUNBUFFERED": "1"}
    if sys.stderr.isatty():
        env["UNODC_TERMINAL"] = "1"     # the child writes through a pipe to a terminal: it may redraw a line
    proc = subprocess.Popen([sys.executable, "-m", "orchestration.cli", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def forward(stream, out):
        # Chunks, not lines: a progress line redrawn with a carriage return shows as it changes.
        decoder = codecs.getincrementaldecoder("utf-8")("replace")
        for chunk in iter(lambda: os.read(stream.fileno(), 65536), b""):
            out.write(decoder.decode(chunk))
            out.flush()

    threads = [threading.Thread(target=forward, args=(proc.stdout, sys.stdout), daemon=True),
               threading.Thread(target=forward, args=(proc.stderr, sys.stderr), daemon=True)]
    for t in threads:
        t.start()
    stopped = []

    def stop(signum, frame):
        # Dagster turns a signal inside a step into a step failure (and a snapshot step retries):
        # the build is given STOP_SECONDS to end, then killed; either way this process closes the
        # run as failed and reports it. What is published stays whole at any moment (RELIABILITY.md).
        stopped.append(signal.Signals(signum).name)
        proc.send_signal(signum)
        threading.Thread(target=_kill_after, args=(proc, STOP_SECONDS), daemon=True).start()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, stop)
    code = proc.wait()
    for t in threads:
        t.join()
    where = Paths(Path(args.home).resolve()) if args.home else paths()
    if stopped:
        return report_dead_child(where, None, f"the build was stopped by {stopped[0]}")
    if code >= 0:
        return code
    return report_dead_child(where, signal.Signals(-code).name)


STOP_SECONDS = 10


def _kill_after(proc, seconds: float) -> None:
    import signal
    import subprocess

    try:
        proc.wait(seconds)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)


def report_dead_child(where: Paths, signal_name: str | None, why: str | None = None) -> int:
    from .alerts import notify_failure
    from .resources import build_lock_once

    why = why or (f"the build process died of {signal_name} (a native crash, such as a reader's abort, or a kill "
                  "from outside): no Python handler ran")
    run_ids = []
    with build_lock_once(where):
        run_ids = _close_dead_runs(_instance(), where, why)
    print(summary(where, published_now=False))
    print("\nThe build did not publish. What failed:", file=sys.stderr)
    print(f"  - {why}", file=sys.stderr)
    for channel in notify_failure(where, "the build did not publish", [why], run_ids[0] if run_ids else None):
        print(f"  alert: {channel}", file=sys.stderr)
    return 1


def _close_dead_runs(instance, where: Paths,
                     why: str = "the build process died; found by the next build of the same home") -> list[str]:
    """A build killed outright leaves its run STARTED for ever, and the run queue (one run at a
    time) would wait for it for ever. Under the build lock no other build of this home is alive."""
    import dagster as dg

    closed = []
    for run in instance.get_runs(filters=dg.RunsFilter(job_name="build", statuses=[
            dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.NOT_STARTED])):
        home = run.run_config.get("resources", {}).get("pipeline", {}).get("config", {}).get("home")
        if home and Path(home).resolve() == where.home:
            instance.report_run_failed(run, why)
            closed.append(run.run_id)
    return closed


def _instance():
    """The persistent instance under $DAGSTER_HOME (created on first use), else an ephemeral one."""
    import shutil

    import dagster as dg

    home = os.environ.get("DAGSTER_HOME")
    if not home:
        return dg.DagsterInstance.ephemeral()
    Path(home).mkdir(parents=True, exist_ok=True)
    config = Path(home) / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(Path(__file__).with_name("dagster.yaml"), config)
    return dg.DagsterInstance.get()


def _failures(result) -> list[str]:
    import dagster as dg

    out = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.STEP_FAILURE:
            err = event.event_specific_data.error
            # Dagster wraps the step's own error: its cause says what went wrong.
            while err is not None and err.cause is not None and err.message.startswith(
                    "dagster._core.errors.DagsterExecutionStepExecutionError"):
                err = err.cause
            out.append(f"step {event.step_key}: {err.message.strip().splitlines()[0] if err else 'failed'}")
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.event_specific_data
            if not ev.passed:
                sev = getattr(ev.severity, "value", ev.severity)
                meta = {k: getattr(v, "value", v) for k, v in (ev.metadata or {}).items()}
                # A warning says its counts in a line; a failure shows what it found (the full
                # metadata is in the log and the UI either way).
                counts = {k.removeprefix("dagster_dbt/"): v for k, v in meta.items()
                          if isinstance(v, int) and not isinstance(v, bool)}
                if sev == "WARN" and counts:
                    detail = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in counts.items())
                else:
                    detail = json.dumps(meta, default=str)[:400]
                # A check that names what failed in words (the dataset and its numbers, the file
                # whose every row was rejected) says it first.
                words = [meta[k] if k == "says" else f"{k}: {meta[k]}" for k in ("says", "every_row_rejected")
                         if isinstance(meta.get(k), str)]
                if words:
                    detail = "; ".join(words) + f" ({detail})"
                out.append(f"check {ev.check_name} on {ev.asset_key.to_user_string()} ({sev}): {detail}")
    return out


def _dbt_failures(where: Paths) -> list[str]:
    """dbt's own words for what failed, from the run results of this build; and a line per dbt test
    that warned, as a check's warning is said (dbt's tests are no Dagster checks)."""
    from .dbt_project import dbt_project
    from .dbt_results import test_outcomes

    results = where.build_dir / "dbt_target" / "run_results.json"
    if not results.exists():
        return []
    try:
        data = json.loads(results.read_text())
    except (OSError, json.JSONDecodeError):
        return []
    warned = [f"check {t['test']} on {t['on']} (WARN): failed row count {t['failures']}"
              for t in test_outcomes(results, dbt_project.manifest_path)["not_passed"] if t["status"] == "warn"]
    failed = [r for r in data.get("results", []) if r.get("status") in ("error", "fail")]
    rows = _failing_rows(where) if failed else {}
    return [f"dbt {r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()[:300]}"
            + (f"; first rows: {rows[name][:500]}" if (name := r["unique_id"].split(".")[2]) in rows else "")
            for r in failed] + warned


def _failing_rows(where: Paths) -> dict[str, str]:
    """The first rows of each failed dbt test as the dbt step recorded them (a model's column_rules
    test names the column and the rule broken), by the test's name."""
    import duckdb

    from .assets.dbt import recorded_tests
    from .dbt_results import said_rows

    try:
        con = duckdb.connect(str(where.build_db), read_only=True)
    except duckdb.Error:
        return {}
    try:
        tests = recorded_tests(con) or {}
    finally:
        con.close()
    return {t["test"]: said_rows(t) for t in tests.get("not_passed", []) if t.get("rows")}


def summary(where: Paths, published_now: bool) -> str:
    import duckdb

    db = where.published_db
    if not db.exists():
        return f"No warehouse published yet at {db}."
    con = duckdb.connect(str(db), read_only=True)
    try:
        release, published_at, manifest = con.execute(
            "select release_id, published_at, manifest from audit.release").fetchone()
        counts = json.loads(manifest)["row_counts"]
        coverage = con.execute("""
            select origin, coverage_class, coverage_status, count(*) from rpt_indicator_coverage
            where line_kind = 'indicator' group by all order by 4 desc, 3""").fetchall() \
            if "rpt_indicator_coverage" in counts and con.execute(
                "select count(*) from duckdb_columns() where table_name = 'rpt_indicator_coverage'"
                " and column_name = 'coverage_class'").fetchone()[0] else []
    finally:
        con.close()
    lines = [("Published" if published_now else "Unchanged") + f" release {release} (published {published_at}),"
             " public tables (rows):"]
    names = sorted(k for k in counts if "." not in k)
    half = (len(names) + 1) // 2
    for left, right in zip(names[:half], names[half:] + [None]):
        cell = f"    {left:<31}{counts[left]:>9}"
        lines.append(cell + (f"    {right:<31}{counts[right]:>9}" if right else ""))
    lines += coverage_summary(coverage)
    release_file = db.parent / "releases" / release / "indicators.duckdb"
    lines.append(f"  open it read-only:  duckdb -readonly {release_file if release_file.exists() else db}"
                 "   (Python: orchestration.reader.connect())")
    return "\n".join(lines)


def coverage_summary(coverage: list[tuple]) -> list[str]:
    """The annex lines with real values first, then those only the illustrative sample fills, then the rest."""
    if not coverage:
        return []

    def count(origin=None, cls=None):
        return sum(n for o, c, _, n in coverage if (origin is None or o == origin) and (cls is None or c == cls))

    lines = [f"  annex indicator lines computed from real data: {count('annex', 'real')} of {count('annex')}"
             f" (and {count('derived', 'real')} of {count('derived')} lines the project derives)",
             f"  computed only from the illustrative sample: {count(cls='illustrative_only')}"
             " (not UNODC data; they await real project outputs)",
             f"  awaiting data: {count(cls='awaiting')}, by what they await (rpt_indicator_coverage says per line):"]
    awaited: dict[str, int] = {}
    for _, cls, status, n in coverage:
        if cls == "awaiting":
            key = status.removeprefix("awaiting ")
            awaited[key] = awaited.get(key, 0) + n
    items = [f"{n} {what}" for what, n in sorted(awaited.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += textwrap.wrap("; ".join(items), width=110, initial_indent="    ", subsequent_indent="    ")
    return lines


def command_inspect(args) -> int:
    from .inspect import inspect_file

    try:
        report = inspect_file(args.family, args.path_or_url)
    except (SourceError, FetchError, OSError) as exc:
        report = {"file": args.path_or_url, "family": args.family, "usable": False, "error": str(exc)}
        if args.json:
            print(json.dumps(report, indent=2, default=str))
        else:
            print(f"UNUSABLE: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report, indent=2, default=str))
    else:
        print(render(report))
    # Rejected rows, or anything the build's blocking checks would refuse: exit 1, as the build fails.
    return 1 if report["rows_rejected"] or report["blocking"] else 0


def render(report: dict) -> str:
    lines = [f"file: {report['file']}", f"family: {report['family']}",
             f"header fingerprint: {report['header_fingerprint']}",
             f"rows read: {report['rows_in']}  accepted: {report['rows_accepted']}  "
             f"rejected: {report['rows_rejected']}  not available (only '..'): {report['rows_not_available']}  "
             f"reconciles: {str(report['reconciles']).lower()}"]
    for rej in report["rejects"][:50]:
        lines.append(f"  rejected row {rej['row']}, column {rej['column']!r}: {rej['reason']}")
    if len(report["rejects"]) > 50:
        lines.append(f"  … {len(report['rejects']) - 50} more (use --json)")
    lines.append("summary:")
    for key, value in report["summary"].items():
        lines.append(f"  {key}: {value}")
    for warning in report["warnings"]:
        lines.append(f"warning: {warning}")
    for problem in report["blocking"]:
        lines.append(f"BLOCKING (the build would stop): {problem}")
    return "\n".join(lines)


if __name__ == "__main__":
    from .process_exit import leave

    leave(main())
