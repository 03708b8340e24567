"""The dbt project, defined without relative imports so that dagster-dbt can import it standalone."""
from pathlib import Path

from dagster_dbt import DbtProject

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def prepare_manifest() -> Path:
    """Parse the project once (at set-up, not on every definitions load) if no manifest exists."""
    import subprocess
    import sys

    if not dbt_project.manifest_path.exists():
        dbt = Path(sys.executable).with_name("dbt")
        subprocess.run([str(dbt), "parse", "--profiles-dir", str(DBT_DIR), "--quiet"],
                       cwd=DBT_DIR, check=True)
    return dbt_project.manifest_path
