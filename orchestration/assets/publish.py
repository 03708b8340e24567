
import dagster as dg
from dagster import AssetExecutionContext

from ..checks import BLOCKING_CHECKS
from ..resources import PipelineResource
from ..warehouse.publish import publish
from .dbt import DBT_BUILD_CHECK, MART_KEYS


@dg.asset(key=["warehouse", "indicators"], group_name="publish", deps=MART_KEYS, kinds={"duckdb"},
          description="The published, read-only warehouse at warehouse/indicators.duckdb, swapped in "
                      "atomically after every blocking check passed.")
def published_warehouse(context: AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    manifest = publish(pipeline.paths(), required_checks=[*BLOCKING_CHECKS, DBT_BUILD_CHECK])
    context.log.info(f"published release {manifest['release_id']} to {pipeline.paths().published_db}")
    return dg.MaterializeResult(metadata={
        "release_id": manifest["release_id"],
        "path": dg.MetadataValue.path(str(pipeline.paths().published_db)),
        "row_counts": dg.MetadataValue.json(manifest["row_counts"]),
    })
