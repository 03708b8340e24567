"""The dbt project, defined without relative imports so that dagster-dbt can import it standalone.

Every dbt invocation gets the source families as the variable `families` (`dbt_vars_json()`): the
unions over families (dim_snapshot, fct_load_rejects, fct_load_reconciliation, fct_indicator_values)
are generated from it. To call dbt by hand:

    python -m orchestration.dbt_project vars     # the JSON for dbt's --vars
    python -m orchestration.dbt_project parse    # parse the project into dbt_project/target/
"""
import json
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

DBT_DIR = Path(__file__).resolve().parent.parent / "dbt_project"
# The variable the manifest was parsed with: a family added since needs a new parse.
PARSED_VARS = DBT_DIR / "target" / "families.json"

dbt_project = DbtProject(project_dir=DBT_DIR, profiles_dir=DBT_DIR)


def dbt_vars_json() -> str:
    """The `--vars` of every dbt invocation, one spelling for all of them (dbt hashes it into its
    parse state: the same text at set-up and at build lets the build reuse the parse)."""
    from sources.family import dbt_vars

    return json.dumps(dbt_vars(), separators=(",", ":"))


def dbt_executable(python: Path | None = None) -> Path:
    """The dbt the build starts: the one beside this interpreter, whatever PATH says, through the
    project's `unodc-indicators-dbt`, which ends dbt's process without the interpreter's teardown
    (orchestration/dbt_process.py). An environment set up before that command existed has plain
    dbt only: a night then runs with it (0.6 s slower) rather than failing; `make setup` adds it."""
    python = Path(sys.executable) if python is None else python
    command = python.with_name("unodc-indicators-dbt")
    return command if command.exists() else python.with_name("dbt")


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

    def _initialize_dbt_core_adapter(self, args):
        # dagster-dbt opens a dbt adapter in this process before every invocation (it loads the
        # profile and parses every macro: 1 to 2 s) for row counts and column metadata, which no asset
        # here asks for; the invocation takes no adapter.
        return None


def parse() -> Path:
    """Parse the project with the families' variable and record which variable it was."""
    import os
    import subprocess

    dbt = Path(sys.executable).with_name("dbt")
    families = dbt_vars_json()
    # HOME as for a build: profiles.yml opens ~/build.duckdb (a parse opens no database).
    subprocess.run([str(dbt), "parse", "--profiles-dir", str(DBT_DIR), "--vars", families, "--quiet"],
                   cwd=DBT_DIR, check=True, env={**os.environ, "HOME": str(DBT_DIR / "target")})
    PARSED_VARS.write_text(families, encoding="utf-8")
    return dbt_project.manifest_path


def prepare_manifest() -> Path:
    """Parse the project once (at set-up, not on every definitions load): if no manifest exists, or
    if the families declared have changed since it was parsed."""
    manifest = dbt_project.manifest_path
    parsed = PARSED_VARS.read_text(encoding="utf-8") if PARSED_VARS.exists() else None
    if not manifest.exists() or parsed != dbt_vars_json():
        return parse()
    return manifest


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["vars"]:
        print(dbt_vars_json())
        return 0
    if args == ["parse"]:
        parse()
        return 0
    print("usage: python -m orchestration.dbt_project vars|parse", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
