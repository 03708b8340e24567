"""The ingest loop of every family without the parse cache, with an empty cache (parse and keep)
and with a full one (read back), in one process, on the bundled snapshots or `UNODC_BUNDLE_DIR`.

    .venv/bin/python -m bench.parse_cache [--runs 3]

Times the loop alone (`sources.ingest.ingest`, the frames handed over file by file dropped): no
Dagster, no DuckDB. Prints one line per family and mode: median (min-max) seconds, and the cache's
size on disk.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sources.catalog import import_bundled
from sources.family import with_raw_tables
from sources.ingest import ingest
from sources.parse_cache import ParseCache
from sources.snapshots import SnapshotStore


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="bench-parse-cache-"))
    try:
        store = SnapshotStore(work / "snapshots")
        families = with_raw_tables()
        for f in families:
            import_bundled(store, f.name)
        print("| family | files | no cache | empty cache (parse and keep) | full cache (read back) | cache size |")
        print("|---|---:|---:|---:|---:|---:|")
        for f in families:
            snaps = [s for s in store.list() if s.family == f.name]
            times: dict[str, list[float]] = {"none": [], "cold": [], "warm": []}
            for run in range(args.runs):
                folder = work / f"cache-{f.name}-{run}"
                for mode, cache in (("none", None), ("cold", folder), ("warm", folder)):
                    start = time.perf_counter()
                    ingest(f, store, snaps, lambda *_: None, ParseCache(cache) if cache else None)
                    times[mode].append(time.perf_counter() - start)
            size = size_of(work / f"cache-{f.name}-0")
            cells = [f"{statistics.median(t):.2f} s ({min(t):.2f}-{max(t):.2f})" for t in times.values()]
            print(f"| {f.name} | {len(snaps)} | {' | '.join(cells)} | {size / 2**20:.1f} MiB |")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
