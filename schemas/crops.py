"""Raw crop-survey tables: WDR annex values, compiled country-year figures, each annex table's totals
against its rows, the files read and their rejects."""
from __future__ import annotations

import polars as pl

from .common import (COUNT_COLUMNS, DATASET, FACTS, FORMAT, HEADER_FINGERPRINT, ISO3_PATTERN, SNAPSHOT_ID,
                     SOURCE_FILE, WARNINGS, Rejects, Snapshots, files_table, source_row)
from .tables import Column, Table, row_rule

CROPS = ["coca_bush", "opium_poppy", "cannabis"]
MEASURES = ["cultivation_ha", "eradication_ha", "production_t", "manufacture_t"]
ESTIMATES = ["best estimate", "minimum", "maximum"]

CropSnapshots = Snapshots.named("crop_snapshots", "Provenance of every crop-survey snapshot (annex workbooks, compiled figures).")

# The columns and rule both value tables share; each adds its own columns (below).
CROP = Column("crop", pl.Utf8, "The crop (dim_code_list crop).", isin=CROPS)
MEASURE = Column("measure", pl.Utf8, "What the figure measures (dim_code_list crop_measure).", isin=MEASURES)
COUNTRY_ISO3 = Column("country_iso3", pl.Utf8, "ISO3 code of the country; empty on a published total.",
                      nullable=True, pattern=ISO3_PATTERN)
IS_TOTAL = Column("is_total", pl.Boolean, "True on a published total or subtotal, not a country's figure.")
NAME = Column("name", pl.Utf8, "The country or total as the table names it (footnote letters removed).", nullable=True)
SERIES = Column("series", pl.Utf8, "The series' footnote letter(s), where the table gives more than one series.", nullable=True)
ESTIMATE = Column("estimate", pl.Utf8, "best estimate, minimum or maximum.", isin=ESTIMATES)
YEAR = Column("year", pl.Int64, "The year of the figure.", ge=1980, le=2100)
VALUE = Column("value", pl.Float64, "The figure, in the table's unit.", ge=0)
VALUE_TEXT = Column("value_text", pl.Utf8, "The figure as published.")
EDITION = Column("edition", pl.Utf8, "The publication or survey the figure comes from (e.g. WDR 2022).",
                 pattern=r"^(WDR \d{4}|UNODC survey \d{4}|compiled \d{4})$")
COUNTRY_OR_TOTAL = row_rule("country_or_total", "a figure is a country's or a published total's",
                            pl.col("country_iso3").is_not_null() ^ pl.col("is_total"))

AnnexValues = Table(
    "crop_annex_values", "One value per cell of every WDR annex table, with its row, series, estimate and edition.", [
        source_row(),
        Column("band", pl.Utf8, "The band of rows (a region) the row is under, where the table has bands.", nullable=True),
        Column("label", pl.Utf8, "The row's label as printed, footnote letters included."),
        NAME, COUNTRY_ISO3, IS_TOTAL, SERIES, ESTIMATE,
        Column("block", pl.Utf8, "JSON: the block heading and row notes the row sits under, where any.", nullable=True),
        YEAR, VALUE, VALUE_TEXT, SNAPSHOT_ID, DATASET, SOURCE_FILE, CROP, MEASURE,
        Column("unit", pl.Utf8, "The table's unit (hectares, tons).", nullable=True),
        EDITION,
        # An Int32, unlike the compiled table's: the ingest writes it from a Python literal.
        Column("edition_year", pl.Int32, "The year of the edition."),
        Column("table_title", pl.Utf8, "The annex table's title."),
    ], [COUNTRY_OR_TOTAL])

CompiledValues = Table(
    "crop_compiled_values", "Compiled country-year crop figures, each with its source type and edition.", [
        source_row(), CROP, COUNTRY_ISO3, IS_TOTAL,
        Column("name", pl.Utf8, "The country or total as the file names it.", nullable=True),
        SERIES,
        Column("series_note", pl.Utf8, "What the series measures, in words.", nullable=True),
        ESTIMATE, MEASURE, YEAR, VALUE, VALUE_TEXT,
        Column("source_type", pl.Utf8, "The kind of publication the figure was taken from.", min_length=3),
        Column("source", pl.Utf8, "The publication the figure was taken from.",
               contains=r"UNODC|World Drug Report|WDR|national illicit crop monitoring"),
        EDITION,
        Column("edition_year", pl.Int64, "The year of the edition."),
        Column("cross_check", pl.Utf8, "How the figure was checked against another publication.", nullable=True),
        SNAPSHOT_ID, DATASET, SOURCE_FILE,
    ], [COUNTRY_OR_TOTAL])

TotalChecks = Table("crop_total_checks", "Each annex table's published totals against the sum of its rows.", [
    Column("total", pl.Utf8, "The total's name as printed (Total, Subtotal ...)."),
    Column("band", pl.Utf8, "The band of rows a subtotal sums, where the table has bands.", nullable=True),
    Column("year", pl.Int64, "The year of the total."),
    Column("published", pl.Float64, "The published total."),
    Column("rows_sum", pl.Float64, "The sum of its rows."),
    Column("difference", pl.Float64, "The published total less the sum of its rows."),
    Column("agrees", pl.Boolean, "True where they agree to half a unit."),
    Column("source_row", pl.Int64, "The row of the total in the annex table.", ge=1),
    SNAPSHOT_ID, SOURCE_FILE, CROP, MEASURE, EDITION,
])

CropFiles = files_table(
    "crop_files", "One row per crop file read, with its facts (title, unit, footnotes, Sources and Note lines).",
    [SNAPSHOT_ID, DATASET, FORMAT, SOURCE_FILE, HEADER_FINGERPRINT, *COUNT_COLUMNS, FACTS, WARNINGS])

CropRejects = Rejects.named("crop_rejects", "Rejected crop rows with file, row, column and reason.")

TABLES = [CropSnapshots, AnnexValues, CompiledValues, TotalChecks, CropFiles, CropRejects]


# --------------------------------------------------------------------------- rule checks
# Plain functions of a raw table and the check's context (orchestration/checks.py RuleContext):
# each returns (passed, details); the Dagster wrapper shows lists and dicts as JSON.

def totals_agree(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    off = frame.filter(~pl.col("agrees")) if frame.height else frame
    return off.height == 0, {
        "totals_checked": frame.height,
        "discrepancies": (off.select("source_file", "total", "year", "published", "rows_sum", "difference").to_dicts()
                          if off.height else [])}
