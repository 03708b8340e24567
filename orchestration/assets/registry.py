"""The strategy's results framework: the registry, checked against the annex it transcribes."""
import dagster as dg
import polars as pl

from schemas.registry import IndicatorRegistry, RegistryResults, RegistrySnapshots
from sources import fetch_log
from sources.catalog import import_bundled
from sources.family import family
from sources.snapshots import snapshot_frame
from sources.strategy.annex import parse_annex
from sources.strategy.registry import indicator_frame, load_registry, result_frame, verify_against_annex

from ..checks import family_checks, pandera_check, rule_check
from ..metadata import table_metadata
from ..incremental import touched
from ..resources import PipelineResource
from ..warehouse.database import connect, write_table

INDICATORS = ["raw", "registry_indicators"]
RESULTS = ["raw", "registry_results"]
SNAPSHOTS = ["raw", "registry_snapshots"]


@dg.multi_asset(
    specs=[dg.AssetSpec(dg.AssetKey(k), group_name="registry", kinds={"python", "duckdb"})
           for k in (INDICATORS, RESULTS, SNAPSHOTS)],
    name="registry_tables",
    description="sources/strategy/registry.yaml: themes, objectives, result areas, results and every "
                "performance indicator line of the strategy's annex, with their attributes.",
)
def registry_tables(pipeline: PipelineResource):
    store = pipeline.store()
    # The strategy text, a reference family: its snapshot is listed here, with the registry read from it.
    snaps = import_bundled(store, family("strategy").name)
    registry = load_registry()
    indicators, results = indicator_frame(registry), result_frame(registry)
    # The strategy is never fetched: its snapshot is never stale, but it has the same columns.
    snapshots = fetch_log.mark_stale(snapshot_frame(snaps), {})
    with connect(pipeline.paths().build_db) as con:
        touched(con)
        write_table(con, "raw", "registry_indicators", indicators)
        write_table(con, "raw", "registry_results", results)
        write_table(con, "raw", "registry_snapshots", snapshots)
    yield dg.MaterializeResult(asset_key=dg.AssetKey(INDICATORS), metadata=table_metadata(
        indicators, indicator_lines=int((indicators["line_kind"] == "indicator").sum()),
        computed_here=int(indicators["computation_rule"].is_not_null().sum())))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(RESULTS), metadata=table_metadata(results))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(SNAPSHOTS), metadata=table_metadata(snapshots))


def _matches_annex(frame: pl.DataFrame, ctx) -> tuple[bool, dict]:
    store = ctx.store()
    (snap,) = [s for s in store.list("unodc_strategy")]
    annex = parse_annex(store.read_bytes(snap).decode("utf-8"))
    problems = verify_against_annex(load_registry(), annex)
    return not problems, {"annex_lines": len(annex.lines), "registry_rows": frame.height,
                          "problems": problems, "annex_snapshot": snap.name}


checks = family_checks("registry", tables=[
    pandera_check(IndicatorRegistry),
    pandera_check(RegistryResults),
    pandera_check(RegistrySnapshots),
    rule_check(INDICATORS, "registry_matches_annex",
               "Every indicator line of the annex is in the registry, verbatim, under its result.",
               _matches_annex),
])
