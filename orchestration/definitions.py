"""Everything Dagster loads: `dagster dev` (workspace.yaml) and `unodc-indicators run` use the same."""
from __future__ import annotations

import dagster as dg

from .assets import dbt as dbt_assets_module
from .assets import after_publish, geography, publish, registry
from .assets.family import ASSETS
from .dbt_project import LocalDbtCliResource, dbt_executable, dbt_project
from .progress import step_lines
from .resources import PipelineResource
from .schedules import WRITES_BUILD, landing_folder, nightly_schedule, rebuild_sensor, refresh_job

@dg.run_failure_sensor(name="alert_on_run_failure", description="Writes every failed run to var/log/alerts.log "
                       "and sends it to the webhook and e-mail address configured in the environment.")
def alert_on_run_failure(context: dg.RunFailureSensorContext):
    from sources.settings import paths

    from .alerts import notify_failure

    notify_failure(paths(), f"run {context.dagster_run.job_name} failed",
                   [context.failure_event.message or ""], context.dagster_run.run_id)


build_job = dg.define_asset_job(
    "build", selection=dg.AssetSelection.all(),
    description="Snapshots -> raw tables -> checks -> dbt models and tests -> publish.", tags=WRITES_BUILD)

defs = dg.Definitions(
    # Each source family's snapshot and raw-table assets and its checks, from its declaration.
    assets=[geography.raw_countries, registry.registry_tables,
            *(a for family in ASSETS.values() for a in (family.snapshots, family.tables)),
            dbt_assets_module.dbt_models, publish.published_warehouse, after_publish.release_outputs],
    asset_checks=[*geography.checks, *registry.checks, *(c for family in ASSETS.values() for c in family.checks)],
    jobs=[build_job, refresh_job],
    schedules=[nightly_schedule],
    sensors=[alert_on_run_failure, landing_folder, rebuild_sensor(build_job)],
    resources={"pipeline": PipelineResource(), "dbt": LocalDbtCliResource(
        project_dir=dbt_project,
        dbt_executable=str(dbt_executable()))},
    executor=dg.in_process_executor,
    # Dagster's own log, and the one line per step that a quiet `unodc-indicators run` shows.
    loggers={"console": dg.colored_console_logger, "step_lines": step_lines},
)
