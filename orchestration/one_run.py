"""A night that does not fetch, in one Dagster run.

Without a fetch and without a file in a landing folder, the refresh run only stores the bundled
files and writes the snapshot lists, the registry's strategy snapshot and the freshness checks. All
of that is known before Dagster: the bundled files are stored here, each list a refresh would write
is made in memory, and `plan()` compares those lists (stale flags and fetch errors included) with
the published release's, as it compares the lists the refresh run wrote. The build's subset then
writes the changed families' lists itself, and the refresh run (its own start-up, its steps, a
second run to create) is left out.

When anything is less than certain, the night runs as before (a refresh run, then the build):
a fetch, a file in a landing folder, a bundled file that cannot be stored, a list the build
database holds that the refresh would write otherwise while its family is not loaded again, or the
strategy's snapshot list changing.
"""
from __future__ import annotations

import duckdb

from sources.settings import Paths

from .incremental import Plan, inputs_now, plan, table_digest
from .warehouse.database import connect, write_table

REGISTRY_SNAPSHOTS = "registry_snapshots"


def store_bundled(where: Paths, fetch: bool) -> bool:
    """Store every bundled file, as the refresh run would; False when the refresh run has other work
    (a fetch, a landing file) or may fail and must say so (a bundled file refused)."""
    from sources.catalog import import_bundled
    from sources.errors import SnapshotConflict, SourceError
    from sources.family import families
    from sources.snapshots import SnapshotStore

    from .nightly import landing_files

    if fetch or landing_files(where.home):
        return False
    store = SnapshotStore(where.snapshots)
    try:
        for f in families():
            import_bundled(store, f.name)
    except (SnapshotConflict, SourceError, OSError, ValueError):
        return False
    return True


def lists_to_write(where: Paths) -> dict[str, str]:
    """The digest of each table the refresh run would write now (every family's snapshot list and
    the registry's strategy snapshot list), made as it makes them, in a database in memory."""
    from sources import fetch_log
    from sources.catalog import import_bundled
    from sources.family import family, with_raw_tables
    from sources.snapshots import SnapshotStore, snapshot_frame

    store = SnapshotStore(where.snapshots)
    listed, log = store.list(), fetch_log.load(where.home)
    frames = {f.snapshots.name: fetch_log.mark_stale(snapshot_frame([s for s in listed if s.family == f.name]), log)
              for f in with_raw_tables()}
    # The registry lists the strategy's bundled files (stored already: no write), never stale.
    strategy = import_bundled(store, family("strategy").name)
    frames[REGISTRY_SNAPSHOTS] = fetch_log.mark_stale(snapshot_frame(strategy), {})
    con = duckdb.connect()
    try:
        out = {}
        for name, frame in frames.items():
            write_table(con, "raw", name, frame)
            out[name] = table_digest(con, "raw", name)
        return out
    finally:
        con.close()


def plan_without_refresh(where: Paths) -> Plan | None:
    """The plan the refresh run's lists would give, or None when the night must run as before.
    The bundled files are stored already (`store_bundled`)."""
    from sources.family import with_raw_tables

    written = lists_to_write(where)
    with connect(where.build_db) as con:
        held = inputs_now(con, where)
        held_registry = table_digest(con, "raw", REGISTRY_SNAPSHOTS)
    if written[REGISTRY_SNAPSHOTS] != held_registry:
        return None
    now = {"families": {f.name: {**held["families"][f.name], "list": written[f.snapshots.name]}
                        for f in with_raw_tables()},
           "registry": held["registry"]}
    found = plan(where, now=now)
    # A list the refresh would rewrite of a family the build does not load: only two runs keep it right.
    rewritten = {name for name, inputs in held["families"].items() if inputs["list"] != now["families"][name]["list"]}
    if not found.full and rewritten - set(found.changed):
        return None
    return found
