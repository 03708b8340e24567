"""Raw tables of the drug_use_and_markets family: WDR prevalence of drug use (national, 1.2;
regional and global, 1.1), drug prices and purities (8.1), the files read and their rejects
(sources/drug_use/README.md)."""
from __future__ import annotations

import polars as pl

from .common import (COUNT_COLUMNS, DATASET, FACTS, FORMAT, HEADER_FINGERPRINT, ISO3_PATTERN, SNAPSHOT_ID,
                     SOURCE_FILE, WARNINGS, Rejects, Snapshots, files_table)
from .tables import Column, Table, row_rule

AREA_KINDS = ["country", "subnational", "other"]
EDITION = Column("edition", pl.Utf8, "The edition of the publication the table is from (WDR 2022), from the snapshot.")
SHEET = Column("sheet", pl.Utf8, "The workbook sheet the row was read from.")
ROW = Column("source_row", pl.Int64, "The row of the sheet (as Excel numbers it) the figure was read from.", ge=1)


def _area() -> list[Column]:
    return [
        Column("region", pl.Utf8, "The UNODC region the table prints (carried down its block).", nullable=True),
        Column("subregion", pl.Utf8, "The UNODC subregion the table prints (carried down its block).", nullable=True),
        Column("country_name", pl.Utf8, "The country or territory as the table names it.", min_length=1),
        Column("area_kind", pl.Utf8, "country, subnational (a survey of part of a country, as England and Wales) or "
                                     "other (an area that is neither).", isin=AREA_KINDS),
        Column("country_iso3", pl.Utf8, "ISO3 code of a country row; empty on any other.", nullable=True,
               pattern=ISO3_PATTERN),
        Column("parent_iso3", pl.Utf8, "The country a subnational row is part of.", nullable=True, pattern=ISO3_PATTERN),
    ]


_AREA_RULES = [
    row_rule("country_has_its_iso3", "a country row, and only a country row, has its ISO3 code",
             (pl.col("area_kind") == "country") == pl.col("country_iso3").is_not_null()),
    row_rule("part_has_its_country", "a subnational row, and only a subnational row, names the country it is part of",
             (pl.col("area_kind") == "subnational") == pl.col("parent_iso3").is_not_null()),
]
_TAG = [SNAPSHOT_ID, DATASET, SOURCE_FILE, EDITION]

DrugUseSnapshots = Snapshots.named("drug_use_snapshots", "Provenance of every WDR drug use and drug market workbook read.")

DrugPrevalence = Table(
    "drug_use_prevalence", "National prevalence of drug use as WDR table 1.2 publishes it: one row per survey, drug, "
                           "recall period and sex.", [
        SHEET, ROW,
        Column("table_title", pl.Utf8, "The sheet's title above the header, as published.", nullable=True),
        Column("drug", pl.Utf8, "The drug the sheet is about, from its title's first line (Cannabis, Opiates).",
               min_length=1),
        Column("substance_group", pl.Utf8, "The NPS type (Synthetic cannabinoids, Ketamine) on the NPS sheet.",
               nullable=True),
        Column("substance", pl.Utf8, "The substance surveyed on the NPS sheet.", nullable=True),
        Column("recall_period", pl.Utf8, "past year (annual prevalence), lifetime or past month.",
               isin=["past year", "lifetime", "past month"]),
        *_area(),
        Column("year", pl.Int64, "The survey year (the first year of a span such as 2010-11).", ge=1950, le=2100),
        Column("year_end", pl.Int64, "The last year of the survey (the year itself where it is one).", ge=1950, le=2100),
        Column("year_text", pl.Utf8, "The survey year as published (2016, 2010-11).", min_length=4),
        Column("age", pl.Utf8, "The age range of the population, as published (15-64, 12+, 16-59).", nullable=True),
        Column("sex", pl.Utf8, "Total, Male or Female: the table gives Low and High only for the total.",
               isin=["Total", "Male", "Female"]),
        Column("best", pl.Float64, "The best estimate, percent of the population of the age range.", ge=0, le=100),
        Column("low", pl.Float64, "The low end of the estimate's range, where published.", nullable=True, ge=0, le=100),
        Column("high", pl.Float64, "The high end of the estimate's range, where published.", nullable=True, ge=0,
               le=100),
        Column("best_text", pl.Utf8, "The best estimate as published.", min_length=1),
        Column("source", pl.Utf8, "The source of the estimate as published (ARQ, Government source).", nullable=True),
        Column("method", pl.Utf8, "The method code as published (HHS household survey, SS school survey, I indirect "
                                  "estimate, A adjusted, R registry).", nullable=True),
        Column("adjustment_notes", pl.Utf8, "UNODC's adjustment letters as published (a adjusted for age ...).",
               nullable=True),
        Column("specific_notes", pl.Utf8, "The row's own note as published.", nullable=True),
        *_TAG,
    ], [*_AREA_RULES,
        row_rule("span_in_order", "a survey ends no earlier than it starts", pl.col("year_end") >= pl.col("year")),
        row_rule("bounds_in_order", "the low end is not above the high end",
                 pl.col("low").is_null() | pl.col("high").is_null() | (pl.col("low") <= pl.col("high")))])

DrugRegionalPrevalence = Table(
    "drug_use_regional_prevalence", "UNODC's regional and global estimates of drug use (WDR table 1.1): users and "
                                    "prevalence with their bounds, per region and drug.", [
        SHEET, ROW,
        Column("table_title", pl.Utf8, "The sheet's title, which ends with the year of the estimates.", nullable=True),
        Column("year", pl.Int64, "The year of the estimates, from the title.", ge=1950, le=2100),
        Column("region_name", pl.Utf8, "The region, subregion or global row as published.", min_length=1),
        Column("region_level", pl.Utf8, "global, region or subregion (UNODC's, not M49's).",
               isin=["global", "region", "subregion"]),
        Column("region", pl.Utf8, "The UNODC region a subregion lies in (the region itself on a region row).",
               nullable=True),
        Column("drug", pl.Utf8, "The drug, footnote letters taken off (Cocaine).", min_length=1),
        Column("drug_text", pl.Utf8, "The drug as the header prints it (Cocainea).", min_length=1),
        Column("measure", pl.Utf8, "users (number of persons) or prevalence (percent).", isin=["users", "prevalence"]),
        Column("unit", pl.Utf8, "persons or percent (the header's 'thousands' is the cell format: cells hold persons).",
               isin=["persons", "percent"]),
        Column("best", pl.Float64, "The best estimate.", nullable=True, ge=0),
        Column("low", pl.Float64, "The lower bound.", nullable=True, ge=0),
        Column("high", pl.Float64, "The upper bound.", nullable=True, ge=0),
        *_TAG,
    ])

_MARKET = [
    SHEET, ROW,
    Column("source", pl.Utf8, "The source as published (ARQ, DAINAP, Govt).", nullable=True),
    *_area(),
    Column("drug_group", pl.Utf8, "The drug group as published.", nullable=True),
    Column("drug", pl.Utf8, "The drug as published (empty where the table gives only its group).", nullable=True),
    Column("drug_state", pl.Utf8, "The drug's state as published.", nullable=True),
    Column("level_of_sale", pl.Utf8, "The level of sale as published (Street, Retail, Wholesale).", min_length=1),
    Column("level", pl.Utf8, "retail (Street or Retail) or wholesale.", isin=["retail", "wholesale"]),
    Column("year", pl.Int64, "The year of the figure.", ge=1950, le=2100),
]

DrugPrices = Table(
    "drug_use_prices", "Drug prices as WDR table 8.1 publishes them, in the unit and currency of each row, never "
                       "converted.", [
        *_MARKET,
        Column("typical", pl.Float64, "The typical price, where published.", nullable=True, ge=0),
        Column("minimum", pl.Float64, "The minimum price, where published.", nullable=True, ge=0),
        Column("maximum", pl.Float64, "The maximum price, where published.", nullable=True, ge=0),
        Column("unit", pl.Utf8, "The unit the price is for, as published (Gram, 5 gram, Kilograms, Tablet).",
               min_length=1),
        Column("unit_normalised", pl.Utf8, "The unit's spelling made uniform (gram, kilogram, tablet), not converted."),
        Column("currency", pl.Utf8, "The currency as published (EUR, Euro, USA, United States dollar, National "
                                    "currency (not EUR, USD or CHF)).", min_length=1),
        Column("currency_code", pl.Utf8, "USD, EUR, CHF, or national (a national currency the table does not name).",
               isin=["USD", "EUR", "CHF", "national"]),
        *_TAG,
    ], [*_AREA_RULES,
        row_rule("some_price", "a row gives a typical, minimum or maximum price",
                 pl.any_horizontal(pl.col("typical", "minimum", "maximum").is_not_null())),
        row_rule("range_in_order", "the minimum is not above the maximum",
                 pl.col("minimum").is_null() | pl.col("maximum").is_null() | (pl.col("minimum") <= pl.col("maximum")))])

DrugPurities = Table(
    "drug_use_purities", "Drug purities as WDR table 8.1 publishes them, with the scale each row is read in and the "
                         "fraction beside it.", [
        *_MARKET,
        Column("typical", pl.Float64, "The typical purity as published, where published.", nullable=True, ge=0),
        Column("minimum", pl.Float64, "The minimum purity as published, where published.", nullable=True, ge=0),
        Column("maximum", pl.Float64, "The maximum purity as published, where published.", nullable=True, ge=0),
        Column("purity_unit", pl.Utf8, "The purity's unit as published (% (percent), mg/tablet).", min_length=1),
        Column("purity_scale", pl.Utf8, "How the figures are read: fraction (all at most 1 under '% (percent)'), "
                                        "percent (one above 1) or mg per tablet.",
               isin=["fraction", "percent", "mg per tablet"]),
        Column("typical_fraction", pl.Float64, "The typical purity as a fraction (0-1); empty in mg per tablet.",
               nullable=True, ge=0, le=1),
        Column("minimum_fraction", pl.Float64, "The minimum purity as a fraction (0-1).", nullable=True, ge=0, le=1),
        Column("maximum_fraction", pl.Float64, "The maximum purity as a fraction (0-1).", nullable=True, ge=0, le=1),
        *_TAG,
    ], [*_AREA_RULES,
        row_rule("fraction_where_percent", "a purity in percent or as a fraction has its fraction; mg per tablet none",
                 (pl.col("purity_scale") == "mg per tablet") == pl.all_horizontal(
                     pl.col("typical_fraction", "minimum_fraction", "maximum_fraction").is_null()))])

DrugUseFiles = files_table(
    "drug_use_files", "One row per WDR drug workbook read: the layout of each sheet, its header row, notes skipped, "
                      "drugs, years, currencies and purity scales found (facts), and its counts.",
    [SNAPSHOT_ID, DATASET, FORMAT, SOURCE_FILE, HEADER_FINGERPRINT, *COUNT_COLUMNS, FACTS, WARNINGS])

DrugUseRejects = Rejects.named("drug_use_rejects", "Rejected rows of the WDR drug tables with file, sheet, row, column "
                                                   "and reason.")

TABLES = [DrugUseSnapshots, DrugPrevalence, DrugRegionalPrevalence, DrugPrices, DrugPurities, DrugUseFiles,
          DrugUseRejects]
