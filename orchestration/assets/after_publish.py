"""After every publish: the exports and the scorecard site of the new release, under
var/exports/RELEASE_ID/ and var/report/RELEASE_ID/.

Both only read the release, and each is single-threaded Python (xlsxwriter, jinja), so one step
writes them side by side: the site in a process of its own, the exports in this one. One failing
does not stop the other; the step fails after both ended, saying which."""

import json
import subprocess
import sys
import tempfile

import dagster as dg
from dagster import AssetExecutionContext

from exports.run import export, open_release, release_facts

from ..resources import PipelineResource
from ..warehouse.releases import release_path

EXPORTS = dg.AssetSpec(
    ["exports", "annex_tables"], group_name="publish", deps=[["warehouse", "indicators"]], kinds={"python", "excel"},
    description="Annex-style workbooks, tidy CSV and Parquet with metadata, and SDMX-CSV of the "
                "published release, with what changed since the previous release.")
SCORECARD = dg.AssetSpec(
    ["report", "scorecard"], group_name="publish", deps=[["warehouse", "indicators"]], kinds={"python", "html"},
    description="The strategy's scorecard as a static site (framework, indicator, Member State and "
                "what-changed pages) of the published release; opens from the file system.")


@dg.multi_asset(specs=[EXPORTS, SCORECARD], can_subset=True, name="release_outputs")
def release_outputs(context: AssetExecutionContext, pipeline: PipelineResource):
    paths = pipeline.paths()
    con = open_release(paths.published_db)
    try:
        facts = release_facts(con)
    finally:
        con.close()
    release_id = facts["release_id"]
    try:
        # Both read the release file itself, not the published name a later publish could move.
        release_db = release_path(paths, release_id)
    except (ValueError, FileNotFoundError):
        release_db = paths.published_db
    selected = context.selected_asset_keys
    site_out = paths.home / "var" / "report" / release_id
    # The site's output goes to files, not pipes: a pipe nobody reads while the exports run would stall it.
    with tempfile.TemporaryFile(mode="w+") as out, tempfile.TemporaryFile(mode="w+") as err:
        site = None
        if SCORECARD.key in selected:
            site = subprocess.Popen([sys.executable, "-m", "report", str(release_db), str(site_out)],
                                    stdout=out, stderr=err)
        failed: list[str] = []
        try:
            if EXPORTS.key in selected:
                try:
                    yield _exports(context, paths, facts, release_db)
                except Exception as exc:  # the site is still written; the step fails below
                    context.log.error(f"exports failed: {exc!r}")
                    failed.append(f"the exports failed: {exc}")
        except BaseException:
            if site is not None:   # the run is being stopped: so is the site
                site.kill()
                site.wait()
            raise
        if site is not None:
            site.wait()
            out.seek(0)
            err.seek(0)
            printed, errors = out.read(), err.read()
            if site.returncode == 0:
                done = json.loads(printed.strip().splitlines()[-1])
                context.log.info(f"scorecard: {done['pages']} pages, {done['bytes'] / 1e6:.1f} MB in {done['seconds']} s")
                yield dg.MaterializeResult(asset_key=SCORECARD.key, metadata={
                    "release_id": release_id, "path": dg.MetadataValue.path(str(site_out / "index.html")),
                    "pages": done["pages"], "megabytes": round(done["bytes"] / 1e6, 1), "seconds": done["seconds"]})
            else:
                last = errors.strip().splitlines()[-1] if errors.strip() else f"exit status {site.returncode}"
                context.log.error(f"the scorecard process failed:\n{errors}")
                failed.append(f"the scorecard failed: {last}")
    if failed:
        raise RuntimeError(f"release {release_id} was published, but " + "; ".join(failed))


def _exports(context: AssetExecutionContext, paths, facts: dict, release_db) -> dg.MaterializeResult:
    previous = facts["manifest"].get("previous_release")
    try:
        compare = release_path(paths, previous) if previous else None
    except (ValueError, FileNotFoundError):
        context.log.warning(f"previous release {previous} is no longer kept; exporting without changes")
        compare = None
    out = paths.home / "var" / "exports" / facts["release_id"]
    report = export(release_db, out, compare_db=compare)
    return dg.MaterializeResult(asset_key=EXPORTS.key, metadata={
        "release_id": facts["release_id"], "compared_with": report["compared_with"] or "",
        "path": dg.MetadataValue.path(str(out)), "files": len(report["files"]),
        "dagster/row_count": len(report["files"])})
