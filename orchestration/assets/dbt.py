"""The dbt models (staging -> intermediate -> marts) as Dagster assets; dbt's tests run in the same
dbt build, their outcomes recorded in the step's `dbt_build` check result (orchestration.dbt_results)."""

import json
import os
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from ..dbt_project import dbt_project, dbt_vars_json
from ..dbt_results import add_failing_rows, said_rows, test_outcomes
from ..incremental import DBT_RUN, PUBLISHED, code_version, drop_mark, read_marks, write_mark
from ..resources import PipelineResource
from ..warehouse.database import connect, record_check

DBT_BUILD_CHECK = "dbt_build"
# dbt's unit tests check a model's SQL against the fixed rows in their yml, never the data: the
# result of a build cannot change them, only the code can. As dbt advises, the build leaves them
# to the test suite (tests/test_dbt_unit.py runs every one of them, and CI runs the suite); in a
# build they were 27 nodes and a third of dbt's test time (0.27 s of dbt's own work each).
BUILD_ARGS = ("--exclude-resource-type", "unit_test")


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn") or []
        if dbt_resource_props.get("resource_type") == "seed":
            return "reference"
        return fqn[1] if len(fqn) > 2 else "dbt"


@contextmanager
def dbt_home(build_db: Path):
    """profiles.yml opens `~/build.duckdb`: HOME is the build folder while the dbt process starts
    (it takes a copy of this environment), and is given back at once."""
    if build_db.name != "build.duckdb":
        raise ValueError(f"the dbt profile opens ~/build.duckdb, not {build_db.name}")
    before = os.environ.get("HOME")
    os.environ["HOME"] = str(build_db.parent)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = before


# dbt's tests as Dagster asset checks cost three events each (planned at the run's start, an output,
# an evaluation), and a test on several models an observation of each: a cold run wrote 1,288
# events with them, 756 without. Their outcomes are recorded in the dbt_build result instead.
TRANSLATOR = Translator(DagsterDbtTranslatorSettings(enable_asset_checks=False))


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=TRANSLATOR)
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, pipeline: PipelineResource):
    build_db = pipeline.paths().build_db
    target = build_db.parent / "dbt_target"
    passed = False
    with connect(build_db) as con:
        # Models are about to change: until a publish, the build database records no complete build.
        mark = read_marks(con).get(PUBLISHED)
        base = mark.get("release_id") if context.is_subset and mark and mark.get("code") == code_version() else None
        write_mark(con, DBT_RUN, {"run_id": context.run.run_id, "base": base, "code": code_version()})
        drop_mark(con, PUBLISHED)
        # A build of some models runs their tests; the others' outcomes stay as the build before had them.
        carried = recorded_tests(con) if context.is_subset else None
    # The outcomes recorded are this build's: a dbt that dies before writing its results leaves none.
    (target / "run_results.json").unlink(missing_ok=True)
    try:
        # dbt's run artefacts go beside the build database, one folder overwritten each build. The
        # families' variable is the one the manifest was parsed with (the unions over families).
        if context.is_subset:
            context.log.info(f"dbt builds {len(context.selected_asset_keys)} of {len(context.assets_def.keys)} "
                             "models and seeds: those downstream of the families loaded again, with their tests")
        # A build of every model writes every incremental model whole (fct_crime_statistics, built
        # by snapshot otherwise): a full build never rests on what a build before left.
        args = ["build", *BUILD_ARGS, "--vars", dbt_vars_json(), *(() if context.is_subset else ("--full-refresh",))]
        with dbt_home(build_db):
            invocation = dbt.cli(args, context=context, target_path=target)
        for event in invocation.stream():
            # A test's outcome comes as an observation of each model it reads: the record below
            # keeps it once, by the test's name.
            if not isinstance(event, dg.AssetObservation):
                yield event
        passed = True
    finally:
        outcomes = test_outcomes(target / "run_results.json", dbt_project.manifest_path, carried)
        with connect(build_db) as con:
            add_failing_rows(con, target / "run_results.json", outcomes)
            record_check(con, check=DBT_BUILD_CHECK, asset="dbt", passed=passed, blocking=True,
                         details={"selection": SELECTION, "tests": outcomes}, run_id=context.run.run_id)
        said = ", ".join(f"{n} {status}" for status, n in sorted(outcomes["count"].items()))
        context.log.info(f"dbt tests: {said or 'none ran'}; in audit.check_results, check dbt_build"
                         + "".join(f"\n  {t['status']}: {t['test']} on {t['on']} ({t['failures']} rows)"
                                   + (f": {said_rows(t)}" if t.get("rows") else "")
                                   for t in outcomes["not_passed"]))


def recorded_tests(con) -> dict | None:
    try:
        row = con.execute("select details from audit.check_results where check_name = ?", [DBT_BUILD_CHECK]).fetchone()
    except duckdb.CatalogException:
        return None
    return json.loads(row[0]).get("tests") if row else None


# What every build's dbt run covers, full or not (the release says the same either way; the run's
# own log says how many models it built).
SELECTION = ("every model and seed whose inputs changed since the published release (all of them in a full "
             "build), with their tests; the others as that release has them, their tests passed then")


MART_KEYS = [k for k in dbt_models.keys if k.path[-1].startswith(("dim_", "fct_", "rpt_"))]
