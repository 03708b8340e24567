
import dagster as dg
from dagster import AssetExecutionContext

from ..checks import BLOCKING_CHECKS
from ..dbt_project import dbt_project
from ..incremental import PUBLISHED, drop_mark, published_mark, write_mark
from ..resources import PipelineResource
from ..warehouse.database import connect
from ..warehouse.publish import publish
from .dbt import DBT_BUILD_CHECK, MART_KEYS


@dg.asset(key=["warehouse", "indicators"], group_name="publish", deps=MART_KEYS, kinds={"duckdb"},
          description="The published, read-only warehouse at warehouse/indicators.duckdb, swapped in "
                      "atomically after every blocking check passed.")
def published_warehouse(context: AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    manifest = publish(pipeline.paths(), required_checks=[*BLOCKING_CHECKS, DBT_BUILD_CHECK],
                       run_id=context.run.run_id, dbt_manifest=dbt_project.manifest_path)
    made = manifest["made"]
    written = made.get("tables")
    context.log.info(f"published release {manifest['release_id']} to {pipeline.paths().published_db}, made from the "
                     f"{made['from']}" + (f" with {len(written)} table(s) written again: "
                                          + ", ".join(f"{t} ({how})" for t, how in written.items())
                                          if written is not None else "")
                     + (", compacted" if made.get("compacted") else ""))
    with connect(pipeline.paths().build_db) as con:
        # What the build database now holds, for the next build to load only what changed since.
        mark = published_mark(con, pipeline.paths(), manifest["release_id"])
        if mark is None:
            drop_mark(con, PUBLISHED)
            context.log.warning("a family's raw tables are not of the snapshots listed now: the next build is full")
        else:
            write_mark(con, PUBLISHED, mark)
    return dg.MaterializeResult(metadata={
        "release_id": manifest["release_id"],
        "path": dg.MetadataValue.path(str(pipeline.paths().published_db)),
        "row_counts": dg.MetadataValue.json(manifest["row_counts"]),
        # The build file (a full build) or the release before (an incremental one).
        "made_from": made["from"],
        "publish_seconds": dg.MetadataValue.json(made.get("seconds", {})),
    })
