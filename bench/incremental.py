"""A change rebuilds what depends on it: the nightly run after one source file changed, as a full
build and as the incremental build that loads only its family, side by side in one run.

    .venv/bin/python -m bench.incremental [--runs 3] [--scale 1] [--change untc|cts] [--bundle DIR]

One home is built from state A (the bundled snapshots, or a copy scaled ×N by bench/scale.py);
then one file is added to the bundle (state B: a later UNTC status file of VI-15, or a new release
of the UN-CTS prisons file), and for each run two copies of that home run the nightly command
`run --if-changed`, one with `--full`, alternating which goes first. Both releases are compared
table for table (bench/compare_warehouses.py): the figures count only if they are the same.
Prints one JSON line per run and a Markdown table of medians (min–max), with the machine and its load.
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
from pathlib import Path

import yaml

from . import measure
from .compare_warehouses import compare

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "sources" / "bundled"
PY = sys.executable


def new_version(bundle: Path, file: Path, version: str, note: str) -> str:
    """A later version of a bundled file beside the others (same bytes, a later date): the name
    of the new snapshot (dataset/version/filename)."""
    sidecar = Path(f"{file}.snapshot.yaml")
    meta = yaml.safe_load(sidecar.read_text())
    folder = bundle / meta["family"] / f"bench_{meta['dataset']}_{version}"
    folder.mkdir(parents=True)
    shutil.copy(file, folder / file.name)
    meta.update(version=version, accessed=version, as_of=version, notes=note)
    if meta.get("published"):
        meta["published"] = version
    (folder / sidecar.name).write_text(yaml.safe_dump(meta, sort_keys=False))
    return f"{meta['dataset']}/{version}/{meta['filename']}"


def changed_file(bundle: Path, change: str) -> Path:
    if change == "untc":
        return next(bundle.glob("ratification/**/VI-15.en.xml"))
    found = sorted(p for p in bundle.glob("crime_statistics/**/*") if p.is_file() and "prisons" in p.name
                   and not p.name.endswith(".snapshot.yaml"))
    return found[0]


def machine() -> dict:
    load = os.getloadavg()
    return {"machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "load_avg_1_5_15": [round(x, 2) for x in load], "kernel": platform.release()}


def run(home: Path, bundle: Path, *extra: str) -> measure.Sample:
    env = {"DAGSTER_HOME": str(home / "dagster_home"), "UNODC_BUNDLE_DIR": str(bundle)}
    sample = measure.run([PY, "-m", "orchestration.cli", "run", "--home", str(home), *extra], env=env,
                         cwd=str(ROOT))
    if sample.returncode != 0 or sample.stopped_at_cap:
        raise SystemExit(f"run {' '.join(extra)} in {home} failed:\n{sample.output[-3000:]}")
    return sample


def night_parts(home: Path, sample: measure.Sample) -> dict:
    """Where a night's seconds went: its Dagster run's steps, the run itself, and the publish's parts
    (as the published asset's metadata gives them)."""
    try:
        return _night_parts(home, sample)
    except Exception as exc:  # a breakdown that cannot be read must not lose the run's figures
        return {"parts_error": repr(exc)}


def _night_parts(home: Path, sample: measure.Sample) -> dict:
    from .run import last_run

    stats, steps, events = last_run(home)
    run_s = stats.end_time - stats.start_time
    out = {"run_s": round(run_s, 2), "outside_run_s": round(sample.wall_s - run_s, 2), "events": events,
           "steps_s": {k: round(v, 2) for k, v in sorted(steps.items(), key=lambda kv: -kv[1])}}
    from dagster import AssetKey, DagsterInstance

    instance = DagsterInstance.from_config(str(home / "dagster_home"))
    try:
        event = instance.get_latest_materialization_event(AssetKey(["warehouse", "indicators"]))
    finally:
        instance.dispose()
    parts = event.asset_materialization.metadata.get("publish_seconds") if event else None
    if parts is not None:
        out["publish_s"] = parts.value
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--change", choices=("untc", "cts"), default="untc")
    parser.add_argument("--bundle", help="a scaled bundle made before (bench/scale.py), copied instead of scaling again")
    parser.add_argument("--only-incremental", action="store_true",
                        help="the incremental night alone: no full build beside it, so no comparison of the two "
                             "releases (for a profile or a quick figure; the bench's figure is the pair)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the scratch folder (state A's home, the bundle) and print where, for a profile")
    parser.add_argument("--link-bundle", action="store_true",
                        help="with --bundle: link its files instead of copying them (a ×100 bundle is 2.7 GiB)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="unodc-incremental-"))
    print(json.dumps({"machine": machine(), "scale": args.scale, "change": args.change}), flush=True)
    try:
        bundle = work / "bundle"
        if args.bundle and args.link_bundle:
            from .changed import link_tree
            link_tree(Path(args.bundle), bundle)
        elif args.bundle:
            shutil.copytree(args.bundle, bundle)
        elif args.scale > 1:
            from .scale import scale
            scale(args.scale, bundle)
        else:
            shutil.copytree(BUNDLED, bundle)
        base = work / "base"
        cold = run(base, bundle)
        print(json.dumps({"figure": "state A, cold build", "wall_s": round(cold.wall_s, 2)}), flush=True)
        added = new_version(bundle, changed_file(bundle, args.change), "2026-11-30",
                            "Benchmark copy: the same file under a later date (bench/incremental.py).")
        figures = {"full": measure.Figure(), "incremental": measure.Figure()}
        peaks = {"full": measure.Figure(), "incremental": measure.Figure()}
        for i in range(args.runs):
            order = ("full", "incremental") if i % 2 == 0 else ("incremental", "full")
            if args.only_incremental:
                order = ("incremental",)
            homes = {}
            for kind in order:
                home = homes[kind] = work / f"{kind}-{i}"
                shutil.copytree(base, home, symlinks=True)
                # The run history stays with the copy's own instance: no run of the base is left open.
                s = run(home, bundle, "--if-changed", *(("--full",) if kind == "full" else ()))
                if kind == "incremental" and "incremental build:" not in s.output:
                    raise SystemExit(f"the nightly run did not build incrementally:\n{s.output[-3000:]}")
                figures[kind].add(s.wall_s)
                peaks[kind].add(s.peak_mib)
                print(json.dumps({"run": i, "figure": kind, "wall_s": round(s.wall_s, 2),
                                  "peak_mib": round(s.peak_mib), "load_avg_1": round(os.getloadavg()[0], 2),
                                  **night_parts(home, s)}), flush=True)
            if not args.only_incremental:
                differences = compare(homes["full"] / "warehouse" / "indicators.duckdb",
                                      homes["incremental"] / "warehouse" / "indicators.duckdb")
                if differences:
                    raise SystemExit("the incremental release differs from the full build's:\n"
                                     + "\n".join(differences))
                print(json.dumps({"run": i, "same_release": True, "added": added}), flush=True)
            for home in homes.values():
                if not args.keep:
                    shutil.rmtree(home, ignore_errors=True)
    finally:
        if args.keep:
            print(json.dumps({"kept": str(work)}), flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)

    def cell(f: measure.Figure, unit: str) -> str:
        s = f.summary()
        return f"{s['median']:.1f} {unit} ({s['min']:.1f}–{s['max']:.1f}, n={s['n']})"

    if args.only_incremental:
        print(f"\n| nightly `run --if-changed`, one {args.change.upper()} file new, ×{args.scale} | incremental "
              f"(no full build beside it) |\n|---|---:|\n| wall | {cell(figures['incremental'], 's')} |\n"
              f"| peak memory | {cell(peaks['incremental'], 'MiB')} |")
        print(json.dumps({"machine_after": machine()}))
        return
    full, incr = figures["full"].summary()["median"], figures["incremental"].summary()["median"]
    print(f"\n| nightly `run --if-changed`, one {args.change.upper()} file new, ×{args.scale} | full build | "
          f"incremental | incremental ÷ full |\n|---|---:|---:|---:|")
    print(f"| wall | {cell(figures['full'], 's')} | {cell(figures['incremental'], 's')} | {incr / full:.2f} |")
    print(f"| peak memory | {cell(peaks['full'], 'MiB')} | {cell(peaks['incremental'], 'MiB')} | "
          f"{peaks['incremental'].summary()['median'] / peaks['full'].summary()['median']:.2f} |")
    print(json.dumps({"machine_after": machine()}))


if __name__ == "__main__":
    main()
