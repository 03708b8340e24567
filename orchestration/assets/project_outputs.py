"""Technical-assistance project outputs: IATI activities and filled submission templates."""
import dagster as dg

from schemas.project_outputs import (IatiActivities, IatiBudgets, IatiCountries, IatiIndicators, IatiSectors,
                                     IatiTransactions, IatiValues, ProjectFiles, ProjectRejects, ProjectSnapshots,
                                     TemplateValues)
from sources.iati.fetch import fetch_iati
from sources.iati.ingest import ingest
from sources.iati.landing import import_landing

from ..checks import family_checks, file_reject_rate, pandera_check, rule_check
from ..freshness import freshness_check
from ..metadata import rejects_metadata, table_metadata
from ..resources import PipelineResource
from ..warehouse.database import connect, write_table
from .snapshots import family_snapshots, snapshot_asset

SNAPSHOTS = ["raw", "project_snapshots"]
IATI_TABLES = ("activities", "countries", "sectors", "indicators", "values", "budgets", "transactions")
TEMPLATES = ["raw", "template_values"]
FILES = ["raw", "project_files"]
REJECTS = ["raw", "project_rejects"]


def _fetch(store):
    return fetch_iati(store)


project_snapshots = snapshot_asset(
    "project_outputs", SNAPSHOTS, _fetch,
    "IATI activities (the illustrative sample until real files are fetched) and the filled submission "
    "templates dropped into the landing folder (var/landing/templates/).", collect=import_landing)


@dg.multi_asset(
    specs=[dg.AssetSpec(dg.AssetKey(["raw", f"iati_{t}"]), group_name="project_outputs", kinds={"python", "duckdb"},
                        deps=[dg.AssetKey(SNAPSHOTS), dg.AssetKey(["raw", "countries"])]) for t in IATI_TABLES]
          + [dg.AssetSpec(dg.AssetKey(k), group_name="project_outputs", kinds={"python", "duckdb"},
                          deps=[dg.AssetKey(SNAPSHOTS), dg.AssetKey(["raw", "registry_indicators"])])
             for k in (TEMPLATES, FILES, REJECTS)],
    name="project_raw_tables",
    description="Parse IATI activity files (results, indicators, periods, targets and actuals with their "
                "dimensions) and filled submission templates; every row marked illustrative or not.",
)
def project_raw_tables(pipeline: PipelineResource):
    store = pipeline.store()
    tables = ingest(store, family_snapshots(store, "project_outputs"))
    with connect(pipeline.paths().build_db) as con:
        for table in IATI_TABLES:
            write_table(con, "raw", f"iati_{table}", tables.iati[table])
        write_table(con, "raw", TEMPLATES[1], tables.template_values)
        write_table(con, "raw", FILES[1], tables.files)
        write_table(con, "raw", REJECTS[1], tables.rejects)
    for table in IATI_TABLES:
        yield dg.MaterializeResult(asset_key=dg.AssetKey(["raw", f"iati_{table}"]),
                                   metadata=table_metadata(tables.iati[table]))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(TEMPLATES), metadata=table_metadata(tables.template_values))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(FILES), metadata=table_metadata(tables.files))
    yield dg.MaterializeResult(asset_key=dg.AssetKey(REJECTS), metadata=rejects_metadata(tables.rejects))


checks = family_checks("project_outputs", snapshots=[
    pandera_check(ProjectSnapshots),
    freshness_check(SNAPSHOTS, "project_outputs"),
], tables=[
    *(pandera_check(t) for t in (IatiActivities, IatiCountries, IatiValues, IatiSectors, IatiIndicators, IatiBudgets,
                                 IatiTransactions, TemplateValues, ProjectFiles, ProjectRejects)),
    file_reject_rate(FILES, "project_reject_rate"),
])
