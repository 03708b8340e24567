"""The build database (written by the pipeline alone) and the published, read-only warehouse.

Researchers open only the published file. It is replaced by an atomic rename of a fresh,
compacted copy, so an open connection keeps reading the release it opened, and a failed check or
a crash leaves the published file as it was.
"""
from __future__ import annotations

import fcntl
import json
import os
import re
import signal
import subprocess
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import polars as pl

from sources.settings import PROJECT_ROOT, Paths, settings

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
PUBLIC_SCHEMAS = ("main", "raw", "audit")


def ident(name: str) -> str:
    """Quote an identifier after checking it: nothing unvalidated reaches SQL."""
    if not isinstance(name, str) or not _IDENT.fullmatch(name):
        raise ValueError(f"{name!r} is not a valid SQL identifier (letters, digits, underscore)")
    return f'"{name}"'


def sql_text(value: str) -> str:
    """A string literal for a statement that takes no parameters (COMMENT ON ... IS)."""
    return "'" + str(value).replace("'", "''") + "'"


# What each audit table and column says, written where the table is created (dbt documents the
# rest of the warehouse; these tables are Python's).
AUDIT_COMMENTS = {
    "check_results": ("The latest outcome of every data check of the build; the publish gate reads it.", {
        "check_name": "The check's name (an asset check or a dbt test group).",
        "asset": "The asset the check belongs to.",
        "passed": "True where the check passed.",
        "blocking": "True where a failure stops the publish.",
        "details": "JSON: what the check found (failing rows, counts).",
        "run_id": "The Dagster run that ran the check.",
        "checked_at": "When the check ran.",
    }),
    "release": ("This published release: its id, when it was published, the code version and the manifest "
                "(row counts, snapshots, checks, changes since the previous release).", {
        "release_id": "The release's id (UTC time of publishing, e.g. 20240101T120000000000Z).",
        "published_at": "When the release was published.",
        "code_version": "The git commit of the code that built it.",
        "manifest": "JSON: row counts per table, snapshots with checksums, checks, the previous release "
                    "and the changes since it.",
    }),
    "release_changes": ("What this release adds, removes and revises against the previous published release, "
                        "row by row (empty for a first release).", {
        "table_name": "The table compared.",
        "row_key": "JSON: the row's key columns and values.",
        "change": "added, removed or revised.",
        "old_values": "JSON: the compared columns in the previous release (empty for an added row).",
        "new_values": "JSON: the compared columns in this release (empty for a removed row).",
    }),
}


def comment_audit_table(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Write the table's and its columns' comments (AUDIT_COMMENTS) on audit.<table>."""
    text, columns = AUDIT_COMMENTS[table]
    target = f"audit.{ident(table)}"
    con.execute(f"comment on table {target} is {sql_text(text)}")
    for column, comment in columns.items():
        con.execute(f"comment on column {target}.{ident(column)} is {sql_text(comment)}")


def carry_comments(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> int:
    """Copy the comments of a table and its columns from an attached database to the same table of
    the current one: `create table as select` carries data, not comments. Returns how many were
    written. Names come from DuckDB's catalogue and are still checked by ident(); a column whose
    name ident() refuses keeps its data and loses only its comment."""
    target = f"{ident(schema)}.{ident(table)}"
    written = 0
    for (comment,) in con.execute(
            "select comment from duckdb_tables() where database_name = ? and schema_name = ? and table_name = ?"
            " and coalesce(comment, '') <> ''", [database, schema, table]).fetchall():
        con.execute(f"comment on table {target} is {sql_text(comment)}")
        written += 1
    for column, comment in con.execute(
            "select column_name, comment from duckdb_columns() where database_name = ? and schema_name = ?"
            " and table_name = ? and coalesce(comment, '') <> '' order by column_index",
            [database, schema, table]).fetchall():
        try:
            quoted = ident(column)
        except ValueError:
            continue
        con.execute(f"comment on column {target}.{quoted} is {sql_text(comment)}")
        written += 1
    return written


def memory_limit() -> str:
    """What the build's DuckDB connections may take before they spill to disk (dbt's profile reads
    the same variable)."""
    return settings().duckdb_memory_limit


@contextmanager
def connect(path: Path, read_only: bool = False):
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only, config={"memory_limit": memory_limit()})
    try:
        yield con
    finally:
        con.close()


def _untyped_as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """A column no row fills has no type of its own: store it as text, not as DuckDB's NULL type."""
    return frame.with_columns([pl.col(c).cast(pl.Utf8) for c, t in frame.schema.items() if t == pl.Null])


def write_table(con: duckdb.DuckDBPyConnection, schema: str, table: str, frame: pl.DataFrame) -> int:
    """Replace a table with a frame, in one transaction."""
    con.execute(f"create schema if not exists {ident(schema)}")
    target = f"{ident(schema)}.{ident(table)}"
    frame = _untyped_as_text(frame)
    con.execute("begin")
    try:
        con.register("_frame", frame.to_arrow())
        con.execute(f"create or replace table {target} as select * from _frame")
        con.unregister("_frame")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return frame.height


# A table being written in parts; one left by a killed build is never published.
LOADING_PREFIX = "_loading_"


class TableParts:
    """A table written one frame at a time, so that a family of large files is never held in memory
    at once: the parts go to a loading table, which replaces the target in one transaction at the
    end (`table_by_parts`). Every part must have the first part's column types."""

    def __init__(self, con: duckdb.DuckDBPyConnection, schema: str, table: str):
        self.con, self.target = con, f"{ident(schema)}.{ident(table)}"
        self.loading = f"{ident(schema)}.{ident(LOADING_PREFIX + table)}"
        self.schema: dict[str, pl.DataType] | None = None
        self.rows, self.created = 0, False

    def append(self, frame: pl.DataFrame, where: str = "") -> None:
        if self.schema is None:
            frame = _untyped_as_text(frame)
            self.schema = dict(frame.schema)
        else:
            frame = frame.with_columns([pl.col(c).cast(self.schema[c]) for c, t in frame.schema.items()
                                        if t == pl.Null and c in self.schema])
            differ = [f"{c} is {t}, not {self.schema.get(c)}" for c, t in frame.schema.items() if self.schema.get(c) != t]
            if differ:
                raise ValueError(f"{self.target}: a part{where} does not have the table's columns: {'; '.join(differ)}")
        self.con.register("_part", frame.to_arrow())
        try:
            if not self.created:
                self.con.execute(f"create or replace table {self.loading} as select * from _part")
                self.created = True
            else:
                self.con.execute(f"insert into {self.loading} by name select * from _part")
        finally:
            self.con.unregister("_part")
        self.rows += frame.height


@contextmanager
def table_by_parts(con: duckdb.DuckDBPyConnection, schema: str, table: str):
    """Yield a `TableParts`; on success it replaces the table, on an error the table stays as it was."""
    con.execute(f"create schema if not exists {ident(schema)}")
    parts = TableParts(con, schema, table)
    try:
        yield parts
        if not parts.created:
            raise ValueError(f"{parts.target}: no part was written")
        con.execute("begin")
        try:
            con.execute(f"drop table if exists {parts.target}")
            con.execute(f"alter table {parts.loading} rename to {ident(table)}")
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    finally:
        con.execute(f"drop table if exists {parts.loading}")


def record_check(con: duckdb.DuckDBPyConnection, *, check: str, asset: str, passed: bool,
                 blocking: bool, details: dict | None = None, run_id: str | None = None) -> None:
    """Keep the latest outcome of every check: the publish gate reads it."""
    con.execute("create schema if not exists audit")
    con.execute("""create table if not exists audit.check_results (
        check_name varchar primary key, asset varchar, passed boolean, blocking boolean,
        details json, run_id varchar, checked_at timestamptz)""")
    if not con.execute("select comment from duckdb_tables() where schema_name = 'audit' "
                       "and table_name = 'check_results' and database_name = current_database()").fetchone()[0]:
        comment_audit_table(con, "check_results")
    con.execute("insert or replace into audit.check_results values (?, ?, ?, ?, ?, ?, now())",
                [check, asset, passed, blocking, json.dumps(details or {}, default=str), run_id])


class GateClosed(Exception):
    """A blocking check failed or did not run: nothing is published."""


def gate(con: duckdb.DuckDBPyConnection, required: list[str]) -> None:
    try:
        rows = con.execute("select check_name, passed, details from audit.check_results").fetchall()
    except duckdb.CatalogException:
        rows = []
    results = {name: (passed, details) for name, passed, details in rows}
    missing = [c for c in required if c not in results]
    failed = [f"{c}: {results[c][1]}" for c in required if c in results and not results[c][0]]
    if missing or failed:
        raise GateClosed("not publishing: "
                         + "; ".join(([f"checks that did not run: {', '.join(missing)}"] if missing else [])
                                     + ([f"failed checks: {' | '.join(failed)}"] if failed else [])))


def code_version() -> str:
    try:
        out = subprocess.run(["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=5)
        return out.stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def fault(point: str) -> None:
    """Crash tests: `UNODC_FAULT=<point>` makes the build kill itself with SIGKILL at that point,
    so a crash at an exact moment of publishing can be reproduced (RELIABILITY.md lists the points)."""
    if settings().fault == point:
        kill_build()


def kill_build() -> None:
    """SIGKILL the whole build: under `unodc-indicators run` the build is a child of the command's
    own process (cli.run_in_child), and a fault point stands for the whole build killed."""
    if os.environ.get("UNODC_RUN_CHILD") == "1":
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)


def recover(paths: Paths) -> list[str]:
    """Undo what a build killed while publishing left behind: its temporary copy, and a release
    swapped in but not yet kept. Builds run one at a time (build lock, run queue), so whatever
    is found here belongs to a dead build."""
    done = []
    for stale in sorted(paths.warehouse_dir.glob(".publish-*")) + sorted(paths.warehouse_dir.glob(".CURRENT-*.tmp")):
        stale.unlink()
        done.append(f"removed {stale.name}")
    # A snapshot write killed before its rename: the file under its final name was never made.
    for stale in sorted(paths.snapshots.rglob(".tmp-*")) if paths.snapshots.exists() else []:
        stale.unlink()
        done.append(f"removed the unfinished snapshot write {stale.relative_to(paths.snapshots)}")
    found = published_release(paths)
    if found:
        from .releases import keep_release, releases_dir

        release_id, manifest = found
        folder = releases_dir(paths) / release_id
        try:
            json.loads((folder / "manifest.json").read_text())
        except (OSError, ValueError):
            # Killed between linking the file and writing its manifest: link and write again.
            (folder / "indicators.duckdb").unlink(missing_ok=True)
            keep_release(paths, paths.published_db, manifest)
            done.append(f"kept release {release_id}")
        # Killed after keeping the release and before naming it current (or a warehouse published
        # before the pointer existed): `connect()` readers are pointed at it now.
        from .reader import POINTER, write_pointer

        pointer = paths.warehouse_dir / POINTER
        if (folder / "indicators.duckdb").exists() and (
                not pointer.exists() or pointer.read_text().strip() != release_id):
            write_pointer(paths.warehouse_dir, release_id)
            done.append(f"named release {release_id} current")
    return done


def publish(paths: Paths, required_checks: list[str]) -> dict:
    """Copy the checked build into a fresh file and swap it into the stable path atomically."""
    with connect(paths.build_db) as build:
        gate(build, required_checks)
    paths.warehouse_dir.mkdir(parents=True, exist_ok=True)
    recover(paths)
    fault("publish:before_copy")
    release_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    tmp = paths.warehouse_dir / f".publish-{uuid.uuid4().hex}.duckdb"
    counts: dict[str, int] = {}
    try:
        con = duckdb.connect(str(tmp), config={"memory_limit": memory_limit()})
        try:
            con.execute(f"attach '{_sql_path(paths.build_db)}' as build (read_only)")
            tables = con.execute("""select schema_name, table_name from duckdb_tables()
                                    where database_name = 'build' order by 1, 2""").fetchall()
            for schema, table in tables:
                if schema not in PUBLIC_SCHEMAS or table.startswith(LOADING_PREFIX):
                    continue
                con.execute(f"create schema if not exists {ident(schema)}")
                con.execute(f"create table {ident(schema)}.{ident(table)} as "
                            f"select * from build.{ident(schema)}.{ident(table)}")
                carry_comments(con, "build", schema, table)
                counts[f"{schema}.{table}" if schema != "main" else table] = con.execute(
                    f"select count(*) from {ident(schema)}.{ident(table)}").fetchone()[0]
                if len(counts) == 5:
                    fault("publish:during_copy")
            con.execute("detach build")
            previous = _previous_release(paths)
            changes = _record_changes(con, paths) if previous else _no_changes(con)
            snapshots = con.execute("select snapshot_name, sha256 from main.dim_snapshot order by 1").fetchall() \
                if "dim_snapshot" in counts else []
            checks = con.execute("select check_name, passed, blocking from audit.check_results order by 1").fetchall() \
                if "audit.check_results" in counts else []
            manifest = {"release_id": release_id, "published_at": datetime.now(timezone.utc).isoformat(),
                        "code_version": code_version(), "row_counts": counts,
                        "previous_release": previous, "changes_since_previous": changes,
                        "snapshots": [{"name": n, "sha256": s} for n, s in snapshots],
                        "checks": [{"check": c, "passed": p, "blocking": b} for c, p, b in checks],
                        "required_checks": required_checks}
            con.execute("create table audit.release as select ?::varchar as release_id, "
                        "?::timestamptz as published_at, ?::varchar as code_version, ?::json as manifest",
                        [release_id, manifest["published_at"], manifest["code_version"], json.dumps(manifest)])
            for table in AUDIT_COMMENTS:
                if con.execute("select count(*) from duckdb_tables() where database_name = current_database() "
                               "and schema_name = 'audit' and table_name = ?", [table]).fetchone()[0]:
                    comment_audit_table(con, table)
            con.execute("checkpoint")
        finally:
            con.close()
        os.chmod(tmp, 0o444)
        _fsync(tmp)
        fault("publish:before_replace")
        os.replace(tmp, paths.published_db)
        _fsync(paths.warehouse_dir)
        fault("publish:before_keep")
    finally:
        if tmp.exists():
            tmp.unlink()
    from .releases import keep_release, prune

    keep_release(paths, paths.published_db, manifest)
    # `connect()` readers open the kept, never-renamed file that this pointer names: named only
    # once the release is kept, so a reader never finds the pointer ahead of the file.
    from .reader import write_pointer

    write_pointer(paths.warehouse_dir, release_id)
    fault("publish:before_prune")
    manifest["pruned"] = prune(paths, settings().keep_releases, current=release_id)
    return manifest


def published_release(paths: Paths) -> tuple[str, dict] | None:
    """The published warehouse's release id and manifest, or None when there is none (or no readable one)."""
    if not paths.published_db.exists():
        return None
    try:
        con = duckdb.connect(str(paths.published_db), read_only=True)
        try:
            release_id, manifest = con.execute("select release_id, manifest from audit.release").fetchall()[0]
        finally:
            con.close()
    except (duckdb.Error, IndexError):
        return None
    return release_id, json.loads(manifest)


def _previous_release(paths: Paths) -> str | None:
    found = published_release(paths)
    return found[0] if found else None


def _record_changes(con: duckdb.DuckDBPyConnection, paths: Paths) -> dict:
    """audit.release_changes: what this release adds, removes and revises against the one before."""
    from .releases import DIFFED, diff_sql

    con.execute(f"attach '{_sql_path(paths.published_db)}' as previous_release (read_only)")
    this = con.execute("select current_database()").fetchone()[0].replace('"', '""')
    try:
        con.execute("create table audit.release_changes as "
                    + " union all ".join(diff_sql(t, "previous_release", f'"{this}"') for t in DIFFED))
        counts = con.execute("select table_name, change, count(*) from audit.release_changes group by all").fetchall()
        return {f"{table}.{change}": n for table, change, n in counts}
    except duckdb.Error as exc:
        # An older release without a table or column cannot be compared; say so, do not fail.
        con.execute(f"create or replace table audit.release_changes ({RELEASE_CHANGES_COLUMNS})")
        return {"error": str(exc).splitlines()[0]}
    finally:
        con.execute("detach previous_release")


RELEASE_CHANGES_COLUMNS = ("table_name varchar, row_key json, change varchar, old_values json, new_values json")


def _no_changes(con: duckdb.DuckDBPyConnection) -> None:
    """A first release has nothing to compare with: its audit.release_changes is there, and empty."""
    con.execute("create schema if not exists audit")
    con.execute(f"create table audit.release_changes ({RELEASE_CHANGES_COLUMNS})")


def _sql_path(path: Path) -> str:
    text = str(path)
    if "'" in text:
        raise ValueError(f"database path {text!r} contains a quote")
    return text


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def wait_for_build_db(paths: Paths, timeout: float = 900.0, log=print) -> None:
    """A build whose main process was killed alone leaves dbt running on with the build database
    open; the next build waits for it to finish instead of failing on DuckDB's file lock."""
    import time

    deadline = time.monotonic() + timeout
    said = False
    while True:
        try:
            with connect(paths.build_db):
                return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            if not said:
                log(f"waiting for a dead build's process to release {paths.build_db}: {str(exc).splitlines()[-1]}")
                said = True
            time.sleep(2)


class BuildLocked(RuntimeError):
    """Another build of this home is running: a second one refuses at once."""


@contextmanager
def build_lock(paths: Paths):
    """One build at a time per home: a second build refuses at once instead of corrupting the first."""
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    fh = open(paths.lock_file, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise BuildLocked(f"another build holds {paths.lock_file}; not starting a second one") from None
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
