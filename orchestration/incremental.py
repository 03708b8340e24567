"""A change rebuilds what depends on it: which families a build must load again, decided from what
the build database holds and what the published release was built from.

The build database keeps, in schema `build_state` (never published), one mark per input:

- `family:<name>`, written by the family's raw-tables asset once all its tables are written (and
  deleted when it starts): the snapshots it read and the code it ran. Its tables hold exactly those.
- `published`, written by the publish asset once a release is in place: the release id, the code
  version, the year (a dbt model counts years up to the current one), the registry's tables and,
  per family, its snapshots and the content of its snapshot list (stale flags and fetch errors
  included). Deleted when dbt starts: a dbt run that did not publish leaves models of unknown
  state. Every step that writes the build database with other code deletes it too.

A build then rebuilds only the families whose inputs differ from the `published` mark (or whose own
mark does not match what they read now), the dbt models downstream of their raw tables, and the
publish; any doubt, the `published` mark missing or of another release or code, the registry or the
year changed, is a full build, and the reason is said.
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import metadata

import duckdb

from sources.settings import PROJECT_ROOT, Paths

from .warehouse.database import connect, ident

SCHEMA = "build_state"
PUBLISHED = "published"
# Written by the dbt step as it starts: its run, and the release whose state the build database
# was in (the `published` mark it drops) when dbt ran on a subset; the publish starts from that
# release's file when it is still the published one.
DBT_RUN = "dbt_run"
# What a build's result depends on besides its data: the project's code and the libraries that run it.
CODE_FOLDERS = ("orchestration", "sources", "schemas", "dbt_project/macros", "dbt_project/models",
                "dbt_project/seeds", "dbt_project/tests")
CODE_FILES = ("dbt_project/dbt_project.yml", "dbt_project/profiles.yml")
CODE_SUFFIXES = {".py", ".sql", ".yml", ".yaml", ".csv", ".json", ".txt", ".md"}
LIBRARIES = ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "polars", "pandera", "pyarrow")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of every file of the code a build runs (the bundled snapshots are data, compared as
    snapshots), of the libraries' installed versions and of the Python version."""
    digest = hashlib.sha256(f"python {sys.version.split()[0]}\n".encode())
    for name in LIBRARIES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "absent"
        digest.update(f"library {name} {version}\n".encode())
    files = [PROJECT_ROOT / f for f in CODE_FILES if (PROJECT_ROOT / f).exists()]
    for folder in CODE_FOLDERS:
        for path in (PROJECT_ROOT / folder).rglob("*"):
            rel = path.relative_to(PROJECT_ROOT).as_posix()
            if (path.is_file() and path.suffix in CODE_SUFFIXES and "__pycache__" not in rel
                    and not rel.startswith("sources/bundled/")):
                files.append(path)
    for path in sorted(set(files)):
        digest.update(f"file {path.relative_to(PROJECT_ROOT).as_posix()} ".encode())
        digest.update(hashlib.sha256(path.read_bytes()).hexdigest().encode() + b"\n")
    return digest.hexdigest()


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"create schema if not exists {SCHEMA}")
    con.execute(f"create table if not exists {SCHEMA}.marks (name varchar primary key, value json, "
                "written_at timestamptz)")


def read_marks(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    try:
        rows = con.execute(f"select name, value from {SCHEMA}.marks").fetchall()
    except duckdb.CatalogException:
        return {}
    return {name: json.loads(value) for name, value in rows}


def write_mark(con: duckdb.DuckDBPyConnection, name: str, value: dict) -> None:
    _ensure(con)
    con.execute(f"insert or replace into {SCHEMA}.marks values (?, ?, now())", [name, json.dumps(value)])


def drop_mark(con: duckdb.DuckDBPyConnection, name: str) -> None:
    _ensure(con)
    con.execute(f"delete from {SCHEMA}.marks where name = ?", [name])


def touched(con: duckdb.DuckDBPyConnection) -> None:
    """Called by every step that writes the build database: a step of other code than the release's
    makes the next build a full one (its checks' outcomes and tables are of that code)."""
    mark = read_marks(con).get(PUBLISHED)
    if mark is not None and mark.get("code") != code_version():
        drop_mark(con, PUBLISHED)


def family_key(snapshots) -> str:
    """The snapshots a family's raw tables are read from: names and checksums."""
    return hashlib.sha256(json.dumps(sorted((s.name, s.sha256) for s in snapshots)).encode()).hexdigest()


def table_digest(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> str | None:
    """The content of a small table (a snapshot list, the registry), whatever its row order; None when absent."""
    target = f"{ident(schema)}.{ident(table)}"
    try:
        (text,) = con.execute(f"select md5(coalesce(string_agg(t::varchar, chr(10) order by t::varchar), '')) "
                              f"from {target} t").fetchone()
    except duckdb.CatalogException:
        return None
    return text


def _registry_tables(con) -> list[str]:
    return [t for (t,) in con.execute(
        "select table_name from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'raw' and table_name like 'registry\\_%' escape '\\' order by 1").fetchall()]


def inputs_now(con: duckdb.DuckDBPyConnection, where: Paths) -> dict:
    """What a build would read now, family by family, and the registry's tables."""
    from sources.family import with_raw_tables
    from sources.snapshots import SnapshotStore

    listed = SnapshotStore(where.snapshots).list()
    return {
        "families": {f.name: {"snapshots": family_key([s for s in listed if s.family == f.name]),
                              "list": table_digest(con, "raw", f.snapshots.name)}
                     for f in with_raw_tables()},
        "registry": {t: table_digest(con, "raw", t) for t in _registry_tables(con)},
    }


@dataclass
class Plan:
    full: bool
    reason: str
    changed: list[str] = field(default_factory=list)   # the families loaded again (a full build: all)
    kept: list[str] = field(default_factory=list)      # the families whose raw tables and checks are carried
    release_id: str | None = None

    def __str__(self) -> str:
        if self.full:
            return f"full build: {self.reason}"
        return (f"incremental build: {self.reason}; loading again: {', '.join(self.changed) or 'no family'}; "
                f"kept as built for release {self.release_id}: {', '.join(self.kept) or 'no family'}")


def plan(where: Paths, full: bool = False, now: dict | None = None) -> Plan:
    """Whether this build may load only the families that changed; the snapshot lists must be
    current (the refresh run wrote them), or `now` says what they will be (orchestration/one_run.py)."""
    from sources.family import with_raw_tables

    from .warehouse.publish import published_release

    names = [f.name for f in with_raw_tables()]
    early = precheck(where, full)
    if early is not None:
        return early
    published = published_release(where)
    with connect(where.build_db) as con:
        marks = read_marks(con)
        now = now or inputs_now(con, where)
    mark = marks[PUBLISHED]
    if mark.get("year") != date.today().year:
        return Plan(True, f"the year changed since the published release was built ({mark.get('year')})", names)
    if mark.get("registry") != now["registry"]:
        return Plan(True, "the registry's tables changed since the published release was built", names)
    if set(mark.get("families", {})) != set(names):
        return Plan(True, "the declared families changed since the published release was built", names)
    changed = []
    for name in names:
        own = marks.get(f"family:{name}")
        if (mark["families"][name] != now["families"][name] or own is None
                or own.get("snapshots") != now["families"][name]["snapshots"] or own.get("code") != code_version()):
            changed.append(name)
    why = (f"{len(changed)} of {len(names)} families changed since release {published[0]}" if changed
           else f"no family changed since release {published[0]}")
    return Plan(False, why, changed, [n for n in names if n not in changed], published[0])


def published_mark(con: duckdb.DuckDBPyConnection, where: Paths, release_id: str) -> dict | None:
    """The `published` mark for a release just published from this build database, or None when a
    family's raw tables are not of the snapshots it would read now (then the next build is full)."""
    now = inputs_now(con, where)
    marks = read_marks(con)
    for name, key in now["families"].items():
        own = marks.get(f"family:{name}")
        if own is None or own.get("snapshots") != key["snapshots"] or own.get("code") != code_version():
            return None
    return {"release_id": release_id, "code": code_version(), "year": date.today().year, **now}


def precheck(where: Paths, full: bool = False) -> Plan | None:
    """A full build known before the refresh run (no need to list the snapshots), else None."""
    from sources.family import with_raw_tables

    from .warehouse.publish import published_release

    names = [f.name for f in with_raw_tables()]
    if full:
        return Plan(True, "asked for (--full)", names)
    if not where.build_db.exists():
        return Plan(True, f"no build database at {where.build_db}", names)
    published = published_release(where)
    if published is None:
        return Plan(True, f"no release is published at {where.published_db}", names)
    with connect(where.build_db) as con:
        mark = read_marks(con).get(PUBLISHED)
    if mark is None:
        return Plan(True, "the build database does not record a complete build that published (a first build, "
                          "or the last build failed, was interrupted or ran other code)", names)
    if mark.get("release_id") != published[0]:
        return Plan(True, f"the build database was built for release {mark.get('release_id')}, "
                          f"the published release is {published[0]}", names)
    if mark.get("code") != code_version():
        return Plan(True, "the code, dbt project or a library changed since the published release was built", names)
    return None


def forget_families(where: Paths) -> None:
    """Before a full build: every family's tables are written whole, none updated by snapshot."""
    if where.build_db.exists():
        with connect(where.build_db) as con:
            _ensure(con)
            con.execute(f"delete from {SCHEMA}.marks where name like 'family:%'")


def selection(defs, changed: list[str], with_lists: bool = False):
    """The assets and checks an incremental build runs: the changed families' raw tables and
    everything downstream of them (dbt models and their tests, the publish, the exports), the checks
    of their snapshot lists and tables, and the publish with what follows it. `with_lists`: their
    snapshot lists too, when no refresh run wrote them before (a night in one run)."""
    import dagster as dg

    from sources.family import with_raw_tables

    from .assets.family import ASSETS

    graph = defs.resolve_asset_graph()
    # The snapshot lists themselves were written by the refresh run this build follows, if any.
    lists = [ASSETS[name].snapshots.key for name in changed]
    snapshot_lists = dg.AssetSelection.assets(*lists)
    loaded = snapshot_lists.downstream() if with_lists else snapshot_lists.downstream() - snapshot_lists
    assets = loaded | dg.AssetSelection.assets(dg.AssetKey(["warehouse", "indicators"])).downstream()
    checks = assets | dg.AssetSelection.checks_for_assets(*lists)
    # A check against the published release is run again whatever changed: the release it
    # compared with is no longer the published one.
    again = [dg.AssetCheckKey(dg.AssetKey(["raw", c.table]), c.name)
             for f in with_raw_tables() for c in f.checks if c.against_release]
    return assets.resolve(graph), checks.resolve_checks(graph) | set(again)


def without_publish(defs):
    """Every asset and check of the build but the publish and what follows it."""
    import dagster as dg

    graph = defs.resolve_asset_graph()
    everything = dg.AssetSelection.all()
    published = dg.AssetSelection.assets(dg.AssetKey(["warehouse", "indicators"])).downstream()
    return (everything - published).resolve(graph), (everything - published).resolve_checks(graph)
