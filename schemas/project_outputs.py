"""Raw project-output tables: IATI activities and results, filled submission templates, the files
read and their rejects."""
from __future__ import annotations

import polars as pl

from .common import (COUNT_COLUMNS, DATASET, FACTS, FORMAT, HEADER_FINGERPRINT, IS_ILLUSTRATIVE, ISO3_PATTERN,
                     SNAPSHOT_ID, SOURCE_FILE, Rejects, Snapshots, files_table, source_row)
from .tables import Column, Table, row_rule

ProjectSnapshots = Snapshots.named("project_snapshots", "Provenance of every project-output snapshot (IATI files, filled templates).")

# Every IATI table's rows belong to one activity of one file.
IATI_IDENTIFIER = Column("iati_identifier", pl.Utf8, "The activity's IATI identifier.", min_length=3)
REPORTING_ORG_REF = Column("reporting_org_ref", pl.Utf8, "The reporting organisation's IATI identifier.", min_length=2)
ACTIVITY_POSITION = Column("activity_position", pl.Int64, "The activity's position in its file.", ge=1)
ACTIVITY = [IATI_IDENTIFIER, REPORTING_ORG_REF, ACTIVITY_POSITION]
PROVENANCE = [SNAPSHOT_ID, DATASET, SOURCE_FILE, IS_ILLUSTRATIVE]
RESULT_INDEX = Column("result_index", pl.Int64, "The result's position within its activity.", ge=1)
INDICATOR_INDEX = Column("indicator_index", pl.Int64, "The indicator's position within its result.", ge=1)
PERCENTAGE = {"nullable": True, "ge": 0, "le": 100}
CURRENCY = Column("currency", pl.Utf8, "ISO 4217 currency code (the activity's default where the value has none).",
                  nullable=True, pattern=r"^[A-Z]{3}$")
ISO_DATE = r"^\d{4}-\d{2}-\d{2}"


def _text(name: str, description: str) -> Column:
    """An attribute or narrative of the IATI file: empty where the file leaves it out."""
    return Column(name, pl.Utf8, description, nullable=True)


IatiActivities = Table("iati_activities", "One row per IATI activity of every file, as published.", [
    *ACTIVITY,
    _text("reporting_org_name", "The reporting organisation's name."),
    _text("reporting_org_type", "The reporting organisation's type (IATI OrganisationType code)."),
    _text("title", "The activity's title."),
    _text("description", "The activity's description."),
    _text("activity_status", "The activity's status (IATI ActivityStatus code)."),
    _text("planned_start", "Planned start date."),
    _text("actual_start", "Actual start date."),
    _text("planned_end", "Planned end date."),
    _text("actual_end", "Actual end date."),
    _text("last_updated", "When the publisher last updated the activity."),
    _text("default_currency", "The activity's default currency."),
    _text("hierarchy", "The activity's level in its publisher's hierarchy."),
    _text("humanitarian", "1 where the activity is humanitarian."),
    Column("result_count", pl.Int64, "How many results the activity reports.", ge=0),
    *PROVENANCE,
], [
    row_rule("iso_dates", "an activity's dates are ISO dates",
             pl.all_horizontal([pl.col(c).is_null() | pl.col(c).str.contains(ISO_DATE)
                                for c in ("planned_start", "actual_start", "planned_end", "actual_end")])),
])

IatiCountries = Table("iati_countries", "The recipient countries of each IATI activity, with their shares.", [
    *ACTIVITY,
    Column("country_code", pl.Utf8, "The ISO 3166 alpha-2 code the file gives.", pattern=r"^[A-Z]{2}$"),
    Column("country_iso3", pl.Utf8, "ISO3 code of the country.", pattern=ISO3_PATTERN),
    Column("percentage", pl.Float64, "The share of the activity for the country, where given.", **PERCENTAGE),
    *PROVENANCE,
])

IatiSectors = Table("iati_sectors", "The sectors of each IATI activity, with their shares.", [
    *ACTIVITY,
    Column("vocabulary", pl.Utf8, "The sector vocabulary (1: OECD DAC five-digit codes)."),
    Column("sector_code", pl.Utf8, "The sector code.", min_length=1),
    Column("percentage", pl.Float64, "The share of the activity for the sector, where given.", **PERCENTAGE),
    _text("narrative", "The sector's name as the file writes it."),
    *PROVENANCE,
])

IatiIndicators = Table("iati_indicators", "The result indicators of each IATI activity, with their references.", [
    *ACTIVITY, RESULT_INDEX, INDICATOR_INDEX,
    _text("result_type", "The result's type (IATI ResultType: 1 output, 2 outcome, 3 impact)."),
    _text("result_aggregation_status", "1 where the result's values may be summed."),
    _text("result_title", "The result's title."),
    _text("indicator_title", "The indicator's title."),
    Column("measure", pl.Utf8, "The indicator's measure (IATI IndicatorMeasure: 1 unit, 2 percentage, ...).",
           isin=["1", "2", "3", "4", "5"]),
    Column("ascending", pl.Utf8, "1 where a higher value is better.", isin=["0", "1", "true", "false"]),
    _text("aggregation_status", "1 where the indicator's values may be summed."),
    _text("references", "JSON list: the indicator's references (vocabulary, code)."),
    *PROVENANCE,
])

IatiValues = Table(
    "iati_values",
    "Baseline, target and actual values of every IATI result indicator, with dimensions and locations.", [
        Column("period_index", pl.Int64, "The period's position within its indicator; empty for a baseline.", nullable=True, ge=1),
        Column("value_index", pl.Int64, "The value's position within its period.", ge=1),
        *ACTIVITY, RESULT_INDEX, INDICATOR_INDEX,
        Column("value_kind", pl.Utf8, "baseline, target or actual.", isin=["baseline", "target", "actual"]),
        Column("value", pl.Float64, "The value as a number.", nullable=True),
        _text("value_text", "The value as the file writes it."),
        _text("period_start", "The start of the reporting period."),
        _text("period_end", "The end of the reporting period."),
        _text("baseline_year", "The baseline's year."),
        _text("dimensions", "JSON: the value's dimensions (name: value), where given."),
        _text("locations", "The locations the value is for, comma-separated, where given."),
        _text("comment", "The publisher's comment on the value."),
        *PROVENANCE,
    ], [
        row_rule("period_in_order", "a period's end is not before its start",
                 pl.col("period_start").is_null() | pl.col("period_end").is_null()
                 | (pl.col("period_end") >= pl.col("period_start"))),
    ])

IatiBudgets = Table("iati_budgets", "The budgets of each IATI activity.", [
    *ACTIVITY,
    _text("budget_type", "The budget's type (IATI BudgetType: 1 original, 2 revised)."),
    _text("status", "The budget's status (IATI BudgetStatus: 1 indicative, 2 committed)."),
    _text("period_start", "The start of the budget period."),
    _text("period_end", "The end of the budget period."),
    Column("value", pl.Float64, "The budget's amount.", nullable=True, ge=0),
    CURRENCY,
    *PROVENANCE,
])

IatiTransactions = Table("iati_transactions", "The transactions of each IATI activity.", [
    *ACTIVITY,
    Column("transaction_type", pl.Utf8, "The transaction's type (IATI TransactionType code).", nullable=True,
           pattern=r"^\d{1,2}$"),
    _text("transaction_date", "The transaction's date."),
    Column("value", pl.Float64, "The transaction's amount.", nullable=True),
    CURRENCY,
    *PROVENANCE,
])

TemplateValues = Table("template_values", "Rows of filled submission templates that passed validation.", [
    Column("sheet", pl.Utf8, "The template's result-area sheet the row is on."),
    source_row(),
    Column("area_code", pl.Utf8, "The result area of the sheet.", pattern=r"^[A-Z]{3}$"),
    Column("country_iso3", pl.Utf8, "ISO3 code of the country the output is for.", pattern=ISO3_PATTERN),
    Column("indicator_code", pl.Utf8, "The annex line the output counts towards.", pattern=r"^[A-Z]{3}\.R\d+\.[ID]\d+$"),
    Column("year", pl.Int64, "The year of the output.", ge=2008, le=2100),
    Column("value", pl.Float64, "The reported output.", ge=0),
    Column("value_text", pl.Utf8, "The output as the template holds it."),
    Column("activity_id", pl.Utf8, "The project or activity the output belongs to, where given.", nullable=True),
    Column("comment", pl.Utf8, "The submitter's comment, where given.", nullable=True),
    *PROVENANCE,
])

ProjectFiles = files_table("project_files", "One row per project-output file read, with its counts.", [
    SNAPSHOT_ID, DATASET, FORMAT, SOURCE_FILE, HEADER_FINGERPRINT, *COUNT_COLUMNS, IS_ILLUSTRATIVE, FACTS])

ProjectRejects = Rejects.named("project_rejects", "Rejected project-output rows with file, row, column and reason.")

TABLES = [ProjectSnapshots, IatiActivities, IatiCountries, IatiSectors, IatiIndicators, IatiValues, IatiBudgets,
          IatiTransactions, TemplateValues, ProjectFiles, ProjectRejects]
