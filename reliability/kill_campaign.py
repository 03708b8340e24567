"""Kill -9 a real build at many moments and prove, after each, that the published warehouse is one
complete release and that the next build succeeds with no manual step.

    .venv/bin/python -m reliability.kill_campaign --out reliability/results/kill_campaign.json

For each moment: a build (with --fetch against a local mirror of the bundled files) is killed with
SIGKILL to its whole process group; the published file is inspected (opens, one audit.release row,
manifest row counts equal the tables' counts, the file kept for that release); what the dead
build left behind is listed; then a recovery build runs to the end and must publish.
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import threading
import time
from pathlib import Path

from .harness import Mirror, Moment, held, inspect_published, kill_at, leftovers, mirror_env, run_build

STEP = 'Started execution of step "{}"'
MOMENTS = [
    Moment("fetch: UNTC status file mid-download", "fetch", fetch_path="/untc/VI-15.en.xml"),
    Moment("fetch: UN-CTS workbook mid-download", "fetch", fetch_path="/cts/data_cts_intentional_homicide.xlsx"),
    Moment("ingestion: crime files parsed and written", "ingestion", marker=STEP.format("crime_raw_tables"), delay=1.0),
    Moment("ingestion: treaty tables parsed and written", "ingestion", marker=STEP.format("untc_raw_tables"), delay=0.5),
    Moment("checks: pandera on UN-CTS observations", "checks",
           marker=STEP.format("raw__cts_observations_pandera_cts_observations")),
    Moment("checks: participants mapped", "checks", marker=STEP.format("raw__untc_treaty_actions_participants_mapped")),
    Moment("dbt: staging views being created", "dbt", marker=r"Materialized value staging"),
    Moment("dbt: marts being built and tested", "dbt", marker=r"Materialized value .*fct_treaty_actions"),
    Moment("publish: gate passed, before the copy", "publish", fault="publish:before_copy"),
    Moment("publish: copying tables into the new file", "publish", fault="publish:during_copy"),
    Moment("publish: copy read-only, before the rename", "publish", fault="publish:before_replace"),
    Moment("publish: renamed, release not yet kept", "publish", fault="publish:before_keep", may_publish=True),
    Moment("publish: release kept, before pruning", "publish", fault="publish:before_prune", may_publish=True),
]


def run_moment(home: Path, mirror: Mirror, moment: Moment, index: int, recover: bool = True) -> dict:
    env = mirror_env(mirror.base)
    before = inspect_published(home)
    trigger = release = None
    if moment.fetch_path:
        trigger, release = threading.Event(), threading.Event()
        original = mirror.routes[moment.fetch_path]
        mirror.routes[moment.fetch_path] = held(trigger, release, original[1])
    try:
        kill = kill_at(home, marker=moment.marker, delay=moment.delay, fault=moment.fault, fetch=True, env=env,
                       trigger=trigger, log_name=f"{index:02d}-killed")
    finally:
        if moment.fetch_path:
            release.set()
            mirror.routes[moment.fetch_path] = original
    after = inspect_published(home)
    left = leftovers(home)
    same = after.get("sha256") == before.get("sha256")
    survived = bool(after.get("complete")) and (same or (moment.may_publish and after["release_id"] != before["release_id"]))
    row = {"moment": moment.name, "stage": moment.stage, "how": moment.fault and f"UNODC_FAULT={moment.fault}"
           or (f"mirror holding {moment.fetch_path}" if moment.fetch_path else f"stderr /{moment.marker}/ + {moment.delay}s"),
           "reached": kill["reached"], "killed_at_s": kill["killed_at_s"], "exit": kill["exit"],
           "published_before": before.get("release_id"), "published_after": after.get("release_id"),
           "unchanged": same, "complete_after_kill": after.get("complete"), "kept_after_kill": after.get("kept"),
           "left_behind": left, "survived": survived}
    if recover:
        row.update(recovery_build(home, env, f"{index:02d}-recovery", after))
    return row


def recovery_build(home: Path, env: dict, log_name: str, after: dict) -> dict:
    recovery = run_build(home, fetch=True, env=env, log_name=log_name)
    final = inspect_published(home)
    clean = leftovers(home)
    recovered = (recovery["exit"] == 0 and final.get("complete") and final.get("kept") and final.get("kept_manifest")
                 and final["release_id"] != after["release_id"] and not clean["publish_temp_files"]
                 and not clean["releases_without_manifest"])
    # The release a build swapped in before dying is kept by the next publish.
    kept = (home / "warehouse" / "releases" / after["release_id"] / "manifest.json").exists()
    return {"recovery_exit": recovery["exit"], "recovery_s": recovery["seconds"], "recovered": bool(recovered and kept),
            "released_after_recovery": final.get("release_id"), "left_after_recovery": clean}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reliability/results/kill_campaign.json")
    parser.add_argument("--work", help="folder for the home (default: a temporary folder, removed)")
    parser.add_argument("--only", nargs="*", type=int, help="moment numbers to run (1-based)")
    parser.add_argument("--chain", action="store_true",
                        help="no recovery build after each kill: each killed build is the next run of the one "
                             "before (it must get past the damage to reach its own moment); one recovery at the end")
    args = parser.parse_args(argv)
    work = Path(args.work or tempfile.mkdtemp(prefix="kill-campaign-"))
    home = work / "home"
    mirror = Mirror()
    results = []
    started = time.monotonic()
    try:
        baseline = run_build(home, fetch=True, env=mirror_env(mirror.base), log_name="00-baseline")
        if baseline["exit"] != 0:
            raise SystemExit(f"the baseline build failed:\n{baseline['stderr'][-3000:]}")
        print(f"baseline published in {baseline['seconds']} s", flush=True)
        for index, moment in enumerate(MOMENTS, 1):
            if args.only and index not in args.only:
                continue
            row = run_moment(home, mirror, moment, index, recover=not args.chain)
            results.append(row)
            print(json.dumps(row), flush=True)
        if args.chain and results:
            final = recovery_build(home, mirror_env(mirror.base), "99-recovery", inspect_published(home))
            # A kill is recovered from when the build after it reached its own moment (so got past
            # whatever the kill left) and the last kill when the final build published.
            for row, nxt in zip(results, results[1:]):
                row.update(recovered=nxt["reached"], next_run=f"reached its own moment at {nxt['killed_at_s']} s")
            results[-1].update(final, next_run=f"published in {final['recovery_s']} s")
            for row in results:
                if not row["unchanged"]:
                    kept = (home / "warehouse" / "releases" / row["published_after"] / "manifest.json").exists()
                    row.update(swapped_release_kept_later=kept, recovered=row["recovered"] and kept)
            print(json.dumps(final), flush=True)
    finally:
        mirror.close()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"baseline_s": baseline["seconds"], "total_s": round(time.monotonic() - started),
                               "moments": results}, indent=1))
    print(table(results))
    return 0 if all(r["reached"] and r["survived"] and r["recovered"] for r in results) else 1


def table(results: list[dict]) -> str:
    lines = ["| # | moment | killed at (s) | published after kill | left behind | next run |",
             "|---|---|---|---|---|---|"]
    for i, r in enumerate(results, 1):
        left = r["left_behind"]
        bits = ([f"{len(left['publish_temp_files'])} temp copy"] if left["publish_temp_files"] else []) \
            + (["build WAL"] if left["build_wal"] else []) \
            + (["release swapped in, not kept"] if not r["unchanged"] and not r["kept_after_kill"] else [])
        after = "same release, intact" if r["unchanged"] else "new release, complete"
        nxt = r.get("next_run") or f"published in {r['recovery_s']} s"
        lines.append(f"| {i} | {r['moment']} | {r['killed_at_s']} | {after if r['survived'] else 'FAILED'} | "
                     f"{', '.join(bits) or '-'} | {nxt if r['recovered'] else 'FAILED: ' + nxt} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
