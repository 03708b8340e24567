"""A change measured side by side: an earlier revision and this tree, alternating, in one run on
one machine.

    .venv/bin/python -m bench.sidebyside REV [--runs 3] [--scale 10]

Three figures per tree, in a fresh home each run: a cold build, then a nightly run with nothing new,
then a nightly run after one UNTC status file arrived as a newer version (bench/changed.py). The
earlier revision is checked out into a temporary git worktree with its own dbt parse (its own
`prepare_manifest`); both run `python -m orchestration.cli run` on the bundled snapshots (or, with
--scale N, on one copy scaled ×N by this tree's bench/scale.py), with this venv.
Prints one JSON line per run and a Markdown table of medians (min-max) and after ÷ before.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import measure

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def worktree(rev: str, where: Path) -> Path:
    subprocess.run(["git", "worktree", "add", "--detach", str(where), rev], cwd=ROOT, check=True,
                   capture_output=True)
    # The revision's own parse, as its set-up makes it (with the variables its dbt project takes,
    # the families' from this tree's revisions on), and the environment its own profile expects.
    env = {**os.environ, "HOME": str(where / "dbt_project" / "target"), "PYTHONPATH": str(where)}
    env.pop("UNODC_BUILD_DB", None)
    subprocess.run([PY, "-c", "from orchestration.dbt_project import prepare_manifest; prepare_manifest()"],
                   cwd=where, env=env, check=True)
    return where


def one(tree: Path, home: Path, *extra: str, bundle: Path | None = None, cap_mib: float = 8192) -> measure.Sample:
    # `python -m` from the tree's root imports that tree's packages before the installed ones.
    env = {"DAGSTER_HOME": str(home / "dagster_home"), "PYTHONPATH": str(tree)}
    if bundle is not None:
        env["UNODC_BUNDLE_DIR"] = str(bundle)
    sample = measure.run([PY, "-m", "orchestration.cli", "run", "--home", str(home), *extra], env=env,
                         cwd=str(tree), cap_mib=cap_mib)
    if sample.stopped_at_cap:
        raise SystemExit(f"{tree}: run {' '.join(extra)} passed the {cap_mib:.0f} MiB cap and was stopped")
    if sample.returncode != 0:
        raise SystemExit(f"{tree}: run {' '.join(extra)} failed:\n{sample.output[-3000:]}")
    return sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("rev", help="the earlier revision (a commit, tag or branch)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scale", type=int, default=1, help="build on the sources scaled ×N (default 1: the bundle)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="unodc-sidebyside-"))
    bundle = None
    if args.scale > 1:
        from .scale import scale
        bundle = scale(args.scale, work / "bundle")
    # A night with one file changed: one UNTC status file arriving as a newer version (bench/changed.py).
    from .changed import changed_bundles

    changed = changed_bundles(bundle or ROOT / "sources" / "bundled", "ratification", work / "changed", 1,
                              "untc_status")[0]
    kinds = (("cold", (), bundle), ("nightly", ("--if-changed",), bundle), ("changed", ("--if-changed",), changed))
    figures = {(who, what): {"wall_s": measure.Figure(), "peak_mib": measure.Figure()}
               for who in ("before", "after") for what, _, _ in kinds}
    try:
        trees = {"before": worktree(args.rev, work / "before"), "after": ROOT}
        for i in range(args.runs):
            for who, tree in trees.items():
                home = work / f"{who}-{i}"
                for what, extra, source in kinds:
                    s = one(tree, home, *extra, bundle=source)
                    figures[(who, what)]["wall_s"].add(s.wall_s)
                    figures[(who, what)]["peak_mib"].add(s.peak_mib)
                    print(json.dumps({"run": i, "tree": who, "figure": what, "wall_s": round(s.wall_s, 2),
                                      "peak_mib": round(s.peak_mib)}), flush=True)
                shutil.rmtree(home, ignore_errors=True)
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(work / "before")], cwd=ROOT, capture_output=True)
        shutil.rmtree(work, ignore_errors=True)

    def cell(f: measure.Figure, unit: str) -> str:
        s = f.summary()
        return f"{s['median']:.1f} {unit} ({s['min']:.1f}–{s['max']:.1f})"

    print(f"\n| figure | before ({args.rev}) | after (this tree) | after ÷ before |\n|---|---:|---:|---:|")
    for what, label in (("cold", f"cold `run` ×{args.scale}"), ("nightly", "nightly `run --if-changed`, nothing new"),
                        ("changed", "nightly `run --if-changed`, one UNTC status file changed")):
        b, a = figures[("before", what)], figures[("after", what)]
        for key, unit in (("wall_s", "s"), ("peak_mib", "MiB")):
            ratio = a[key].summary()["median"] / b[key].summary()["median"]
            print(f"| {label}, {'wall' if key == 'wall_s' else 'peak memory'} | {cell(b[key], unit)} | "
                  f"{cell(a[key], unit)} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
