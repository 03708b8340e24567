"""A researcher querying the published warehouse in a loop, as a separate process.

    python -m reliability.readers WAREHOUSE_FILE STOP_FILE RESULT_FILE [PAUSE_SECONDS [NICE [OPEN]]]

Each batch opens a fresh read-only connection (a connection kept open keeps reading the release
it opened), reads the release manifest, counts every table it lists, runs a join, and closes.
A batch is consistent when every count equals the manifest's: it saw one complete release.
Runs until STOP_FILE exists, then writes the tallies as JSON to RESULT_FILE. With NICE > 0 the
reader lowers its own priority and queries on one thread: the test suite runs readers beside a
build on two cores to prove consistency, not to measure contention (the load campaign does that).
OPEN is how a batch opens the warehouse: `path` (default: `duckdb.connect(WAREHOUSE_FILE)`, as a
script that names the published file does) or `connect` (`orchestration.reader.connect`, the way
the README shows: the current release's immutable file, through `warehouse/CURRENT`); with
`connect` the opens it had to retry are counted apart (`retried_opens`).
"""
from __future__ import annotations

import json
import logging
import os
import sys
import time

import duckdb

JOIN = """select d.result_code, count(*) from fct_indicator_values v
          join dim_indicator d using (indicator_code) where v.ref_area_type = 'world' group by 1"""


class OpenFailed(Exception):
    """Opening failed. DuckDB opens a file by its path more than once while it opens it, so an open
    that falls on the instant a new release is renamed over the path can fail with an IO error
    (measured: about 1 open in 1,000 with a swap every 50 ms); opening again succeeds. No query on
    an opened connection is affected, and no batch ever sees a mixed release."""


def open_db(db: str, config: dict, how: str):
    if how == "connect":
        from orchestration.reader import connect

        return connect(os.path.dirname(os.path.dirname(os.path.abspath(db))), config=config)
    return duckdb.connect(db, read_only=True, config=config)


class _Retries(logging.Handler):
    count = 0

    def emit(self, record: logging.LogRecord) -> None:
        _Retries.count += 1


def batch(db: str, config: dict, how: str = "path") -> tuple[str, bool]:
    try:
        con = open_db(db, config, how)
    except duckdb.IOException as exc:
        raise OpenFailed(str(exc).splitlines()[0] if str(exc) else "") from None
    try:
        release_id, manifest = con.execute("select release_id, manifest from audit.release").fetchone()
        counts = json.loads(manifest)["row_counts"]
        tables = list(counts)
        sql = " union all ".join(
            f"select {i} as i, count(*) as n from " + (f'"{t.split(".")[0]}"."{t.split(".")[1]}"' if "." in t
                                                       else f'main."{t}"')
            for i, t in enumerate(tables))
        actual = {tables[i]: n for i, n in con.execute(sql).fetchall()}
        con.execute(JOIN).fetchall()
        return release_id, actual == counts
    finally:
        con.close()


def main(db: str, stop: str, result: str, pause: float = 0.0, nice: int = 0, how: str = "path") -> None:
    retries = logging.getLogger("unodc_indicators.reader")
    retries.addHandler(_Retries())
    retries.setLevel(logging.INFO)
    retries.propagate = False
    latencies, errors, open_errors, inconsistent, releases = [], [], [], 0, {}
    config = {}
    if nice > 0:
        os.nice(nice)
        config = {"threads": 1}
    while not os.path.exists(stop):
        started = time.perf_counter()
        try:
            release_id, consistent = batch(db, config, how)
            latencies.append(time.perf_counter() - started)
            releases[release_id] = releases.get(release_id, 0) + 1
            inconsistent += not consistent
        except OpenFailed as exc:
            open_errors.append(str(exc))
        except Exception as exc:   # every failure is the finding, whatever its kind
            errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        if pause:
            time.sleep(pause)
    with open(result, "w") as fh:
        json.dump({"pid": os.getpid(), "batches": len(latencies), "errors": errors, "open_errors": open_errors,
                   "inconsistent": inconsistent, "open": how, "retried_opens": _Retries.count,
                   "releases": releases, "latencies": latencies}, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]) if len(sys.argv) > 4 else 0.0,
         int(sys.argv[5]) if len(sys.argv) > 5 else 0, sys.argv[6] if len(sys.argv) > 6 else "path")
