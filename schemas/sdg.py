"""Raw SDG Global Database tables: one observation per published figure (from the DDF re-cut or the
SDG API), the files read, their rejects, and the reviewed SDG areas that are neither countries nor
M49 regions (sources/sdg/README.md)."""
from __future__ import annotations

import polars as pl

from .common import (COUNT_COLUMNS, DATASET, FACTS, FORMAT, HEADER_FINGERPRINT, ISO3_PATTERN, M49_PATTERN,
                     SNAPSHOT_ID, SOURCE_FILE, WARNINGS, Rejects, Snapshots, files_table)
from .tables import Column, Table, row_rule

AREA_KINDS = ["world", "region", "country", "subnational", "other"]
# The key a figure is published under: a second row with the same key is reported, never dropped.
NATURAL_KEY = ["snapshot_id", "series_code", "geo_area_code", "year", "units", "sex", "age", "reporting_type",
               "dimensions"]

SdgSnapshots = Snapshots.named("sdg_snapshots", "Provenance of every SDG Global Database snapshot (DDF re-cut files, "
                                                "fetched SDG API series).")

SdgObservations = Table(
    "sdg_observations", "One row per figure the SDG Global Database publishes, codes as the SDG API spells them.", [
        Column("source_row", pl.Int64, "DDF file: its CSV line (header = line 1); SDG API series: the observation's "
                                       "position across the pages in order, from 1.", ge=1),
        Column("series_code", pl.Utf8, "The SDG series (VC_IHR_PSRC).", pattern=r"^[A-Z][A-Z0-9_]{1,39}$"),
        Column("sdg_indicator", pl.Utf8, "The SDG indicator(s) of the series (16.1.1; several joined by ', ').",
               nullable=True),
        Column("geo_area_code", pl.Utf8, "The M49 area code, three digits (004; 001 the world).", pattern=M49_PATTERN),
        Column("geo_area_name", pl.Utf8, "The area's name as the SDG database gives it.", nullable=True),
        Column("area_kind", pl.Utf8, "world, region (an area of the M49 geographic scheme), country, subnational "
                                     "(part of a country) or other (an SDG or development grouping).", isin=AREA_KINDS),
        Column("country_iso3", pl.Utf8, "ISO3 code of a country row; empty on any other.", nullable=True,
               pattern=ISO3_PATTERN),
        Column("parent_iso3", pl.Utf8, "ISO3 code of the country a subnational row is part of.", nullable=True,
               pattern=ISO3_PATTERN),
        Column("year", pl.Int64, "The year of the figure (timePeriodStart).", ge=1900, le=2100),
        Column("value", pl.Float64, "The figure, in its units."),
        Column("value_text", pl.Utf8, "The figure as published.", min_length=1),
        Column("lower_bound", pl.Float64, "The lower bound the SDG API gives; empty in the DDF re-cut.", nullable=True),
        Column("upper_bound", pl.Float64, "The upper bound the SDG API gives; empty in the DDF re-cut.", nullable=True),
        Column("units", pl.Utf8, "The units code as the SDG API spells it (PER_100000_POP, PERCENT, NUMBER).",
               nullable=True),
        Column("nature", pl.Utf8, "The SDG nature code as published (C, CA, E, G, M, N); empty where not stated.",
               nullable=True),
        Column("sex", pl.Utf8, "The sex code (BOTHSEX, FEMALE, MALE, _O, _U); empty where the series has none.",
               nullable=True),
        Column("age", pl.Utf8, "The age group as published (15+, <18Y, 18+, ALLAGE); empty where none.", nullable=True),
        Column("observation_status", pl.Utf8, "The SDMX observation status where the series gives one.", nullable=True),
        Column("reporting_type", pl.Utf8, "The SDG API's Reporting Type (G global, N national); the re-cut drops it.",
               nullable=True),
        Column("dimensions", pl.Utf8, "JSON with sorted keys: every other dimension or attribute, by its DDF concept "
                                      "id ({\"substance_use_disorders\": \"OPIOIDS\"}).", nullable=True),
        Column("data_source", pl.Utf8, "The SDG API's source of the figure; the re-cut does not carry it.", nullable=True),
        Column("footnote", pl.Utf8, "The SDG API's footnotes, joined by '; '.", nullable=True),
        SNAPSHOT_ID, DATASET, SOURCE_FILE,
    ], [
        row_rule("country_has_its_iso3", "a country row, and only a country row, has its ISO3 code",
                 (pl.col("area_kind") == "country") == pl.col("country_iso3").is_not_null()),
        row_rule("part_has_its_country", "a subnational row, and only a subnational row, names the country it is part of",
                 (pl.col("area_kind") == "subnational") == pl.col("parent_iso3").is_not_null()),
        row_rule("world_is_001", "the world is M49 001, and 001 is the world",
                 (pl.col("area_kind") == "world") == (pl.col("geo_area_code") == "001")),
    ],
    # Rules of a row each: checked, and kept, release by release (a new release is checked alone).
    batch_by="snapshot_id")

SdgAreas = Table(
    "sdg_areas", "The reviewed M49 codes of the SDG database that are neither a country nor an area of the M49 "
                 "geographic scheme (sources/sdg/areas.csv).", [
        Column("m49_code", pl.Utf8, "The M49 code.", unique=True, pattern=M49_PATTERN),
        Column("area_kind", pl.Utf8, "subnational (part of a country) or other (an SDG or development grouping).",
               isin=["subnational", "other"]),
        Column("grouping", pl.Utf8, "What kind of area it is (SDG region, development group, part of a country)."),
        Column("name", pl.Utf8, "The area's name."),
        Column("parent_iso3", pl.Utf8, "The country a part belongs to.", nullable=True, pattern=ISO3_PATTERN),
        Column("cts_reporting_unit", pl.Utf8, "The UN-CTS reporting unit of the same part (GBR_E_W).", nullable=True),
        Column("note", pl.Utf8, "What to know about the area.", nullable=True),
    ], [
        row_rule("part_has_its_country", "a part of a country names its country",
                 (pl.col("area_kind") == "subnational") == pl.col("parent_iso3").is_not_null()),
    ])

SdgFiles = files_table(
    "sdg_files", "One row per SDG file read: its layout (DDF or API), series, years, areas by kind, natures and units "
                 "found (facts), and its counts.",
    [SNAPSHOT_ID, DATASET, FORMAT, SOURCE_FILE, HEADER_FINGERPRINT, *COUNT_COLUMNS, FACTS, WARNINGS])

SdgRejects = Rejects.named("sdg_rejects", "Rejected SDG observations with file, row, column and reason.")

TABLES = [SdgSnapshots, SdgObservations, SdgFiles, SdgRejects, SdgAreas]


# --------------------------------------------------------------------------- rule checks
# Plain functions of a raw table and the check's context (orchestration/checks.py RuleContext):
# each returns (passed, details); the Dagster wrapper shows lists and dicts as JSON.

def duplicate_keys(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    """Rows of one snapshot that share series, area, year, units and dimensions: the readers keep them
    all with their rows, and this says where (none in the bundled files)."""
    if not frame.height:
        return True, {"rows_sharing_a_key": 0, "by_file": []}
    dups = frame.filter(pl.len().over(NATURAL_KEY) > 1)
    by_file = dups.group_by("source_file").len().sort("source_file").to_dicts()
    return dups.height == 0, {"rows_sharing_a_key": dups.height, "by_file": by_file,
                              "first": dups.sort("source_file", "source_row").head(20).select(
                                  "source_file", "source_row", "series_code", "geo_area_code", "year").to_dicts()}
