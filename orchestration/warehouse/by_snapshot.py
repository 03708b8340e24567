"""A family's raw tables updated by snapshot, not rewritten whole: the rows of snapshots still read
stay, the rows of snapshots no longer read are deleted, the rows of new snapshots are inserted, all
in one transaction, so that a failure (or a killed build) leaves the tables as they were.

Every table of the family but the lists it makes itself (rewritten, in the same transaction) has a
`snapshot_id` column: each of its rows comes from one snapshot, tagged by the ingest loop.
"""
from __future__ import annotations

from contextlib import contextmanager

import duckdb
import polars as pl

from sources.family import Family

from .database import _untyped_as_text, ident


def held_snapshots(con: duckdb.DuckDBPyConnection, family: Family) -> set[str] | None:
    """The snapshots whose rows the family's tables hold, or None when they must be written whole
    (a table missing, or one without a `snapshot_id` column)."""
    columns: dict[str, set[str]] = {}
    for table, column in con.execute(
            "select table_name, column_name from duckdb_columns() where database_name = current_database() "
            "and schema_name = 'raw'").fetchall():
        columns.setdefault(table, set()).add(column)
    for t in family.tables:
        if t.name not in columns or (t.make is None and "snapshot_id" not in columns[t.name]):
            return None
    return {sid for (sid,) in con.execute(f"select distinct snapshot_id from raw.{ident(family.files)}").fetchall()}


class Inserts:
    """Frames inserted into raw tables by column name, inside the caller's transaction."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con, self.rows = con, {}

    def insert(self, table: str, frame: pl.DataFrame) -> None:
        self.con.register("_part", _untyped_as_text(frame).to_arrow())
        try:
            self.con.execute(f"insert into raw.{ident(table)} by name select * from _part")
        finally:
            self.con.unregister("_part")
        self.rows[table] = self.rows.get(table, 0) + frame.height


@contextmanager
def updated_by_snapshot(con: duckdb.DuckDBPyConnection, family: Family, dropped: set[str]):
    """One transaction: the rows of `dropped` snapshots deleted from the family's tables, then
    whatever the caller inserts (`Inserts`); committed at the end, rolled back on any error."""
    con.execute("begin")
    try:
        if dropped:
            marks = ", ".join("?" * len(dropped))
            for t in family.tables:
                if t.make is None:
                    con.execute(f"delete from raw.{ident(t.name)} where snapshot_id in ({marks})", sorted(dropped))
        yield Inserts(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
