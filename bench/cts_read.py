"""How reading a UN-CTS file grows with its rows: time and peak memory, median of several runs.

    .venv/bin/python bench/cts_read.py [--runs 3] [--scales 1,4,16]

Each measurement runs in a fresh process (peak memory is that process's maximum resident set).
Scale 1 is the real homicide file (xlsx, 76,338 rows); larger scales repeat its rows in the CSV
form of the same layout, so that no key repeats more than the
original does (each copy's categories carry the copy's number).
"""
from __future__ import annotations

import argparse
import io
import json
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOMICIDE = ROOT / "sources/bundled/crime_statistics/data_cts_intentional_homicide.xlsx"

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, sys.argv[2])
t0 = time.perf_counter()
from sources.crime.cts import parse_cts
data = open(sys.argv[1], "rb").read()
t1 = time.perf_counter()
result = parse_cts(data, filename=sys.argv[1].rsplit("/", 1)[-1])
t2 = time.perf_counter()
print(json.dumps({"rows": result.rows_in, "parse_s": t2 - t1,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def scaled_csv(factor: int, out: Path) -> Path:
    import polars as pl

    from sources.excel import read_sheet_as_text

    _, frame = read_sheet_as_text(HOMICIDE.read_bytes(), HOMICIDE.name)
    preamble, header, body = frame.head(2), frame.row(2), frame.slice(3)
    category = frame.columns[header.index("Category")]
    # Each copy's categories carry its number: every row stays valid, and keys stay distinct.
    copies = [body if i == 0 else body.with_columns((pl.col(category) + f" #{i}").alias(category))
              for i in range(factor)]
    table = pl.concat([preamble, pl.DataFrame([list(header)], schema=frame.columns, orient="row"), *copies])
    buf = io.StringIO()
    table.write_csv(buf, include_header=False)
    out.write_text(buf.getvalue(), encoding="utf-8")
    return out


def measure(path: Path, runs: int) -> dict:
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(ROOT)], capture_output=True, text=True, check=True)
        samples.append(json.loads(out.stdout.strip().splitlines()[-1]))
    times = [s["parse_s"] for s in samples]
    mems = [s["peak_mib"] for s in samples]
    return {"rows": samples[0]["rows"], "bytes": path.stat().st_size,
            "parse_s_median": statistics.median(times), "parse_s_min": min(times), "parse_s_max": max(times),
            "peak_mib_median": statistics.median(mems)}


def main() -> None:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--scales", default="1,4,16")
    args = parser.parse_args()
    results = [{"form": "xlsx", "scale": 1, **measure(HOMICIDE, args.runs)}]
    with tempfile.TemporaryDirectory() as tmp:
        for scale in (int(s) for s in args.scales.split(",")):
            path = scaled_csv(scale, Path(tmp) / f"data_cts_homicide_x{scale}.csv")
            results.append({"form": "csv", "scale": scale, **measure(path, args.runs)})
    import os
    machine = {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    print(json.dumps({"machine": machine, "runs": args.runs, "results": results}, indent=2))


if __name__ == "__main__":
    main()
