"""The dbt project, defined without relative imports so that dagster-dbt can import it standalone."""
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


class LocalDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable for its version (`dbt --version`, a second dbt start-up of
    several seconds) on every build; the executable beside this interpreter is the installed dbt-core,
    whose version the package metadata gives at once."""

    @cached_property
    def _cli_version(self):
        from importlib.metadata import version as installed

        from packaging import version

        if Path(self.dbt_executable).parent != Path(sys.executable).parent:
            return super()._cli_version
        return version.parse(installed("dbt-core"))


def prepare_manifest() -> Path:
    """Parse the project once (at set-up, not on every definitions load) if no manifest exists."""
    import os
    import subprocess
    import sys

    if not dbt_project.manifest_path.exists():
        dbt = Path(sys.executable).with_name("dbt")
        # HOME as for a build: profiles.yml opens ~/build.duckdb (a parse opens no database).
        subprocess.run([str(dbt), "parse", "--profiles-dir", str(DBT_DIR), "--quiet"],
                       cwd=DBT_DIR, check=True, env={**os.environ, "HOME": str(DBT_DIR / "target")})
    return dbt_project.manifest_path
