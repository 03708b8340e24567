"""The dbt models (staging -> intermediate -> marts) as Dagster assets; dbt tests as asset checks."""

import os
from collections.abc import Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from ..dbt_project import dbt_project, dbt_vars_json
from ..resources import PipelineResource
from ..warehouse.database import connect, record_check

DBT_BUILD_CHECK = "dbt_build"


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


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=Translator())
def dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, pipeline: PipelineResource):
    build_db = pipeline.paths().build_db
    passed = False
    try:
        # dbt's run artefacts go beside the build database, one folder overwritten each build. The
        # families' variable is the one the manifest was parsed with (the unions over families).
        with dbt_home(build_db):
            invocation = dbt.cli(["build", "--vars", dbt_vars_json()], context=context,
                                 target_path=build_db.parent / "dbt_target")
        yield from invocation.stream()
        passed = True
    finally:
        with connect(build_db) as con:
            record_check(con, check=DBT_BUILD_CHECK, asset="dbt", passed=passed, blocking=True,
                         details={"selection": "all models, seeds and tests"}, run_id=context.run.run_id)


MART_KEYS = [k for k in dbt_models.keys if k.path[-1].startswith(("dim_", "fct_", "rpt_"))]
