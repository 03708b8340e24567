"""After every publish: the scorecard site of the new release, under var/report/RELEASE_ID/."""
import dagster as dg
from dagster import AssetExecutionContext

from exports.run import open_release, release_facts
from report.build import build_site

from ..resources import PipelineResource


@dg.asset(key=["report", "scorecard"], group_name="publish", deps=[["warehouse", "indicators"]],
          kinds={"python", "html"},
          description="The strategy's scorecard as a static site (framework, indicator, Member State and "
                      "what-changed pages) of the published release; opens from the file system.")
def report_site(context: AssetExecutionContext, pipeline: PipelineResource) -> dg.MaterializeResult:
    paths = pipeline.paths()
    con = open_release(paths.published_db)
    try:
        release_id = release_facts(con)["release_id"]
    finally:
        con.close()
    out = paths.home / "var" / "report" / release_id
    done = build_site(paths.published_db, out)
    context.log.info(f"scorecard: {done['pages']} pages, {done['bytes'] / 1e6:.1f} MB in {done['seconds']} s")
    return dg.MaterializeResult(metadata={
        "release_id": release_id, "path": dg.MetadataValue.path(str(out / "index.html")),
        "pages": done["pages"], "megabytes": round(done["bytes"] / 1e6, 1), "seconds": done["seconds"]})
