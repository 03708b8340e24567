"""The publish step: the checked build's file copied, trimmed to its public tables, made read-only
and swapped into the stable path atomically, kept as a release, and what a killed publish leaves
behind undone.

Researchers open only the published file. An open connection keeps reading the release it opened,
and a failed check or a crash leaves the published file as it was.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from sources.settings import PROJECT_ROOT, Paths, settings

from .database import AUDIT_COMMENTS, LOADING_PREFIX, carry_comments, comment_audit_table, connect, ident, memory_limit
from .faults import fault

PUBLIC_SCHEMAS = ("main", "raw", "audit")


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
        from ..reader import POINTER, write_pointer

        pointer = paths.warehouse_dir / POINTER
        if (folder / "indicators.duckdb").exists() and (
                not pointer.exists() or pointer.read_text().strip() != release_id):
            write_pointer(paths.warehouse_dir, release_id)
            done.append(f"named release {release_id} current")
    return done


def publish(paths: Paths, required_checks: list[str], run_id: str | None = None,
            dbt_manifest: Path | None = None) -> dict:
    """Copy the checked build into a new file, keep its public tables, and swap it into the stable
    path atomically. An incremental build (`run_id` its Dagster run, `dbt_manifest` the dbt
    project's) starts from a copy of the published release instead (from_release.py)."""
    from .from_release import basis, update_copy

    with connect(paths.build_db) as build:
        gate(build, required_checks)
        # The file's bytes are then the whole build: nothing of it is left in its write-ahead log.
        build.execute("checkpoint")
        before = published_release(paths)
        start = basis(build, before, run_id, paths.build_db.parent / "dbt_target",
                      dbt_manifest) if run_id and dbt_manifest else None
    wal = Path(f"{paths.build_db}.wal")
    if wal.exists() and wal.stat().st_size:
        raise RuntimeError(f"{wal} is not empty after a checkpoint: not publishing a copy that would lack it")
    paths.warehouse_dir.mkdir(parents=True, exist_ok=True)
    recover(paths)
    fault("publish:before_copy")
    release_id = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    tmp = paths.warehouse_dir / f".publish-{uuid.uuid4().hex}.duckdb"
    counts: dict[str, int] = {}
    how: dict = {"from": "build"}
    clock = _Clock(how)
    try:
        if start is not None:
            # The release before is compact already; what this build did not write stays as it is there.
            shutil.copyfile(paths.published_db, tmp)
        else:
            # A copy of the file's bytes, not of its tables: writing every table again into a fresh file
            # compresses it all again (8.8 s against 0.8 s at x1 on a loaded host, about a minute at
            # x100; bench/publish.py, BENCHMARKS.md).
            shutil.copyfile(paths.build_db, tmp)
        clock("copy")
        con = duckdb.connect(str(tmp), config={"memory_limit": memory_limit()})
        try:
            if start is not None:
                how.update({"from": f"release {start.release_id}", "tables": update_copy(con, paths.build_db, start)})
            else:
                _keep_public(con)
            clock("update" if start is not None else "trim")
            # A table the incremental publish did not write is the release before's: so is its count.
            known = before[1].get("row_counts", {}) if start is not None and before is not None else {}
            for schema, table in _public_tables(con):
                name = f"{schema}.{table}" if schema != "main" else table
                if name in known and f"{schema}.{table}" not in how["tables"]:
                    counts[name] = known[name]
                else:
                    counts[name] = con.execute(f"select count(*) from {ident(schema)}.{ident(table)}").fetchone()[0]
                if len(counts) == 5:
                    fault("publish:during_copy")
            con.execute("checkpoint")
            how["free_share"] = _free_share(con)
            clock("count")
            if how["free_share"] > (COMPACT_INCREMENTAL_ABOVE if start is not None else COMPACT_ABOVE):
                con.close()
                tmp = _compacted(tmp)
                how["compacted"] = True
                con = duckdb.connect(str(tmp), config={"memory_limit": memory_limit()})
                clock("compact")
            previous = _previous_release(paths)
            changes = _record_changes(con, paths, start.diff_by_snapshot if start else None) if previous \
                else _no_changes(con)
            clock("diff")
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
    from ..reader import write_pointer

    write_pointer(paths.warehouse_dir, release_id)
    fault("publish:before_prune")
    manifest["pruned"] = prune(paths, settings().keep_releases, current=release_id)
    # How it was made (not in the release: a full and an incremental build publish the same one).
    manifest["made"] = how
    return manifest


# Above this share of free blocks (the build's dropped tables, its staging views and seeds, older
# versions of its tables), the copy is compacted: its tables written again into a fresh file.
COMPACT_ABOVE = 0.25
# A copy of the release before holds as free blocks only the old blocks of what was written again
# (30 % at ×10 for a new UN-CTS release), which the next incremental publish fills first: compacting
# it wrote every table again, 25-27 s of a 45-69 s publish at ×10 (BENCHMARKS.md, "Publishing costs
# what changed"). Past half the file free, it is compacted all the same.
COMPACT_INCREMENTAL_ABOVE = 0.5


def _public_tables(con: duckdb.DuckDBPyConnection, database: str | None = None) -> list[tuple[str, str]]:
    where = "database_name = current_database()" if database is None else "database_name = ?"
    rows = con.execute(f"select schema_name, table_name from duckdb_tables() where {where} order by 1, 2",
                       [] if database is None else [database]).fetchall()
    return [(s, t) for s, t in rows if s in PUBLIC_SCHEMAS and not t.startswith(LOADING_PREFIX)]


def _keep_public(con: duckdb.DuckDBPyConnection) -> None:
    """Drop from the copy what researchers do not get: dbt's views and staging schemas, the seeds'
    schema, and a loading table a killed build left."""
    here = "database_name = current_database()"
    for schema, view in con.execute(f"select schema_name, view_name from duckdb_views() where {here} "
                                    "and not internal").fetchall():
        con.execute(f"drop view {ident(schema)}.{ident(view)}")
    public = set(_public_tables(con))
    for schema, table in con.execute(f"select schema_name, table_name from duckdb_tables() where {here}").fetchall():
        if (schema, table) not in public:
            con.execute(f"drop table {ident(schema)}.{ident(table)}")
    for (schema,) in con.execute(f"select schema_name from duckdb_schemas() where {here} and not internal").fetchall():
        if schema not in PUBLIC_SCHEMAS:
            con.execute(f"drop schema {ident(schema)} cascade")


def _free_share(con: duckdb.DuckDBPyConnection) -> float:
    total, free = con.execute("select total_blocks, free_blocks from pragma_database_size() "
                              "where database_name = current_database()").fetchone()
    return round(free / total, 3) if total else 0.0


class _Clock:
    """Seconds of each part of the publish, into `how["seconds"]`."""

    def __init__(self, how: dict):
        self.how, self.last = how, time.perf_counter()
        how["seconds"] = {}

    def __call__(self, part: str) -> None:
        now = time.perf_counter()
        self.how["seconds"][part] = round(now - self.last, 2)
        self.last = now


def _compacted(copy: Path) -> Path:
    """The copy's tables written again into a fresh file, with their comments; the copy removed."""
    fresh = copy.with_name(f".publish-{uuid.uuid4().hex}.duckdb")
    con = duckdb.connect(str(fresh), config={"memory_limit": memory_limit()})
    try:
        con.execute(f"attach '{_sql_path(copy)}' as copy (read_only)")
        for schema, table in _public_tables(con, "copy"):
            con.execute(f"create schema if not exists {ident(schema)}")
            con.execute(f"create table {ident(schema)}.{ident(table)} as "
                        f"select * from copy.{ident(schema)}.{ident(table)}")
            carry_comments(con, "copy", schema, table)
        con.execute("detach copy")
        con.execute("checkpoint")
    finally:
        con.close()
    copy.unlink()
    return fresh


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


def _record_changes(con: duckdb.DuckDBPyConnection, paths: Paths, by_snapshot: dict[str, str] | None = None) -> dict:
    """audit.release_changes: what this release adds, removes and revises against the one before.
    `by_snapshot`: tables whose rows are a pure function of their snapshot, built by the same code
    as the release before: only the rows of the key values whose snapshots changed are compared."""
    from .releases import changed_by_snapshot, diffed, diff_sql

    con.execute(f"attach '{_sql_path(paths.published_db)}' as previous_release (read_only)")
    this = con.execute("select current_database()").fetchone()[0].replace('"', '""')
    try:
        only = {t: (c, changed_by_snapshot(con, t, c, "previous_release", f'"{this}"'))
                for t, c in (by_snapshot or {}).items() if t in diffed()}
        con.execute("create table audit.release_changes as "
                    + " union all ".join(diff_sql(t, "previous_release", f'"{this}"', only.get(t)) for t in diffed()))
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
