"""An incremental build's release made from the release before: a copy of its file (already
compact), in which only what this build wrote is written again.

A build is incremental here when the build database was, when this build started writing models,
the very state the published release was made from (its `published` mark, same code). Then a public
table the build did not write holds what that release holds, and stays as it is there; the tables
this build wrote (dbt's models that ran, the raw tables of the families loaded again since that
release, the audit tables, and any small table of unknown origin) are replaced from the build
database. A table whose rows are each of one snapshot, a pure function of it (a family's raw
tables, but the lists it makes; a mart its family declares `by_snapshot`, sources/family.py) is
updated by snapshot: the rows of snapshots gone deleted, those of new snapshots inserted. Anything
else is a full publish.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..incremental import DBT_RUN, PUBLISHED, code_version, read_marks
from .database import carry_comments, ident
from .faults import fault


@dataclass
class Basis:
    """What an incremental publish starts from, and which public tables it writes again."""
    release_id: str
    replaced: set[tuple[str, str]] = field(default_factory=set)
    # Of those, the tables updated by snapshot rather than written whole.
    by_snapshot: set[tuple[str, str]] = field(default_factory=set)
    # The marts among them whose release diff compares only the rows of changed snapshots, with the
    # key column one snapshot's rows share.
    diff_by_snapshot: dict[str, str] = field(default_factory=dict)


def basis(build: duckdb.DuckDBPyConnection, published: tuple[str, dict] | None, run_id: str | None,
          dbt_target: Path, dbt_manifest: Path) -> Basis | None:
    """The basis of an incremental publish of this run, or None for a full one."""
    from sources.family import families, published_by_snapshot

    if published is None or run_id is None:
        return None
    release_id, manifest = published
    marks = read_marks(build)
    dbt = marks.get(DBT_RUN)
    if dbt is not None and dbt.get("run_id") == run_id:
        # dbt ran in this run: the build database was the release's state when it started, if at all.
        base, code, models = dbt.get("base"), dbt.get("code"), _models_built(dbt_target / "run_results.json")
        if models is None:
            return None
    elif PUBLISHED in marks:
        # No model written since that release was published from this database.
        base, code, models = marks[PUBLISHED].get("release_id"), marks[PUBLISHED].get("code"), set()
    else:
        return None
    if base != release_id or code != code_version():
        return None
    dbt_tables = _dbt_tables(dbt_manifest)
    if dbt_tables is None:
        return None
    families_since = _loaded_since(build, manifest["published_at"])
    family_tables = {t.name: f.name for f in families() for t in f.tables}
    # A family's raw table is updated by snapshot in the build (by_snapshot.py): each of its rows is
    # of one snapshot, the rows of a snapshot kept are those the release holds. Not the lists the
    # family makes itself.
    raw_by_snapshot = {("raw", t.name) for f in families() for t in f.tables if t.make is None}
    marts = published_by_snapshot()
    replaced = set()
    for schema, table in _tables(build):
        if schema == "main":
            # A dbt model this run did not build is the release's; any other table is small and written again.
            keep = table in dbt_tables and table not in models
        elif schema == "raw":
            keep = table in family_tables and family_tables[table] not in families_since
        else:
            keep = False
        if not keep:
            replaced.add((schema, table))
    by_snapshot = replaced & (raw_by_snapshot | {("main", t) for t in marts})
    return Basis(release_id, replaced, by_snapshot, {t: c for t, c in marts.items() if ("main", t) in replaced})


def _models_built(run_results: Path) -> set[str] | None:
    """The main-schema tables dbt wrote in this build, from its run results (None: unreadable)."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return None
    built = set()
    for r in results:
        if r["unique_id"].startswith(("model.", "seed.", "snapshot.")):
            if r["status"] != "success":
                return None
            schema, name = _relation(r.get("relation_name"))
            if schema == "main":
                built.add(name)
    return built


def _dbt_tables(manifest: Path) -> set[str] | None:
    """Every main-schema relation of the dbt project."""
    try:
        nodes = json.loads(manifest.read_text(encoding="utf-8"))["nodes"]
    except (OSError, ValueError, KeyError):
        return None
    found = set()
    for node in nodes.values():
        if node.get("resource_type") in ("model", "seed", "snapshot"):
            schema, name = _relation(node.get("relation_name"))
            if schema == "main":
                found.add(name)
    return found


def _relation(name: str | None) -> tuple[str | None, str | None]:
    parts = [p.strip('"') for p in (name or "").split(".")]
    return (parts[-2], parts[-1]) if len(parts) >= 2 else (None, None)


def _loaded_since(build: duckdb.DuckDBPyConnection, published_at: str) -> set[str]:
    """The families whose raw tables were written after the release was published (a family's mark
    is written once its tables are; those of the build that made the release, before it)."""
    from ..incremental import SCHEMA

    rows = build.execute(f"select name from {SCHEMA}.marks where name like 'family:%' "
                         "and written_at > ?::timestamptz", [published_at]).fetchall()
    return {name.split(":", 1)[1] for (name,) in rows}


def _tables(con: duckdb.DuckDBPyConnection, database: str | None = None) -> list[tuple[str, str]]:
    from .publish import _public_tables

    return _public_tables(con, database)


# The tables the publish itself writes: made again for every release.
RELEASE_TABLES = (("audit", "release"), ("audit", "release_changes"))


def update_copy(con: duckdb.DuckDBPyConnection, build_db: Path, plan: Basis) -> dict:
    """In a copy of the previous release (`con`), write again what the build wrote; returns what was
    done, table by table. A failure leaves the copy half made: the caller discards it."""
    from .publish import _sql_path

    done: dict[str, str] = {}
    for schema, table in RELEASE_TABLES:
        con.execute(f"drop table if exists {ident(schema)}.{ident(table)}")
    con.execute(f"attach '{_sql_path(build_db)}' as build (read_only)")
    try:
        here = set(_tables(con))
        there = set(_tables(con, "build"))
        for schema, table in sorted(here - there):
            con.execute(f"drop table {ident(schema)}.{ident(table)}")
            done[f"{schema}.{table}"] = "dropped"
        for schema, table in sorted(there):
            if (schema, table) in here and (schema, table) not in plan.replaced:
                continue
            fault("publish:updating_copy")
            target = f"{ident(schema)}.{ident(table)}"
            if (schema, table) in plan.by_snapshot and (schema, table) in here and _same_columns(con, schema, table):
                done[f"{schema}.{table}"] = _by_snapshot(con, target)
                continue
            con.execute(f"create schema if not exists {ident(schema)}")
            con.execute(f"create or replace table {target} as select * from build.{target}")
            carry_comments(con, "build", schema, table)
            done[f"{schema}.{table}"] = "replaced"
    finally:
        con.execute("detach build")
    return done


def _same_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Same columns, types and comments, a `snapshot_id` among them, and the same table comment."""
    def described(db: str) -> list:
        return con.execute("select column_name, data_type, comment from duckdb_columns() where database_name = ? "
                           "and schema_name = ? and table_name = ? order by column_index", [db, schema, table]).fetchall() \
            + con.execute("select comment from duckdb_tables() where database_name = ? and schema_name = ? "
                          "and table_name = ?", [db, schema, table]).fetchall()
    here = con.execute("select current_database()").fetchone()[0]
    mine = described(here)
    return mine == described("build") and any(c[0] == "snapshot_id" for c in mine[:-1])


def _by_snapshot(con: duckdb.DuckDBPyConnection, target: str) -> str:
    """Rows of snapshots the build's table no longer holds deleted, rows of snapshots the release did
    not hold inserted (in the model's order among themselves), in one transaction."""
    con.execute("begin")
    try:
        con.execute(f"create temp table _gone as select distinct snapshot_id from {target} "
                    f"except select distinct snapshot_id from build.{target}")
        con.execute(f"create temp table _new as select distinct snapshot_id from build.{target} "
                    f"except select distinct snapshot_id from {target}")
        gone = con.execute(f"delete from {target} where snapshot_id in (select snapshot_id from _gone)").fetchone()[0]
        added = con.execute(f"insert into {target} select * from build.{target} "
                            "where snapshot_id in (select snapshot_id from _new)").fetchone()[0]
        con.execute("drop table _gone")
        con.execute("drop table _new")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return f"by snapshot: {gone} rows deleted, {added} inserted"
