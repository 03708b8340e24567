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
from sources.ingest import ingest
from sources.parse_cache import ParseCache

from ..checks import as_metadata, family_checks, pandera_check, rule_check
from ..freshness import freshness_check
from ..metadata import rejects_metadata, table_metadata
from ..resources import PipelineResource
from ..warehouse.database import connect, table_by_parts, write_table
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
        with connect(pipeline.paths().build_db) as con:
            with ExitStack() as stack:
                parts = {t.name: stack.enter_context(table_by_parts(con, "raw", t.name))
                         for t in declared.tables if t.by_parts}
                tables = ingest(declared, store, family_snapshots(store, declared.name),
                                lambda name, frame, snap: parts[name].append(frame, f" from {snap.name}"), cache)
            for name, frame in tables.items():
                write_table(con, "raw", name, frame)
        counts = cache.counts.get(declared.name)
        if counts is not None:
            dg.get_dagster_logger().info(
                f"{declared.name}: {counts.reused} parse(s) reused, {counts.parsed} parsed and kept, "
                f"{counts.not_kept} parsed and not kept, {counts.damaged} damaged entries parsed again "
                f"(parse cache {pipeline.paths().parse_cache})")
        for t in declared.tables:
            if t.by_parts:
                meta = table_metadata(pl.DataFrame(schema=parts[t.name].schema), row_count=parts[t.name].rows)
            elif t.name == declared.rejects:
                meta = rejects_metadata(tables[t.name])
            else:
                meta = table_metadata(tables[t.name])
            if t.summary is not None:
                meta.update(as_metadata(t.summary(tables)))
            yield dg.MaterializeResult(asset_key=dg.AssetKey(["raw", t.name]), metadata=meta)

    return _tables


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
