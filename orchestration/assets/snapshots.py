"""One snapshot asset per source family: bundled files in, live fetches when enabled, provenance out."""
import dagster as dg
from dagster import AssetExecutionContext

from sources import fetch_log
from sources.catalog import import_bundled
from sources.errors import LandingRefused
from sources.family import Family
from sources.snapshots import SnapshotStore, snapshot_frame

from ..metadata import table_metadata
from ..incremental import touched
from ..resources import PipelineResource
from ..warehouse.database import connect, write_table


def family_snapshots(store: SnapshotStore, family: str):
    return [s for s in store.list() if s.family == family]


def snapshot_asset(declared: Family) -> dg.AssetsDefinition:
    """raw.<x>_snapshots of a family: its bundled files, what `collect(store, home)` stores of files that
    arrive by hand (the landing folder), and its live fetches when enabled."""
    family, key, fetch, collect = declared.name, ["raw", declared.snapshots.name], declared.fetch, declared.collect

    @dg.asset(key=key, group_name=family, kinds={"python", "duckdb"}, description=declared.snapshots_description,
              retry_policy=dg.RetryPolicy(max_retries=2, delay=5),
              metadata={"expected_refresh": dg.MetadataValue.json(
                  {prefix: f"{days} days: {why}" for prefix, (days, why) in declared.freshness().items()})})
    def _asset(context: AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
        store = pipeline.store()
        home = pipeline.paths().home
        import_bundled(store, family)
        refused = None
        if collect is not None:
            try:
                collect(store, home)
            except LandingRefused as exc:
                # Already moved to the quarantine: this build fails naming them, the next is free of them.
                refused = exc
        fetched = []
        if pipeline.fetch and fetch is not None:
            reports = fetch(store)
            fetch_log.record(home, reports)
            for report in reports:
                fetched.append({"item": report.item, "status": report.status, "message": report.message})
                if report.status == "failed":
                    context.log.warning(f"fetch of {report.item} failed; the last good snapshot stays and is "
                                        f"marked stale: {report.message}")
        snaps = family_snapshots(store, family)
        frame = fetch_log.mark_stale(snapshot_frame(snaps), fetch_log.load(home))
        with connect(pipeline.paths().build_db) as con:
            touched(con)
            write_table(con, key[0], key[1], frame)
        stale = frame.filter(frame["is_stale"])
        meta = table_metadata(frame, snapshots=dg.MetadataValue.json(
            frame.select("name", "sha256", "as_of", "is_stale").to_dicts()))
        meta["stale_snapshots"] = dg.MetadataValue.json(stale.select("name", "last_fetch_error", "last_fetch_at").to_dicts())
        if fetched:
            meta["fetch"] = dg.MetadataValue.json(fetched)
        if refused is not None:
            raise dg.Failure(description=str(refused), allow_retries=False, metadata={
                "quarantined": dg.MetadataValue.json([vars(r) for r in refused.refused])})
        return dg.MaterializeResult(metadata=meta, data_version=dg.DataVersion(
            "-".join(sorted(s.snapshot_id[:12] for s in snaps))[:512]))

    return _asset
