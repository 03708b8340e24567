"""The exports and the scorecard site of one release, one after the other in one process against
side by side (the site in `python -m report`, as the build's `release_outputs` step writes them),
alternating.

    .venv/bin/python -m bench.outputs HOME [--runs 3]

HOME is a built home (its published release is read, the exports without a release to compare
with); the outputs go to a temporary folder.
Prints one JSON line per run and the medians with their ratio.
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

from exports.run import export
from report.build import build_site

ROOT = Path(__file__).resolve().parent.parent


def one_after_the_other(db: Path, out: Path) -> None:
    export(db, out / "exports")
    build_site(db, out / "site")


def side_by_side(db: Path, out: Path) -> None:
    site = subprocess.Popen([sys.executable, "-m", "report", str(db), str(out / "site")], cwd=ROOT,
                            stdout=subprocess.DEVNULL)
    export(db, out / "exports")
    if site.wait() != 0:
        raise SystemExit("the site's process failed")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("home")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    db = (Path(args.home) / "warehouse" / "indicators.duckdb").resolve()
    ways = {"one after the other": one_after_the_other, "side by side": side_by_side}
    seconds: dict[str, list[float]] = {k: [] for k in ways}
    work = Path(tempfile.mkdtemp(prefix="unodc-outputs-"))
    try:
        for i in range(args.runs):
            for name in (list(ways) if i % 2 == 0 else list(reversed(ways))):
                out = work / f"{i}-{name.replace(' ', '_')}"
                started = time.perf_counter()
                ways[name](db, out)
                seconds[name].append(time.perf_counter() - started)
                shutil.rmtree(out)
                print(json.dumps({"run": i, "way": name, "wall_s": round(seconds[name][-1], 2),
                                  "load_avg_1": round(os.getloadavg()[0], 2)}), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    before, after = (statistics.median(seconds[k]) for k in ways)
    print(f"\n| exports and site of one release | one after the other | side by side | ratio |\n|---|---:|---:|---:|\n"
          f"| wall (median of {args.runs}) | {before:.2f} s | {after:.2f} s | {after / before:.2f} |")


if __name__ == "__main__":
    main()
