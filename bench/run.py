"""The pipeline's benchmark: every figure of BENCHMARKS.md in one run.

    .venv/bin/python -m bench.run            # make bench: ×1, ×10, ×100, 3 runs each (×100: 1 run)
    .venv/bin/python -m bench.run --quick    # make bench-quick: ×1 and the floor at ×10, 1 run

Each figure is the median of its runs with min and max, wall time and the peak resident memory of
the process tree. Scaled data (bench/scale.py) and the homes of the runs go to a scratch folder
(--work, default a temporary folder), never into sources/bundled. Results: bench/out/results-*.json
and .md (the table BENCHMARKS.md records).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import psutil

from . import measure
from .changed import changed_bundles
from .queries import QUERIES, query_round
from .scale import scale

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
CLI = str(Path(PY).with_name("unodc-indicators"))
OUT = ROOT / "bench" / "out"
INGESTION_STEPS = ("raw__countries", "registry_tables")


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def env_for(home: Path, bundle: Path | None) -> dict:
    env = {"DAGSTER_HOME": str(home / "dagster_home"), "UNODC_HOME": str(home), "PYTHONPATH": str(ROOT)}
    if bundle is not None:
        env["UNODC_BUNDLE_DIR"] = str(bundle)
    return env


def pipeline_run(home: Path, bundle: Path | None, cap_mib: float, extra: tuple = (), during=None) -> dict:
    home.mkdir(parents=True, exist_ok=True)
    timings = home / f"timings-{time.time_ns()}.json"
    sample = measure.run([PY, "-m", "bench.cold", str(timings), "run", "--home", str(home), *extra],
                         env=env_for(home, bundle), cap_mib=cap_mib, cwd=str(ROOT), during=during)
    out = {"wall_s": sample.wall_s, "peak_mib": sample.peak_mib, "returncode": sample.returncode,
           "stopped_at_cap": sample.stopped_at_cap}
    if sample.returncode != 0:
        out["error"] = sample.output[-3000:]
        return out
    if "--if-changed" in extra:     # timing points are taken for a cold run only: nothing to break down
        said = [line for line in sample.output.splitlines() if line.startswith(("rebuild:", "no rebuild:"))]
        out["decision"] = said[0] if said else None
        return out
    try:
        out["breakdown"] = breakdown(home, sample, json.loads(timings.read_text()))
    except Exception as exc:  # a breakdown that cannot be read must not lose the run's figures
        out["breakdown_error"] = repr(exc)
    return out


# The exports and the scorecard: one step writing both side by side ("release_outputs"), or two
# steps one after the other (trees before it, in a side by side).
AFTER_PUBLISH_STEPS = ("release_outputs", "exports__annex_tables", "report__scorecard")
AFTER_DBT_STEPS = ("warehouse__indicators", *AFTER_PUBLISH_STEPS)


def _is_ingestion(step: str) -> bool:
    return step in INGESTION_STEPS or step.endswith("_raw_tables") or (
        step.startswith("raw__") and step.endswith("_snapshots"))


def last_run(home: Path):
    """The home's last Dagster run: its stats, seconds per step, and how many events it wrote."""
    from dagster import DagsterInstance

    instance = DagsterInstance.from_config(str(home / "dagster_home"))
    try:
        run = instance.get_runs(limit=1)[0]
        stats = instance.get_run_stats(run.run_id)
        events = len(instance.all_logs(run.run_id))
        steps = {s.step_key: s.end_time - s.start_time for s in instance.get_run_step_stats(run.run_id)
                 if s.start_time and s.end_time}
    finally:
        instance.dispose()
    return stats, steps, events


def breakdown(home: Path, sample: measure.Sample, marks: dict) -> dict:
    """Seconds per part of one run, from the run's own timing points, Dagster's event log and dbt's
    run_results.json; the parts add up to the wall time."""
    stats, steps, events = last_run(home)
    results = json.loads((home / "var" / "build" / "dbt_target" / "run_results.json").read_text())
    dbt_elapsed = results["elapsed_time"]
    by_kind = {"models": 0.0, "tests": 0.0}
    for r in results["results"]:
        kind = "tests" if r["unique_id"].startswith(("test.", "unit_test.")) else "models"
        by_kind[kind] += r["execution_time"]
    node_total = sum(by_kind.values()) or 1.0
    dbt_step = steps.get("dbt_models", 0.0)
    dbt_wall, partial_parse = dbt_command(home / "var" / "build" / "dbt_target" / "dbt.log")
    dbt_wall = dbt_wall or dbt_elapsed
    ended = sample.started_at + sample.wall_s
    parts = {
        "environment start (interpreter, libraries)": marks["libraries_imported"] - sample.started_at,
        "definitions load": marks["definitions_loaded"] - marks["libraries_imported"],
        "run start-up (manifest, instance, run record)": stats.start_time - marks["definitions_loaded"],
        "ingestion (snapshots, parsers, raw tables)": sum(v for k, v in steps.items() if _is_ingestion(k)),
        "validation (pandera and rule checks)": sum(v for k, v in steps.items() if not _is_ingestion(k)
                                                    and k not in ("dbt_models", *AFTER_DBT_STEPS)),
        "dbt process start (interpreter, dbt imports) and Dagster's handling of dbt's events": dbt_step - dbt_wall,
        "dbt parse and set-up (dbt's own clock: command wall time less node execution)": dbt_wall - dbt_elapsed,
        "dbt models and seeds": dbt_elapsed * by_kind["models"] / node_total,
        "checks (dbt data and unit tests)": dbt_elapsed * by_kind["tests"] / node_total,
        "publish": steps.get("warehouse__indicators", 0.0),
        "exports and scorecard site after publish (every annex table, compared with the previous release; "
        "every page)": sum(steps.get(k, 0.0) for k in AFTER_PUBLISH_STEPS),
        "Dagster between steps": (stats.end_time - stats.start_time) - sum(steps.values()),
        "after the run (summary, exit)": ended - stats.end_time,
    }
    return parts | {"dagster events written": events, "dbt partial parse used": partial_parse}


def dbt_command(log: Path) -> tuple[float | None, bool | None]:
    """dbt's own wall time of its last command (from its JSON log), and whether that command reused
    the partial parse (dbt logs why when it cannot)."""
    if not log.exists():
        return None, None
    events = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            events.append(json.loads(line))
        except ValueError:
            continue
    ended = [e for e in events if "command_wall_clock_time" in e.get("data", {})]
    if not ended:
        return None, None
    last = ended[-1]["info"]["invocation_id"]
    refused = any("Unable to do partial parsing" in e["info"].get("msg", "") for e in events
                  if e.get("info", {}).get("invocation_id") == last)
    return ended[-1]["data"]["command_wall_clock_time"], not refused


def cli_has(args: list[str], needle: str) -> str | None:
    done = subprocess.run([CLI, *args, "--help"], capture_output=True, text=True)
    if done.returncode != 0:
        return None
    return done.stdout if needle in done.stdout else None


def nightly_flag() -> str | None:
    help_text = cli_has(["run"], "--") or ""
    return next((flag for flag in ("--if-changed", "--nightly") if flag in help_text), None)


def export_args(home: Path, out: Path) -> list[str] | str | None:
    """The export command's arguments for every annex table, from its own help; None when absent."""
    help_text = cli_has(["export"], "usage")
    if help_text is None:
        return None
    args = ["export"]
    if "--all" in help_text:
        args.append("--all")
    for flag, value in (("--out", out), ("--dir", out), ("--home", home)):
        if flag in help_text:
            args += [flag, str(value)]
    if len(args) == 1:
        return "the export command exists but its help names neither --all nor --out: " + help_text.splitlines()[0]
    return args


def timed_process(cmd: list[str], runs: int, cap_mib: float, parse_json: bool = True) -> dict:
    figures = {"wall_s": measure.Figure(), "peak_mib": measure.Figure()}
    last = None
    for _ in range(runs):
        s = measure.run(cmd, cwd=str(ROOT), cap_mib=cap_mib, env={"PYTHONPATH": str(ROOT)})
        if s.returncode != 0:
            return {"error": s.output[-2000:], "stopped_at_cap": s.stopped_at_cap, "wall_s": s.wall_s,
                    "peak_mib": s.peak_mib}
        figures["wall_s"].add(s.wall_s)
        figures["peak_mib"].add(s.peak_mib)
        last = json.loads(s.output.strip().splitlines()[-1]) if parse_json else None
    return {k: f.summary() for k, f in figures.items()} | {"result": last}


def summarize(samples: list[dict]) -> dict:
    ok = [s for s in samples if s.get("returncode") == 0]
    out = {"runs": len(samples), "succeeded": len(ok)}
    if not ok:
        out["failure"] = samples[-1] if samples else None
        return out
    for key in ("wall_s", "peak_mib"):
        out[key] = measure.Figure([s[key] for s in ok]).summary()
    if any("decision" in s for s in ok):
        out["decisions"] = [s.get("decision") for s in ok]
    parts = [s["breakdown"] for s in ok if "breakdown" in s]
    if parts:
        out["breakdown"] = {k: measure.Figure([p[k] for p in parts]).summary() for k in parts[0]
                            if all(isinstance(p.get(k), (int, float)) and not isinstance(p.get(k), bool) for p in parts)
                            and k != "dagster events written"}
        out["dagster_events"] = [p.get("dagster events written") for p in parts]
        out["dbt_partial_parse"] = [p.get("dbt partial parse used") for p in parts]
    return out


def queries(db: Path, rounds: int, build=None) -> dict:
    """p50/p95 per query, idle (`rounds` rounds) or while `build()` runs a build (until it ends)."""
    lat: dict[str, list[float]] = {name: [] for name in QUERIES}
    stop = threading.Event()

    def loop():
        done = 0
        while not stop.is_set() and (build is not None or done < rounds):
            for name, seconds in query_round(db).items():
                lat[name].append(seconds)
            done += 1
            # A researcher's pace, not a load test: one round of the five queries a second.
            stop.wait(1.0)

    if build is None:
        loop()
        extra = {}
    else:
        worker = threading.Thread(target=loop, daemon=True)
        worker.start()
        extra = {"build": build()}
        stop.set()
        worker.join()
    return {name: {"p50_ms": 1000 * measure.percentile(v, 50), "p95_ms": 1000 * measure.percentile(v, 95),
                   "n": len(v)} for name, v in lat.items() if v} | extra


def input_sizes(bundle: Path) -> dict:
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.name.endswith(".snapshot.yaml")]
    return {"files": len(files), "total_mib": sum(p.stat().st_size for p in files) / 2**20,
            "largest_mib": max(p.stat().st_size for p in files) / 2**20}


def agreement(floor_db: Path, warehouse: Path) -> list[dict]:
    """Row counts and a checksum of the floor's marts beside the pipeline's published tables (×1)."""
    import duckdb

    pairs = [
        ("UN-CTS facts", "select count(*), round(sum(value_numeric), 1) from fct_cts",
         "select count(*), round(sum(value_numeric), 1) from fct_crime_statistics"),
        ("treaty participation", "select count(*), count(party_since) from fct_participation",
         "select count(*), count(party_since) from fct_treaty_participation"),
        ("crop figures (compiled tables)", "select count(*), round(sum(try_cast(hectares as double)), 1) from fct_crops",
         "select count(*), round(sum(value), 1) from fct_crop_cultivation where source_kind <> 'annex_table' "
         "and measure = 'cultivation_ha'"),
        ("IATI outputs", "select count(*), round(sum(value), 1) from fct_outputs",
         "select count(*), round(sum(value), 1) from fct_project_outputs"),
    ]
    # The floor rejects nothing: the rows the pipeline rejects from the files the UN-CTS facts come
    # from (an impossible year, say) are the difference the floor may show, and are counted beside it.
    rejected = {"UN-CTS facts": "select count(*) from fct_load_rejects where snapshot_id in "
                                "(select distinct snapshot_id from fct_crime_statistics)"}
    floor = duckdb.connect(str(floor_db), read_only=True)
    pipe = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = []
        for name, fq, pq in pairs:
            n_rejected = 0
            try:
                f, p = floor.execute(fq).fetchone(), pipe.execute(pq).fetchone()
                if name in rejected:
                    n_rejected = pipe.execute(rejected[name]).fetchone()[0]
            except duckdb.Error as exc:
                f, p = None, repr(exc)
            rows.append({"mart": name, "floor": list(f) if f else None, "pipeline": list(p) if isinstance(p, tuple) else p,
                         "agree": f == p, "rejected": n_rejected,
                         "agree_but_rejected": f != p and isinstance(p, tuple) and f is not None
                         and n_rejected > 0 and f[0] == p[0] + n_rejected})
        return rows
    finally:
        floor.close()
        pipe.close()


def machine() -> dict:
    from importlib.metadata import version

    return {"cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "platform": platform.platform(), "python": platform.python_version(),
            "versions": {p: version(p) for p in ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb",
                                                   "polars", "pandas", "pandera", "fastexcel")},
            "load_average_at_start": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a few minutes: ×1, the floor at ×10, one run each")
    parser.add_argument("--runs", type=int, help="runs per figure (default 3, quick 1)")
    parser.add_argument("--scales", help="full-build scales, comma-separated (default 10,100; quick none)")
    parser.add_argument("--cap-mib", type=float, default=8192, help="stop a run whose process tree passes this")
    parser.add_argument("--work", help="scratch folder (default: a new temporary folder, removed at the end)")
    parser.add_argument("--before", help="also measure this revision side by side with this tree (bench/sidebyside.py)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 3)
    scales = [int(s) for s in (args.scales or ("" if args.quick else "10,100")).split(",") if s]
    floor_scales = sorted({1, *scales} | ({10} if args.quick else set()))
    pandas_scales = [1] if args.quick else [s for s in floor_scales if s <= 10]
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="unodc-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    report: dict = {"command": " ".join(["python -m bench.run", *sys.argv[1:]]), "runs": runs,
                    "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "machine": machine()}
    bundles = {1: ROOT / "sources" / "bundled"}
    try:
        for factor in sorted(set(floor_scales) - {1}):
            log(f"scaling the bundled snapshots ×{factor}")
            bundles[factor] = scale(factor, work / f"bundle_x{factor}")
        report["inputs"] = {f"x{f}": input_sizes(b) for f, b in bundles.items()}

        # 1. cold runs on the bundled default, each in a fresh home
        log(f"1. cold run ×1, {runs} run(s)")
        cold = [pipeline_run(work / f"cold_{i}", None, args.cap_mib) for i in range(runs)]
        report["cold_x1"] = summarize(cold)
        home1 = work / "cold_0"
        published1 = home1 / "warehouse" / "indicators.duckdb"

        # 2. nightly run, nothing changed
        flag = nightly_flag()
        if flag is None:
            report["nightly_unchanged"] = "not available (no --if-changed or --nightly option on `run`)"
        else:
            log(f"2. nightly run {flag}, nothing changed, {runs} run(s)")
            report["nightly_unchanged"] = summarize(
                [pipeline_run(home1, None, args.cap_mib, extra=(flag,)) for _ in range(runs)]) | {"flag": flag}

        # 3. full builds at larger scales
        for factor in scales:
            n = 1 if factor >= 100 else runs
            log(f"3. full build ×{factor}, {n} run(s)")
            samples = []
            for i in range(n):
                home = work / f"build_x{factor}_{i}"
                samples.append(pipeline_run(home, bundles[factor], args.cap_mib))
                # The last home of each scale stays: the queries run on the largest that published.
                if i < n - 1:
                    shutil.rmtree(home, ignore_errors=True)
            report[f"build_x{factor}"] = summarize(samples)

        # 4. the engine floor and 5. pandas, same files, same marts
        for factor in floor_scales:
            log(f"4. engine floor ×{factor}")
            db = work / f"floor_x{factor}.duckdb"
            db.unlink(missing_ok=True)
            cmd = [PY, "-m", "bench.floor", str(bundles[factor])] + (["--db", str(db)] if factor == 1 else [])
            n = 1 if factor >= 100 else runs
            report[f"floor_x{factor}"] = timed_process(cmd, n, args.cap_mib)
            if factor == 1 and published1.exists():
                report["agreement_x1"] = agreement(db, published1)
        for factor in pandas_scales:
            log(f"5. pandas ×{factor}")
            report[f"pandas_x{factor}"] = timed_process([PY, "-m", "bench.pandas_marts", str(bundles[factor])],
                                                        runs, args.cap_mib)

        # 6. researcher queries on the largest published warehouse, idle and while a build runs
        published = [(f, work / f"build_x{f}_0") for f in scales
                     if report.get(f"build_x{f}", {}).get("succeeded") and (work / f"build_x{f}_0").exists()]
        q_factor, q_home = max(published) if published else (1, home1)
        db = q_home / "warehouse" / "indicators.duckdb"
        log(f"6. researcher queries on the ×{q_factor} warehouse")
        rounds = 15 if args.quick else 40
        report["queries"] = {"scale": q_factor, "idle": queries(db, rounds)}
        report["queries"]["during_build"] = queries(
            db, rounds, build=lambda: pipeline_run(q_home, None if q_factor == 1 else bundles[q_factor], args.cap_mib))
        report["queries"]["during_build"].pop("build", None)

        # 7. the export of every annex table
        exported = work / "export"
        spec = export_args(home1, exported)
        if spec is None or isinstance(spec, str):
            report["export"] = spec or "not available (no `export` command)"
        else:
            log("7. export of every annex table")
            samples = []
            for _ in range(runs):
                shutil.rmtree(exported, ignore_errors=True)
                s = measure.run([CLI, *spec], env=env_for(home1, None), cwd=str(ROOT), cap_mib=args.cap_mib)
                samples.append({"wall_s": s.wall_s, "peak_mib": s.peak_mib, "returncode": s.returncode,
                                **({"error": s.output[-2000:]} if s.returncode else {})})
            report["export"] = summarize(samples) | {"command": " ".join(["unodc-indicators", *spec])}

        # 8. nightly runs that find one file changed: `run --if-changed` after one new snapshot, each
        # run one more (a UNTC status page at ×1; a UN-CTS release at the largest scale that built)
        if flag is not None:
            cts_factor, cts_home = max(published) if published else (1, None)
            if cts_home is None:
                cts_home = work / "changed_cts_x1"
                shutil.copytree(home1, cts_home)
            log(f"8. nightly run, one UNTC status file changed (×1), {runs} run(s)")
            steps = changed_bundles(bundles[1], "ratification", work / "changed_untc_x1", runs, "untc_status")
            report["nightly_untc_changed_x1"] = summarize(
                [pipeline_run(home1, step, args.cap_mib, extra=(flag,)) for step in steps]) | {"flag": flag}
            n = 1 if cts_factor >= 100 else runs
            log(f"8. nightly run, one UN-CTS file changed (×{cts_factor}), {n} run(s)")
            steps = changed_bundles(bundles[cts_factor], "crime_statistics", work / f"changed_cts_x{cts_factor}", n,
                                    "cts_")
            report[f"nightly_cts_changed_x{cts_factor}"] = summarize(
                [pipeline_run(cts_home, step, args.cap_mib, extra=(flag,)) for step in steps]) | {"flag": flag}

        # 9. this before and after, side by side (bench/sidebyside.py)
        if args.before:
            log(f"9. side by side against {args.before}, {runs} run(s)")
            done = subprocess.run([PY, "-m", "bench.sidebyside", args.before, "--runs", str(runs)], cwd=str(ROOT),
                                  capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            table = done.stdout[done.stdout.find("\n| figure"):].strip() if done.returncode == 0 else None
            report["sidebyside"] = {"before": args.before, "table": table,
                                    **({"error": (done.stdout + done.stderr)[-3000:]} if done.returncode else {})}
    finally:
        report["machine"]["load_average_at_end"] = os.getloadavg()
        report["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        OUT.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        (OUT / f"results-{stamp}.json").write_text(json.dumps(report, indent=1, default=str))
        from .report import render

        text = render(report)
        (OUT / f"results-{stamp}.md").write_text(text)
        print(text)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
