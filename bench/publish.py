"""What publishing costs, by way of copying: the options DuckDB allows, measured side by side on one
checked build database (and the release published before it).

    .venv/bin/python -m bench.publish HOME [--runs 3]

HOME is a home a build has run in (`unodc-indicators run --home HOME`): its var/build/build.duckdb
is the checked build, its warehouse/indicators.duckdb the previous release. Both are copied into a
scratch folder first and only read there. Each option writes a new file holding the public tables
(schemas main, raw, audit; no loading table) with their comments, as the publish step must:

- fresh copy: every public table created in a new file from the attached build (`create table as`),
  its comments carried; every table compressed again (the publish step before issue 19);
- file copy: the build file's bytes copied, then what is not public dropped and a checkpoint;
- copy from database: `COPY FROM DATABASE` of the attached build into a new file, then what is not
  public dropped;
- previous release reused: the previous release's bytes copied, then only the tables whose columns,
  row count or content checksum differ from the build's are dropped and created again.

The options run in turn, in an order that rotates from one run to the next, each in a process of its
own. Every output is checked against the fresh copy (same tables, same row counts, same content
checksums, same comments) before its time counts. Prints one JSON line per run and a Markdown table
of medians (min-max), the output's size and the load average.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PUBLIC = ("main", "raw", "audit")
LOADING = "_loading_"
OPTIONS = ("fresh copy", "file copy", "copy from database", "previous release reused")


def _public_tables(con, database: str) -> list[tuple[str, str]]:
    rows = con.execute("select schema_name, table_name from duckdb_tables() where database_name = ? order by 1, 2",
                       [database]).fetchall()
    return [(s, t) for s, t in rows if s in PUBLIC and not t.startswith(LOADING)]


def _drop_private(con, database: str) -> None:
    """Leave only the public tables in `database`: views, other schemas and loading tables go."""
    from orchestration.warehouse.database import ident

    for schema, view in con.execute("select schema_name, view_name from duckdb_views() where database_name = ? "
                                    "and not internal", [database]).fetchall():
        con.execute(f"drop view if exists {ident(database)}.{ident(schema)}.{ident(view)}")
    for schema, table in con.execute("select schema_name, table_name from duckdb_tables() where database_name = ?",
                                     [database]).fetchall():
        if schema not in PUBLIC or table.startswith(LOADING):
            con.execute(f"drop table {ident(database)}.{ident(schema)}.{ident(table)}")
    for (schema,) in con.execute("select schema_name from duckdb_schemas() where database_name = ? and not internal",
                                 [database]).fetchall():
        if schema not in PUBLIC:
            con.execute(f"drop schema {ident(database)}.{ident(schema)}")


def fresh_copy(build: Path, previous: Path, out: Path) -> None:
    import duckdb

    from orchestration.warehouse.database import carry_comments, ident

    con = duckdb.connect(str(out), config={"memory_limit": "2GB"})
    con.execute(f"attach '{build}' as build (read_only)")
    for schema, table in _public_tables(con, "build"):
        con.execute(f"create schema if not exists {ident(schema)}")
        con.execute(f"create table {ident(schema)}.{ident(table)} as select * from build.{ident(schema)}.{ident(table)}")
        carry_comments(con, "build", schema, table)
    con.execute("detach build")
    con.execute("checkpoint")
    con.close()


def file_copy(build: Path, previous: Path, out: Path) -> None:
    import duckdb

    shutil.copyfile(build, out)
    con = duckdb.connect(str(out), config={"memory_limit": "2GB"})
    _drop_private(con, con.execute("select current_database()").fetchone()[0])
    con.execute("checkpoint")
    con.close()


def copy_from_database(build: Path, previous: Path, out: Path) -> None:
    import duckdb

    con = duckdb.connect(config={"memory_limit": "2GB"})
    con.execute(f"attach '{build}' as build (read_only)")
    con.execute(f"attach '{out}' as pub")
    con.execute("copy from database build to pub")
    _drop_private(con, "pub")
    con.execute("checkpoint pub")
    con.close()


def content(con, database: str, schema: str, table: str) -> tuple:
    """Columns with their types, row count and an order-free checksum of every row."""
    from orchestration.warehouse.database import ident

    columns = con.execute("select column_name, data_type from duckdb_columns() where database_name = ? and "
                          "schema_name = ? and table_name = ? order by column_index", [database, schema, table]).fetchall()
    count, checksum = con.execute(f"select count(*), sum(hash(t)::hugeint) from {ident(database)}.{ident(schema)}."
                                  f"{ident(table)} as t").fetchone()
    return tuple(columns), count, checksum


def previous_reused(build: Path, previous: Path, out: Path) -> None:
    import duckdb

    from orchestration.warehouse.database import carry_comments, ident

    shutil.copyfile(previous, out)
    os.chmod(out, 0o644)
    con = duckdb.connect(str(out), config={"memory_limit": "2GB"})
    this = con.execute("select current_database()").fetchone()[0]
    con.execute(f"attach '{build}' as build (read_only)")
    wanted = _public_tables(con, "build")
    for schema, table in _public_tables(con, this):
        if (schema, table) not in wanted:
            con.execute(f"drop table {ident(schema)}.{ident(table)}")
    have = set(_public_tables(con, this))
    for schema, table in wanted:
        target = f"{ident(schema)}.{ident(table)}"
        if (schema, table) in have:
            if content(con, this, schema, table) == content(con, "build", schema, table):
                carry_comments(con, "build", schema, table)
                continue
            con.execute(f"drop table {target}")
        con.execute(f"create schema if not exists {ident(schema)}")
        con.execute(f"create table {target} as select * from build.{ident(schema)}.{ident(table)}")
        carry_comments(con, "build", schema, table)
    con.execute("detach build")
    con.execute("checkpoint")
    con.close()


FUNCTIONS = dict(zip(OPTIONS, (fresh_copy, file_copy, copy_from_database, previous_reused)))


def describe(path: Path) -> dict:
    """What a published file holds: per table its content (columns, rows, checksum) and comments."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        db = con.execute("select current_database()").fetchone()[0]
        out = {}
        for schema, table in _public_tables(con, db):
            comments = con.execute("select comment from duckdb_tables() where database_name = ? and schema_name = ? "
                                   "and table_name = ?", [db, schema, table]).fetchall() + con.execute(
                "select column_name, comment from duckdb_columns() where database_name = ? and schema_name = ? and "
                "table_name = ? order by column_index", [db, schema, table]).fetchall()
            out[f"{schema}.{table}"] = repr((content(con, db, schema, table), comments))
        extra = con.execute("select count(*) from duckdb_views() where database_name = ? and not internal",
                            [db]).fetchone()[0]
        return {"tables": out, "views": extra}
    finally:
        con.close()


def one(option: str, build: Path, previous: Path, out: Path) -> dict:
    """Run one option in a process of its own; wall time measured inside it, after the imports."""
    code = ("import json, sys, time; from pathlib import Path; from bench.publish import FUNCTIONS; "
            "f = FUNCTIONS[sys.argv[1]]; t = time.perf_counter(); "
            "f(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])); "
            "print(json.dumps({'seconds': time.perf_counter() - t}))")
    out.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", code, option, str(build), str(previous), str(out)],
                          cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        return {"option": option, "error": done.stderr[-1500:]}
    return {"option": option, "seconds": json.loads(done.stdout.strip().splitlines()[-1])["seconds"],
            "mib": out.stat().st_size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("home", help="a home a build has run in (var/build/build.duckdb, warehouse/indicators.duckdb)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--options", default=",".join(OPTIONS), help="comma-separated, of: " + ", ".join(OPTIONS))
    args = parser.parse_args()
    home = Path(args.home)
    options = [o.strip() for o in args.options.split(",")]
    work = Path(tempfile.mkdtemp(prefix="unodc-publish-"))
    try:
        build, previous = work / "build.duckdb", work / "previous.duckdb"
        shutil.copyfile(home / "var" / "build" / "build.duckdb", build)
        wal = home / "var" / "build" / "build.duckdb.wal"
        if wal.exists():
            shutil.copyfile(wal, work / "build.duckdb.wal")
        shutil.copyfile(home / "warehouse" / "indicators.duckdb", previous)
        import duckdb

        duckdb.connect(str(build)).execute("checkpoint").close()
        reference = None
        times: dict[str, list[float]] = {o: [] for o in options}
        sizes: dict[str, float] = {}
        load = {"start": os.getloadavg()}
        for run in range(args.runs):
            order = options[run % len(options):] + options[:run % len(options)]
            for option in order:
                out = work / f"out_{OPTIONS.index(option)}.duckdb"
                result = one(option, build, previous, out)
                result["load_1min"] = os.getloadavg()[0]
                print(json.dumps({"run": run, **result}), flush=True)
                if "error" in result:
                    raise SystemExit(f"{option} failed:\n{result['error']}")
                held = describe(out)
                if reference is None:
                    reference = describe(work / "reference.duckdb") if (work / "reference.duckdb").exists() else None
                if reference is None:
                    fresh_copy(build, previous, work / "reference.duckdb")
                    reference = describe(work / "reference.duckdb")
                if held != reference:
                    differ = sorted(k for k in set(held["tables"]) | set(reference["tables"])
                                    if held["tables"].get(k) != reference["tables"].get(k))
                    raise SystemExit(f"{option}: the output differs from the fresh copy: {differ[:10]} "
                                     f"(views {held['views']} against {reference['views']})")
                times[option].append(result["seconds"])
                sizes[option] = result["mib"]
        load["end"] = os.getloadavg()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    import statistics

    base = statistics.median(times[OPTIONS[0]]) if times.get(OPTIONS[0]) else None
    print(f"\nPublish copy of {home} ({len(reference['tables'])} public tables), {args.runs} run(s) each, "
          f"{os.cpu_count()} cores, load average {load['start'][0]:.1f} at the start, {load['end'][0]:.1f} at the end "
          f"({time.strftime('%Y-%m-%d %H:%M %Z')}).\n")
    print("| option | seconds, median (min–max) | file | ÷ fresh copy |\n|---|---:|---:|---:|")
    for option in options:
        m = statistics.median(times[option])
        ratio = f"{m / base:.2f}" if base else ""
        print(f"| {option} | {m:.2f} ({min(times[option]):.2f}–{max(times[option]):.2f}) | "
              f"{sizes[option]:.1f} MiB | {ratio} |")


if __name__ == "__main__":
    main()
