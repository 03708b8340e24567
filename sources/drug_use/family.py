"""The drug_use_and_markets family, declared once (see sources/family.py)."""

from ..family import DbtMembers, Diff, Family, RawTable, RuleCheck
from . import rows
from .inspect import inspect

FAMILY = Family(
    name="drug_use_and_markets",
    title="Drug use and drug markets (WDR statistical annex: prevalence 1.1 and 1.2, prices and purities 8.1)",
    package=__package__,
    order=32,
    schemas="drug_use",
    dbt=DbtMembers(snapshots="stg_drug_use__snapshots", rejects="stg_drug_use__rejects", files="stg_drug_use__files",
                   indicator_values=("int_indicator_values__drug_use",), staging="drug_use"),
    snapshots=RawTable("drug_use_snapshots", "drug_use.DrugUseSnapshots"),
    snapshots_description="WDR statistical annex workbooks of drug use (1.1, 1.2) and drug markets (8.1), bundled or "
                          "dropped in; each sheet's table is recognised by its header, so another edition, drug or "
                          "population group arrives as a new snapshot with no code change.",
    tables_asset="drug_use_raw_tables",
    tables_description="Parse every WDR drug workbook: national and regional prevalence with bounds, prices in their "
                       "own unit and currency, purities with their scale; rejects with their reason, one line per "
                       "file.",
    tables=(
        RawTable("drug_use_prevalence", "drug_use.DrugPrevalence", summary=rows.tables_summary),
        RawTable("drug_use_regional_prevalence", "drug_use.DrugRegionalPrevalence"),
        RawTable("drug_use_prices", "drug_use.DrugPrices"),
        RawTable("drug_use_purities", "drug_use.DrugPurities"),
        RawTable("drug_use_files", "drug_use.DrugUseFiles"),
        RawTable("drug_use_rejects", "drug_use.DrugUseRejects"),
    ),
    parsers=rows.PARSERS,
    rows=rows.rows,
    files="drug_use_files",
    rejects="drug_use_rejects",
    checks=(
        RuleCheck("drug_use_rejects", "drug_use_reject_rate",
                  "No file has more than the configured share of rejected rows (a layout change shows here).",
                  "common.file_reject_rate"),
    ),
    inspect=inspect,
    diffs={"fct_drug_prevalence": Diff(("drug", "recall_period", "country_name", "year_text", "age", "sex",
                                        "source", "substance", "occurrence"), ("best", "low", "high"), numbered=True)},
)
