"""The build database, written by the pipeline alone: its connections, tables written whole or in
parts, the audit record of every check, and the comments that describe Python's own tables."""
from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path

import duckdb
import polars as pl

from sources.settings import settings

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


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
    record_checks(con, [dict(check=check, asset=asset, passed=passed, blocking=blocking, details=details)], run_id)


def record_checks(con: duckdb.DuckDBPyConnection, outcomes: list[dict], run_id: str | None = None) -> None:
    """Keep the latest outcome of several checks (each a dict of record_check's arguments) in one
    transaction: a commit each cost about 15 ms, a check step records a dozen."""
    con.execute("begin transaction")
    try:
        _check_results_table(con)
        con.executemany("insert or replace into audit.check_results values (?, ?, ?, ?, ?, ?, now())",
                        [[o["check"], o["asset"], o["passed"], o["blocking"],
                          json.dumps(o.get("details") or {}, default=str), run_id] for o in outcomes])
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def _check_results_table(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists audit")
    con.execute("""create table if not exists audit.check_results (
        check_name varchar primary key, asset varchar, passed boolean, blocking boolean,
        details json, run_id varchar, checked_at timestamptz)""")
    if not con.execute("select comment from duckdb_tables() where schema_name = 'audit' "
                       "and table_name = 'check_results' and database_name = current_database()").fetchone()[0]:
        comment_audit_table(con, "check_results")
