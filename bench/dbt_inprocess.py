"""dbt's build in the process that asks for it (`dbtRunner`) against dbt as a process of its own
(`unodc-indicators-dbt`, what the build's dbt step starts through dagster-dbt), alternating, on one built home.

    .venv/bin/python -m bench.dbt_inprocess HOME [--runs 3] [--select untc] [--ways "own process"]

`--ways "own process,started ahead"` compares dbt as its own process with dbt started ahead
(orchestration/dbt_ahead.py: the process is started 5 s before the command, as a build starts it
before its first steps).

Each run is a fresh Python process that imports dagster_dbt first, as the Dagster step's process
has (dbt-core is half imported by then), and copies the partial parse of `make setup` into its
target folder, as dagster-dbt does. `--select untc` builds what a night with one new UNTC status
file builds (the models downstream of the UNTC raw tables, with their tests); the default is every
model. The models are written again in HOME's build database from the same raw tables.
Prints one JSON line per run (wall, dbt's own clock, nodes) and the medians.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNTC = [f"source:raw.{t}+" for t in ("untc_snapshots", "untc_treaty_status", "untc_treaty_actions",
                                     "untc_endnotes", "untc_rejects")]
WAYS = ("own process", "started ahead", "in process")
AHEAD_S = 5.0


def one(home: Path, way: str, select: str) -> dict:
    """One build, in this process (a fresh one, started by `main`)."""
    import dagster_dbt  # noqa: F401  (the Dagster step's process has it)

    from orchestration.assets.dbt import BUILD_ARGS
    from orchestration.dbt_project import DBT_DIR, dbt_executable, dbt_vars_json

    build = home / "var" / "build"
    target = build / "dbt_target_bench"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    shutil.copy(DBT_DIR / "target" / "partial_parse.msgpack", target / "partial_parse.msgpack")
    args = ["build", *BUILD_ARGS, "--vars", dbt_vars_json(), "--project-dir", str(DBT_DIR),
            "--profiles-dir", str(DBT_DIR), "--target-path", str(target), "--quiet",
            *(("--select", *UNTC) if select == "untc" else ())]
    ahead = None
    if way == "started ahead":
        from orchestration.dbt_ahead import start

        # What a build does before its dbt step (imports, raw tables, checks) takes longer than this.
        ahead = start()
        time.sleep(AHEAD_S)
    started = time.perf_counter()
    if way in ("own process", "started ahead"):
        dbt = dbt_executable()
        try:
            subprocess.run([str(dbt), *args], check=True, cwd=DBT_DIR, env={**os.environ, "HOME": str(build)})
        finally:
            if ahead is not None:
                ahead.stop()
    else:
        from dbt.cli.main import dbtRunner

        os.environ["HOME"] = str(build)    # profiles.yml opens ~/build.duckdb
        result = dbtRunner().invoke(args)
        if not result.success:
            raise SystemExit(f"dbt failed in process: {result.exception}")
    wall = time.perf_counter() - started
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))
    shutil.rmtree(target)
    tests = [r for r in results["results"] if r["unique_id"].startswith("test.")]
    return {"way": way, "wall_s": round(wall, 2), "dbt_clock_s": round(results["elapsed_time"], 2),
            "nodes": len(results["results"]), "tests": len(tests),
            "tests_s": round(sum(r["execution_time"] for r in tests), 2), "load_avg_1": round(os.getloadavg()[0], 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("home")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--select", choices=("all", "untc"), default="all")
    parser.add_argument("--ways", default="own process,in process",
                        help="which ways, comma-separated (`own process` alone: dbt as the build's dbt step runs "
                             "it, to compare two trees of the project by running this from each in turn)")
    parser.add_argument("--one", choices=WAYS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    home = Path(args.home).resolve()
    if args.one:
        print(json.dumps(one(home, args.one, args.select)), flush=True)
        return
    ways = tuple(w.strip() for w in args.ways.split(",") if w.strip())
    if not ways or set(ways) - set(WAYS):
        raise SystemExit(f"--ways: some of {', '.join(WAYS)}, not {args.ways!r}")
    rows: dict[str, list[dict]] = {w: [] for w in ways}
    for i in range(args.runs):
        for way in (ways if i % 2 == 0 else tuple(reversed(ways))):
            out = subprocess.run([sys.executable, "-m", "bench.dbt_inprocess", str(home), "--select", args.select,
                                  "--one", way], cwd=ROOT, check=True, capture_output=True, text=True).stdout
            rows[way].append(json.loads(out.strip().splitlines()[-1]))
            print(json.dumps({"run": i, **rows[way][-1]}), flush=True)
    first = rows[ways[0]][0]
    print(f"\n| dbt build, {args.select} ({first['nodes']} nodes, {first['tests']} data tests), median of "
          f"{args.runs} | wall | dbt's clock | wall outside it | the tests' node time |\n|---|---:|---:|---:|---:|")
    for way in ways:
        wall = statistics.median(r["wall_s"] for r in rows[way])
        clock = statistics.median(r["dbt_clock_s"] for r in rows[way])
        outside = statistics.median(r["wall_s"] - r["dbt_clock_s"] for r in rows[way])
        tests = statistics.median(r["tests_s"] for r in rows[way])
        print(f"| {way} | {wall:.2f} s | {clock:.2f} s | {outside:.2f} s | {tests:.2f} s |")


if __name__ == "__main__":
    main()
