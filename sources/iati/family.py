"""The project_outputs family, declared once (see sources/family.py)."""

from ..family import DbtMembers, Diff, Family, RawTable, RuleCheck
from . import rows
from .fetch import fetch_iati
from .inspect import inspect
from .landing import LANDING, import_landing

FAMILY = Family(
    name="project_outputs",
    title="Technical-assistance project outputs (IATI activities, filled templates)",
    package=__package__,
    order=40,
    schemas="project_outputs",
    dbt=DbtMembers(snapshots="stg_project__snapshots", rejects="stg_project__rejects", files="stg_project__files", indicator_values=("int_indicator_values__outputs",), staging="project_outputs"),
    snapshots=RawTable("project_snapshots", "project_outputs.ProjectSnapshots"),
    snapshots_description="IATI activities (the illustrative sample until real files are fetched) and the filled submission "
                          "templates dropped into the landing folder (var/landing/templates/).",
    fetch=fetch_iati,
    collect=import_landing,
    landing=LANDING,
    tables_asset="project_raw_tables",
    tables_description="Parse IATI activity files (results, indicators, periods, targets and actuals with their "
                       "dimensions) and filled submission templates; every row marked illustrative or not.",
    tables=(
        *(RawTable(f"iati_{t}", f"project_outputs.{model}") for t, model in (
            ("activities", "IatiActivities"), ("countries", "IatiCountries"), ("sectors", "IatiSectors"),
            ("indicators", "IatiIndicators"), ("values", "IatiValues"), ("budgets", "IatiBudgets"),
            ("transactions", "IatiTransactions"))),
        # A template's values are read against the registry's indicator codes.
        RawTable("template_values", "project_outputs.TemplateValues", after=("registry_indicators",)),
        RawTable("project_files", "project_outputs.ProjectFiles", after=("registry_indicators",)),
        RawTable("project_rejects", "project_outputs.ProjectRejects", after=("registry_indicators",)),
    ),
    parsers=rows.PARSERS,
    rows=rows.rows,
    files="project_files",
    file_row=rows.file_row,
    rejects="project_rejects",
    usable=rows.usable_snapshots,
    checks=(
        RuleCheck("project_rejects", "project_reject_rate",
                  "No file has more than the configured share of rejected rows (a layout change shows here).",
                  "common.file_reject_rate"),
    ),
    inspect=inspect,
    # The project outputs (table P.1 of the exports).
    diffs={"fct_project_outputs": Diff(("indicator_code", "country_iso3", "year", "activity_ids"),
                                       ("value", "is_illustrative"))},
)
