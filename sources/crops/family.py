"""The crop_surveys family, declared once (see sources/family.py)."""

from ..family import DbtMembers, Diff, Family, RawTable, RuleCheck
from . import rows
from .inspect import inspect

FAMILY = Family(
    name="crop_surveys",
    title="Illicit crop surveys (WDR statistical annex, UNODC crop monitoring)",
    package=__package__,
    order=30,
    schemas="crops",
    dbt=DbtMembers(snapshots="stg_crop__snapshots", rejects="stg_crop__rejects", files="stg_crop__files", indicator_values=("int_indicator_values__crops",), staging="crops"),
    snapshots=RawTable("crop_snapshots", "crops.CropSnapshots"),
    snapshots_description="WDR statistical annex workbooks (6.1.x, 6.2.x) and compiled survey figures, bundled; the annex "
                          "changes its file names every edition, so a new edition arrives as a new snapshot (see the README).",
    tables_asset="crop_raw_tables",
    tables_description="Parse every crop snapshot: one value per table cell with its row, edition, series and "
                       "estimate; each table checked against its own totals.",
    tables=(
        RawTable("crop_annex_values", "crops.AnnexValues"),
        RawTable("crop_compiled_values", "crops.CompiledValues"),
        RawTable("crop_total_checks", "crops.TotalChecks", summary=rows.total_checks_summary),
        RawTable("crop_files", "crops.CropFiles"),
        RawTable("crop_rejects", "crops.CropRejects"),
    ),
    parsers=rows.PARSERS,
    rows=rows.rows,
    files="crop_files",
    file_row=rows.file_row,
    rejects="crop_rejects",
    checks=(
        RuleCheck("crop_rejects", "crop_reject_rate",
                  "No file has more than the configured share of rejected rows (a layout change shows here).",
                  "common.file_reject_rate"),
        RuleCheck("crop_total_checks", "crop_totals_match_rows",
                  "Each annex table's totals against the sum of its rows; a discrepancy is reported with its numbers, "
                  "never hidden, and does not stop the load.", "crops.totals_agree", blocking=False),
    ),
    inspect=inspect,
    diffs={"fct_crop_cultivation": Diff(("crop", "measure", "country_iso3", "series", "year", "edition", "source_kind"),
                                        ("value", "lower_bound", "upper_bound"))},
)
