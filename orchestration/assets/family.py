"""Every source family's assets and checks, made from its declaration (sources/<package>/family.py):
its snapshot asset (raw.<x>_snapshots), one asset that writes all its raw tables through the one
ingest loop (sources/ingest.py), and its checks in two steps (the pandera schema of every raw table
and of its snapshot list, from their metadata in schemas/; its freshness; the rule checks it
declares)."""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

import dagster as dg
import polars as pl

from sources.family import Family, with_raw_tables
from sources.ingest import ingest, read_snapshots
from sources.parse_cache import ParseCache

from ..checks import as_metadata, family_checks, pandera_check, rule_check, table
from ..freshness import freshness_check
from ..incremental import code_version, drop_mark, family_key, read_marks, touched, write_mark
from ..metadata import rejects_metadata, table_metadata
from ..resources import PipelineResource
from ..warehouse.by_snapshot import held_snapshots, updated_by_snapshot
from ..warehouse.database import connect, ident, table_by_parts, write_table
from .snapshots import family_snapshots, snapshot_asset


def raw_tables_asset(declared: Family) -> dg.AssetsDefinition:
    snapshots = dg.AssetKey(["raw", declared.snapshots.name])
    specs = [dg.AssetSpec(dg.AssetKey(["raw", t.name]), group_name=declared.name, kinds={"python", "duckdb"},
                          deps=[snapshots, *(dg.AssetKey(["raw", name]) for name in t.after)])
             for t in declared.tables]

    @dg.multi_asset(specs=specs, name=declared.tables_asset, description=declared.tables_description)
    def _tables(pipeline: PipelineResource):
        store = pipeline.store()
        cache = ParseCache(pipeline.paths().parse_cache)
        snaps = family_snapshots(store, declared.name)
        with connect(pipeline.paths().build_db) as con:
            touched(con)
            own = read_marks(con).get(f"family:{declared.name}")
            # Its tables are being written: until the end, they are of no known snapshots.
            drop_mark(con, f"family:{declared.name}")
            # Tables written by other code, or by no complete step, are written whole.
            held = held_snapshots(con, declared) if own is not None and own.get("code") == code_version() else None
            if held is None:
                tables, parts = _write_whole(con, declared, store, snaps, cache)
            else:
                tables, parts = _update(con, declared, store, snaps, cache, held)
            write_mark(con, f"family:{declared.name}", {"snapshots": family_key(snaps), "code": code_version()})
        counts = cache.counts.get(declared.name)
        if counts is not None:
            dg.get_dagster_logger().info(
                f"{declared.name}: {counts.reused} parse(s) reused, {counts.parsed} parsed and kept, "
                f"{counts.not_kept} parsed and not kept, {counts.damaged} damaged entries parsed again "
                f"(parse cache {pipeline.paths().parse_cache})")
        for t in declared.tables:
            if t.by_parts:
                meta = table_metadata(pl.DataFrame(schema=parts[t.name][0]), row_count=parts[t.name][1])
            elif t.name == declared.rejects:
                meta = rejects_metadata(tables[t.name])
            else:
                meta = table_metadata(tables[t.name])
            if t.summary is not None:
                meta.update(as_metadata(t.summary(tables)))
            yield dg.MaterializeResult(asset_key=dg.AssetKey(["raw", t.name]), metadata=meta)

    return _tables


def _write_whole(con, declared: Family, store, snaps, cache):
    """Every table of the family written anew from all its snapshots (parses read back from the cache)."""
    with ExitStack() as stack:
        parts = {t.name: stack.enter_context(table_by_parts(con, "raw", t.name))
                 for t in declared.tables if t.by_parts}
        tables = ingest(declared, store, snaps,
                        lambda name, frame, snap: parts[name].append(frame, f" from {snap.name}"), cache)
    for name, frame in tables.items():
        write_table(con, "raw", name, frame)
    return tables, {name: (p.schema or {}, p.rows) for name, p in parts.items()}


def _update(con, declared: Family, store, snaps, cache, held: set[str]):
    """The family's tables updated by snapshot in one transaction: only new snapshots are read."""
    read = {s.snapshot_id for s in read_snapshots(declared, snaps)}
    new = len(read - held)
    with updated_by_snapshot(con, declared, held - read) as inserts:
        tables = ingest(declared, store, snaps, lambda name, frame, snap: inserts.insert(name, frame), cache,
                        held=frozenset(held & read))
        for name, frame in tables.items():
            if declared.table(name).make is not None:
                con.register("_frame", frame.to_arrow())
                con.execute(f"create or replace table raw.{ident(name)} as select * from _frame")
                con.unregister("_frame")
            elif frame.height:
                inserts.insert(name, frame)
    dg.get_dagster_logger().info(
        f"{declared.name}: raw tables updated by snapshot: {len(held & read)} snapshot(s) kept, "
        f"{len(held - read)} no longer read removed, {new} new inserted")
    # What the step shows of its tables: the tables as they now are, not the rows inserted.
    tables = {t.name: table(con, "raw", t.name) for t in declared.tables if not t.by_parts}
    parts = {}
    for t in declared.tables:
        if t.by_parts:
            schema = dict(pl.from_arrow(con.sql(f"select * from raw.{ident(t.name)} limit 0").to_arrow_table()).schema)
            parts[t.name] = (schema, con.execute(f"select count(*) from raw.{ident(t.name)}").fetchone()[0])
    return tables, parts


def check_steps(declared: Family) -> list[dg.AssetChecksDefinition]:
    snapshots = declared.snapshots.model()
    return family_checks(declared.name, snapshots=[
        pandera_check(snapshots),
        freshness_check(snapshots.key, declared.name),
    ], tables=[
        *(pandera_check(t.model()) for t in declared.tables),
        *(rule_check(["raw", c.table], c.name, c.description, c.function(), blocking=c.blocking, batch_by=c.batch_by)
          for c in declared.checks),
    ])


@dataclass(frozen=True)
class FamilyAssets:
    snapshots: dg.AssetsDefinition
    tables: dg.AssetsDefinition
    checks: list[dg.AssetChecksDefinition]


# Made once: a check adds itself to the publish gate's list when it is made.
ASSETS = {f.name: FamilyAssets(snapshot_asset(f), raw_tables_asset(f), check_steps(f)) for f in with_raw_tables()}
