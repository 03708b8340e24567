"""The publish step of one incremental build, made both ways side by side: from the build file (the
full path) and from the release before (the incremental path), on the same build.

    .venv/bin/python -m bench.publish_paths [--scale 10] [--runs 3] [--work DIR]

State A (the bundled snapshots, ×N) is built cold; a new release of the UN-CTS prisons file is
added, and the nightly `run --if-changed` is stopped at the publish's first fault point
(`publish:before_copy`: gate passed, nothing copied). That home is then copied once per run and
path, and `publish()` runs on the copy in a process of its own, alternating which path goes first.
Both releases of a run are compared table for table. Prints one JSON line per publish (its parts'
seconds, the share of free blocks before any compaction, the file's size) and a Markdown table of
medians, with the load average.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .compare_warehouses import compare
from .incremental import BUNDLED, changed_file, new_version, run

ROOT = Path(__file__).resolve().parent.parent


def publish_once(home: Path, path: str) -> dict:
    """One publish of `home`'s checked build, by `path` ("full" or "incremental")."""
    from orchestration.assets.dbt import DBT_BUILD_CHECK
    from orchestration.checks import BLOCKING_CHECKS
    from orchestration.dbt_project import dbt_project
    from orchestration.incremental import DBT_RUN, read_marks
    from orchestration.warehouse.database import connect
    from orchestration.warehouse.publish import publish
    from sources.settings import Paths

    paths = Paths(home)
    with connect(paths.build_db, read_only=True) as con:
        run_id = read_marks(con)[DBT_RUN]["run_id"]
    started = time.perf_counter()
    manifest = publish(paths, [*BLOCKING_CHECKS, DBT_BUILD_CHECK], run_id=run_id if path == "incremental" else None,
                       dbt_manifest=dbt_project.manifest_path)
    wall = time.perf_counter() - started
    made = manifest["made"]
    if (path == "incremental") != made["from"].startswith("release"):
        raise SystemExit(f"the {path} path was not taken: {made}")
    return {"path": path, "wall_s": round(wall, 2), "seconds": made["seconds"], "free_share": made["free_share"],
            "compacted": bool(made.get("compacted")), "mib": round(paths.published_db.stat().st_size / 2**20, 1),
            "written": {t: h for t, h in (made.get("tables") or {}).items() if not h == "replaced"} or None,
            "replaced": sum(1 for h in (made.get("tables") or {}).values() if h == "replaced")}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=10)
    parser.add_argument("--work", type=Path, help="a folder to keep the homes in (else a temporary one, removed)")
    parser.add_argument("--one", nargs=2, metavar=("HOME", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(publish_once(Path(args.one[0]), args.one[1])))
        return
    work = args.work or Path(tempfile.mkdtemp(prefix="unodc-publish-paths-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        bundle, base, checked = work / "bundle", work / "base", work / "checked"
        if not checked.exists():
            if not bundle.exists():
                if args.scale > 1:
                    from .scale import scale
                    scale(args.scale, bundle)
                else:
                    shutil.copytree(BUNDLED, bundle)
            if not (base / "warehouse" / "indicators.duckdb").exists():
                run(base, bundle)
            new_version(bundle, changed_file(bundle, "cts"), "2026-11-30",
                        "Benchmark copy: the same file under a later date (bench/publish_paths.py).")
            shutil.copytree(base, checked, symlinks=True)
            env = {**os.environ, "DAGSTER_HOME": str(checked / "dagster_home"), "UNODC_BUNDLE_DIR": str(bundle),
                   "UNODC_FAULT": "publish:before_copy"}
            done = subprocess.run([sys.executable, "-m", "orchestration.cli", "run", "--if-changed", "--home",
                                   str(checked)], env=env, cwd=ROOT, capture_output=True, text=True,
                                  start_new_session=True)
            if done.returncode != -9:
                raise SystemExit(f"the build did not stop before publishing ({done.returncode}):\n{done.stdout[-3000:]}")
        print(json.dumps({"scale": args.scale, "load_avg": os.getloadavg()}), flush=True)
        walls: dict[str, list[float]] = {"full": [], "incremental": []}
        for i in range(args.runs):
            order = ("full", "incremental") if i % 2 == 0 else ("incremental", "full")
            homes = {}
            for kind in order:
                home = homes[kind] = work / f"{kind}-{i}"
                shutil.rmtree(home, ignore_errors=True)
                shutil.copytree(checked, home, symlinks=True)
                out = subprocess.run([sys.executable, "-m", "bench.publish_paths", "--one", str(home), kind],
                                     cwd=ROOT, capture_output=True, text=True)
                if out.returncode:
                    raise SystemExit(out.stderr[-3000:])
                figure = json.loads(out.stdout.strip().splitlines()[-1])
                walls[kind].append(figure["wall_s"])
                print(json.dumps({"run": i, **figure, "load_avg_1": round(os.getloadavg()[0], 2)}), flush=True)
            differences = compare(homes["full"] / "warehouse" / "indicators.duckdb",
                                  homes["incremental"] / "warehouse" / "indicators.duckdb")
            if differences:
                raise SystemExit("the two releases differ:\n" + "\n".join(differences))
            print(json.dumps({"run": i, "same_release": True}), flush=True)
            for home in homes.values():
                shutil.rmtree(home, ignore_errors=True)
        full, incr = statistics.median(walls["full"]), statistics.median(walls["incremental"])
        print(f"\n| publish step, ×{args.scale}, one UN-CTS release new | full path | incremental path | ratio |\n"
              f"|---|---:|---:|---:|\n| seconds, median (min–max, n={args.runs}) | {full:.1f} "
              f"({min(walls['full']):.1f}–{max(walls['full']):.1f}) | {incr:.1f} "
              f"({min(walls['incremental']):.1f}–{max(walls['incremental']):.1f}) | {incr / full:.2f} |")
        print(json.dumps({"load_avg_after": os.getloadavg()}))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
