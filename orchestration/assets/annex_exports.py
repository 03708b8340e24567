"""After every publish: every annex table of the new release, in every format, compared with the
release before it, under var/exports/RELEASE_ID/."""
import dagster as dg
from dagster import AssetExecutionContext

from exports.run import open_release, export, release_facts

from ..warehouse.releases import release_path
from ..resources import PipelineResource


@dg.asset(key=["exports", "annex_tables"], group_name="publish", deps=[["warehouse", "indicators"]],
          kinds={"python", "excel"},
          description="Annex-style workbooks, tidy CSV and Parquet with metadata, and SDMX-CSV of the "
                      "published release, with what changed since the previous release.")
def annex_exports(context: AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    paths = pipeline.paths()
    con = open_release(paths.published_db)
    try:
        facts = release_facts(con)
    finally:
        con.close()
    previous = facts["manifest"].get("previous_release")
    try:
        compare = release_path(paths, previous) if previous else None
    except (ValueError, FileNotFoundError):
        context.log.warning(f"previous release {previous} is no longer kept; exporting without changes")
        compare = None
    out = paths.home / "var" / "exports" / facts["release_id"]
    report = export(paths.published_db, out, compare_db=compare)
    return dg.MaterializeResult(metadata={
        "release_id": facts["release_id"], "compared_with": report["compared_with"] or "",
        "path": dg.MetadataValue.path(str(out)), "files": len(report["files"]),
        "dagster/row_count": len(report["files"])})
