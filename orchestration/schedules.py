"""Running it every night: the `refresh` job, its nightly schedule, the landing-folder sensor, and
the sensor that rebuilds and publishes only when a refresh brought a changed snapshot.

    02:00 nightly schedule ─┐
                            ├─► refresh (snapshot assets: bundled, landing folder, live fetch)
    landing-folder sensor ──┘        │ succeeded
                                     ▼
                 rebuild_when_snapshots_change: same snapshots as the published release?
                          yes ─► skip (says why)      no ─► build (fetch off: refresh fetched)

Fetching happens in the refresh run, never in a schedule or sensor tick; the ticks only read the
snapshot catalogue, the landing folders and the published manifest.
"""
import hashlib

import dagster as dg

from sources.family import landing_folders
from sources.settings import paths, settings

from .assets import registry
from .assets.family import ASSETS
from .freshness import FRESHNESS_CHECKS
from .nightly import decide, pending_landing_files

# Runs that write the build database carry this tag; dagster.yaml lets one such run at a time.
WRITES_BUILD = {"unodc/writes": "build_db"}
NIGHTLY_CRON = "0 2 * * *"
# What a refresh materializes: every family's snapshot list, and the registry's tables for the
# strategy text's snapshot.
REFRESHED = [*(family.snapshots for family in ASSETS.values()), registry.registry_tables]

refresh_job = dg.define_asset_job(
    "refresh",
    # The registry's tables come along for the strategy text's snapshot. Of the checks only the
    # freshness warnings run here; the others run in the build that may follow.
    selection=dg.AssetSelection.assets(*REFRESHED).without_checks()
    | dg.AssetSelection.checks(*FRESHNESS_CHECKS),
    description="Fetch every source (when configured to), collect the landing folders and store what changed "
                "as snapshots; a rebuild follows only if a snapshot changed.",
    tags=WRITES_BUILD,
)


def refresh_definitions() -> dg.Definitions:
    """The refresh job alone, without the dbt assets: `run --if-changed` decides whether to build
    before dagster-dbt and dbt-core are imported (about 3 s of a nightly run that builds nothing)."""
    from .checks import SNAPSHOT_CHECK_STEPS
    from .resources import PipelineResource

    return dg.Definitions(
        assets=REFRESHED,
        asset_checks=SNAPSHOT_CHECK_STEPS, jobs=[refresh_job], resources={"pipeline": PipelineResource()},
        executor=dg.in_process_executor)


def _pipeline_config(fetch: bool) -> dict:
    return {"resources": {"pipeline": {"config": {"fetch": fetch}}}}


nightly_schedule = dg.ScheduleDefinition(
    name="nightly", job=refresh_job, cron_schedule=NIGHTLY_CRON,
    execution_timezone=settings().nightly_timezone,
    run_config=_pipeline_config(fetch=True), default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 (UNODC_NIGHTLY_TIMEZONE, default UTC): fetch every source.")


def _watched() -> str:
    return " or ".join(f"var/landing/{folder.name}/*{folder.suffix}" for folder in landing_folders())


@dg.sensor(name="landing_folder", job=refresh_job, minimum_interval_seconds=60,
           default_status=dg.DefaultSensorStatus.RUNNING,
           description=f"A file in {_watched()} (the landing folders the families declare) that is not a snapshot "
                       "yet starts a refresh (no live fetch).")
def landing_folder(context: dg.SensorEvaluationContext):
    home = paths().home
    pending = pending_landing_files(home)
    if not pending:
        return dg.SkipReason("every file in the landing folders is already a snapshot")
    key = hashlib.sha256(repr(pending).encode()).hexdigest()[:24]
    context.log.info(f"new in the landing folders: {', '.join(name for name, _ in pending)}")
    return dg.RunRequest(run_key=f"landing-{key}", run_config=_pipeline_config(fetch=False), tags=WRITES_BUILD)


def rebuild_sensor(build_job) -> dg.RunStatusSensorDefinition:
    @dg.run_status_sensor(name="rebuild_when_snapshots_change", run_status=dg.DagsterRunStatus.SUCCESS,
                          monitored_jobs=[refresh_job], request_job=build_job,
                          default_status=dg.DefaultSensorStatus.RUNNING,
                          description="After a refresh: builds and publishes when the snapshots differ from those "
                                      "of the published release, else skips and says why.")
    def rebuild_when_snapshots_change(context: dg.RunStatusSensorContext):
        decision = decide(paths())
        if not decision.rebuild:
            return dg.SkipReason(decision.reason)
        context.log.info(str(decision))
        # One build per refresh that found a change; a failed build is tried again after the next refresh.
        return dg.RunRequest(run_key=f"{decision.key[:16]}-{context.dagster_run.run_id}",
                             run_config=_pipeline_config(fetch=False), tags=WRITES_BUILD)

    return rebuild_when_snapshots_change
