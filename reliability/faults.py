"""Faults other than a crash: a disk that fills up, live sources that fail, two builds at once, a
build whose leader dies while dbt runs on.

    sudo .venv/bin/python -m reliability.faults --out reliability/results/faults.json

The disk is a real tmpfs of a fixed size (mounting it needs root; without root that scenario is
skipped and says so). After every fault the published warehouse must be the complete release it
was (or a complete new one where the build could publish), and the next build must publish.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from .harness import (MAINTENANCE, Build, Mirror, held, inspect_published, leftovers, mirror_env, run_build, slow,
                      truncated)

MB = 1 << 20
LOGS = Path(tempfile.gettempdir()) / "reliability-faults-logs"   # off the disk that fills up


def _tail(text: str, n: int = 6) -> list[str]:
    return [line[:300] for line in text.strip().splitlines()[-n:]]


DISK_CASES = (("no space left when the build starts", 0, None),
              ("12 MB left when the build starts", 12 * MB, None),
              ("the disk fills up as publishing starts", None, r'Started execution of step "warehouse__indicators"'))


def disk_full(home: Path, mirror: Mirror, cases=DISK_CASES) -> list[dict]:
    disk = home.parent
    if not os.path.ismount(disk):
        return [{"scenario": "disk full", "skipped": "mounting a tmpfs needs root"}]
    rows = []
    for label, free, moment in cases:
        before = inspect_published(home)
        filler = disk / "filler"
        if moment is None:
            _fill(filler, free)
            failed = run_build(home, logs=LOGS, log_name=f"disk-{free}")
        else:
            build = Build(home, logs=LOGS, log_name="disk-at-publish")
            build.when(moment).wait(900)
            # Frozen while the disk fills, so the copy meets a full disk, not a race with the filler.
            os.killpg(build.proc.pid, signal.SIGSTOP)
            _fill(filler, 0)
            os.killpg(build.proc.pid, signal.SIGCONT)
            build.wait(900)
            failed = {"exit": build.proc.returncode, "seconds": round(build.elapsed, 1), "stderr": build.stderr()}
        after = inspect_published(home)
        left = leftovers(home)
        filler.unlink()
        recovery = run_build(home, logs=LOGS, log_name=f"disk-{free}-recovery")
        final = inspect_published(home)
        rows.append({
            "scenario": f"disk full: {label}", "free_bytes_at_start": free,
            "build_exit": failed["exit"], "build_s": failed["seconds"],
            "error": next((line.strip()[:300] for line in failed["stderr"].splitlines()
                           if any(k in line for k in ("No space left", "disk I/O error", "Could not write",
                                                      "IO Error", "OSError"))), None),
            "published_unchanged": after.get("sha256") == before.get("sha256"),
            "complete_after": after.get("complete"), "left_behind": left,
            "recovery_exit": recovery["exit"], "recovery_s": recovery["seconds"],
            "recovered": recovery["exit"] == 0 and final.get("complete") and final.get("kept"),
            "passed": failed["exit"] != 0 and after.get("sha256") == before.get("sha256")
            and recovery["exit"] == 0 and bool(final.get("complete"))})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def _fill(path: Path, leave_free: int) -> None:
    stat = os.statvfs(path.parent)
    size = max(0, stat.f_bavail * stat.f_frsize - leave_free)
    with open(path, "wb") as fh:
        block = b"\0" * MB
        while size > 0:
            try:
                size -= fh.write(block[: min(size, MB)])
            except OSError:
                break


def fetch_faults(home: Path, mirror: Mirror) -> list[dict]:
    env = mirror_env(mirror.base)
    served = dict(mirror.routes)
    rows = []
    cases = {
        "one of each: HTTP 500, maintenance page, truncated body, time-out": {
            "/untc/VI-15.en.xml": (500, b"Internal Server Error", {}),
            "/untc/VI-18.en.xml": (200, MAINTENANCE, {"Content-Type": "text/html"}),
            "/cts/data_cts_intentional_homicide.xlsx": truncated(served["/cts/data_cts_intentional_homicide.xlsx"][1]),
            "/cts/data_cts_prisons_and_prisoners.xlsx": slow(3.0)},
        "every source answers HTTP 503": {path: (503, b"Service Unavailable", {}) for path in served},
    }
    for label, routes in cases.items():
        before = inspect_published(home)
        mirror.routes.update(routes)
        try:
            result = run_build(home, logs=LOGS, fetch=True, env=env, log_name="fetch-" + str(len(rows)))
        finally:
            mirror.routes.clear()
            mirror.routes.update(served)
        after = inspect_published(home)
        failed = sorted({line.split("fetch of ", 1)[1].split(" failed", 1)[0]
                         for line in result["stderr"].splitlines() if "the last good snapshot stays" in line})
        rows.append({"scenario": f"fetch: {label}", "build_exit": result["exit"], "build_s": result["seconds"],
                     "items_failed_and_kept_last_good": failed,
                     "published": after.get("release_id") != before.get("release_id"),
                     "complete_after": after.get("complete"), "kept": after.get("kept"),
                     "passed": result["exit"] == 0 and bool(after.get("complete")) and bool(after.get("kept"))})
        print(json.dumps(rows[-1]), flush=True)
    return rows


def two_builds(home: Path, mirror: Mirror) -> list[dict]:
    env = mirror_env(mirror.base)
    arrived, release = threading.Event(), threading.Event()
    original = mirror.routes["/cts/data_glotip.xlsx"]
    mirror.routes["/cts/data_glotip.xlsx"] = held(arrived, release, original[1])
    first = Build(home, logs=LOGS, fetch=True, env=env, log_name="two-first")
    try:
        arrived.wait(600)
        second = Build(home, logs=LOGS, env=env, log_name="two-second")
        second_exit = second.wait(600)
    finally:
        release.set()
        mirror.routes["/cts/data_glotip.xlsx"] = original
    first_exit = first.wait(900)
    after = inspect_published(home)
    row = {"scenario": "two builds at once", "first_exit": first_exit, "second_exit": second_exit,
           "second_said": next((line for line in second.stderr().splitlines() if "another build holds" in line), None),
           "second_s": round(second.elapsed, 1), "complete_after": after.get("complete"), "kept": after.get("kept"),
           "left_behind": leftovers(home),
           "passed": first_exit == 0 and second_exit != 0 and bool(after.get("complete"))}
    print(json.dumps(row), flush=True)
    return [row]


def leader_killed(home: Path, mirror: Mirror) -> list[dict]:
    """Only the `unodc-indicators` process dies (an OOM kill picks one process): dbt runs on."""
    before = inspect_published(home)
    build = Build(home, logs=LOGS, log_name="leader-killed")
    build.when(r"Materialized value staging").wait(900)
    os.kill(build.proc.pid, signal.SIGKILL)
    build.proc.wait(60)
    time.sleep(0.5)
    orphans = _group_alive(build.proc.pid)
    nxt = run_build(home, logs=LOGS, log_name="leader-next")
    orphans_at_next_end = _group_alive(build.proc.pid)
    after_next = inspect_published(home)
    then = run_build(home, logs=LOGS, log_name="leader-then") if nxt["exit"] != 0 else None
    final = inspect_published(home)
    row = {"scenario": "leader killed while dbt runs (dbt left running)", "orphans_alive": orphans,
           "next_exit": nxt["exit"], "next_said": _tail(nxt["stderr"], 3) if nxt["exit"] else None,
           "orphans_alive_after_next": orphans_at_next_end,
           "published_intact_after_next": after_next.get("complete") and (
               after_next.get("sha256") == before.get("sha256") or nxt["exit"] == 0),
           "then_exit": then and then["exit"], "final_complete": final.get("complete"),
           "passed": bool(after_next.get("complete")) and bool(final.get("complete"))
           and (nxt["exit"] == 0 or (then and then["exit"] == 0))}
    try:
        os.killpg(build.proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    print(json.dumps(row), flush=True)
    return [row]


def _group_alive(pgid: int) -> int:
    out = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout.split()
    return len(out)


SCENARIOS = {"disk": disk_full, "leader": leader_killed, "fetch": fetch_faults, "two": two_builds}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="reliability/results/faults.json")
    parser.add_argument("--work", help="working folder (default: a temporary folder, removed)")
    parser.add_argument("--only", nargs="*", choices=sorted(SCENARIOS))
    parser.add_argument("--disk-cases", nargs="*", type=int, help="disk cases to run (1-based; default all)")
    args = parser.parse_args(argv)
    work = Path(args.work or tempfile.mkdtemp(prefix="faults-"))
    disk = work / "disk"
    disk.mkdir(parents=True, exist_ok=True)
    # One home for every scenario, on a disk of a fixed size where that can be had.
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1g", "tmpfs", str(disk)]).returncode == 0
    home = disk / "home"
    mirror = Mirror()
    rows = []
    try:
        base = run_build(home, logs=LOGS, log_name="00-baseline")
        if base["exit"] != 0:
            raise SystemExit(f"the baseline build failed:\n{base['stderr'][-3000:]}")
        for name, scenario in SCENARIOS.items():
            if args.only and name not in args.only:
                continue
            if name == "disk" and args.disk_cases:
                rows += disk_full(home, mirror, [DISK_CASES[i - 1] for i in args.disk_cases])
            else:
                rows += scenario(home, mirror)
    finally:
        mirror.close()
        if mounted:
            subprocess.run(["umount", "-l", str(disk)], check=False)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=1, default=str))
    return 0 if all(r.get("passed") or r.get("skipped") for r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
