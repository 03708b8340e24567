"""Readers against a warehouse whose current release changes every few milliseconds.

    .venv/bin/python -m reliability.swap_drill --source warehouse/indicators.duckdb \
        --seconds 60 --interval 0.05 --readers 3 --out reliability/results/swap_drill.json

A build publishes once in a while; this drill publishes every INTERVAL seconds for SECONDS, under
READERS reader processes (`reliability.readers`, no pause between batches), once per way of
publishing and opening:

- `path`: a new file renamed over `warehouse/indicators.duckdb` (`os.replace`, what every
  publish does), readers opening that path;
- `symlink`: `warehouse/indicators.duckdb` a symbolic link to an immutable release file, switched
  by renaming a new link over it; readers opening the link;
- `connect`: each release an immutable file `warehouse/releases/<id>/indicators.duckdb`, named
  by `warehouse/CURRENT` (replaced atomically after the file is in place), old releases pruned
  beyond the newest three, readers using `orchestration.reader.connect` (the published path is
  still swapped as in `path`, for the scripts that name it).

The releases are copies of SOURCE (a published warehouse), each with its own release id, so a
batch that mixed two files would show; each batch counts every table against its manifest.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.reader import write_pointer

from .load import start_readers, stop_readers, summarize

MODES = ("path", "symlink", "connect")


def make_templates(source: Path, work: Path, n: int = 4) -> list[tuple[str, Path]]:
    out = []
    for i in range(n):
        release_id = f"2099010{i + 1}T000000Z"
        path = work / "templates" / f"{release_id}.duckdb"
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
        os.chmod(path, 0o644)
        con = duckdb.connect(str(path))
        con.execute("update audit.release set release_id = ?", [release_id])
        con.execute("checkpoint")
        con.close()
        os.chmod(path, 0o444)
        out.append((release_id, path))
    return out


def new_id() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")


def drill(mode: str, templates: list[tuple[str, Path]], work: Path, seconds: float, interval: float,
          readers: int) -> dict:
    home = work / mode
    warehouse = home / "warehouse"
    releases = warehouse / "releases"
    releases.mkdir(parents=True)
    published = warehouse / "indicators.duckdb"
    kept: list[str] = []

    def publish(i: int) -> None:
        _, template = templates[i % len(templates)]
        if mode == "symlink":
            rid = new_id()
            (releases / rid).mkdir()
            os.link(template, releases / rid / "indicators.duckdb")
            tmp = warehouse / ".link.tmp"
            os.symlink(f"releases/{rid}/indicators.duckdb", tmp)
            os.replace(tmp, published)
            kept.append(rid)
        else:
            tmp = warehouse / ".publish-drill.duckdb"
            os.link(template, tmp)
            os.replace(tmp, published)
            if mode == "connect":
                rid = new_id()
                (releases / rid).mkdir()
                os.link(published, releases / rid / "indicators.duckdb")
                write_pointer(warehouse, rid)
                kept.append(rid)
        # Prune as a publish does: the newest three kept, never the current one.
        while len(kept) > 3:
            shutil.rmtree(releases / kept.pop(0))

    publish(0)
    (work / f"{mode}-readers").mkdir()
    stop, procs = start_readers(published, work / f"{mode}-readers", readers, pause=0.0,
                                how="connect" if mode == "connect" else "path")
    time.sleep(2)  # the readers start (imports) before the swaps do
    swaps, started = 0, time.monotonic()
    while time.monotonic() - started < seconds:
        swaps += 1
        publish(swaps)
        time.sleep(interval)
    results = stop_readers(stop, procs)
    summary = summarize(results)
    summary.pop("latency_ms", None)
    return {"mode": mode, "swaps": swaps, "seconds": seconds, "interval": interval,
            "failed_opens": len(summary["open_errors"]), "failed_queries": len(summary["errors"]), **summary}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=Path("warehouse/indicators.duckdb"))
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--interval", type=float, default=0.05)
    parser.add_argument("--readers", type=int, default=3)
    parser.add_argument("--modes", nargs="+", choices=MODES, default=list(MODES))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="swap-drill-") as tmp:
        work = Path(tmp)
        templates = make_templates(args.source.resolve(), work)
        rows = []
        for mode in args.modes:
            row = drill(mode, templates, work, args.seconds, args.interval, args.readers)
            print(json.dumps({k: v for k, v in row.items() if k not in ("open_errors", "errors")}), flush=True)
            rows.append(row)
    result = {"measured": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cores": os.cpu_count(),
              "load_average": os.getloadavg(), "rows": rows}
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
