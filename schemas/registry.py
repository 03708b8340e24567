"""The indicator registry, flattened: every code unique, every attribute from a closed list."""
from __future__ import annotations

import polars as pl

from sources.family import families

from .common import Snapshots
from .tables import Column, Table, row_rule

KINDS = ["member_states_count", "member_states_assisted_count", "output_count", "trend", "percentage",
         "qualitative"]
# The source families that answer indicator lines (`answered_by`), from their declarations.
FAMILIES = [f.name for f in families() if f.answers_indicators]
RULES = ["assistance_direct", "political_process", "own_output"]
# How an indicator's regional and world values are formed (registry `aggregation.method`).
AGGREGATION_METHODS = ["published", "sum", "mean", "population_weighted_mean", "count", "ratio_of_sums"]
COVERAGE_BASES = ["member_states", "cultivating_countries", "reporting_countries"]
RESULT_CODE = r"^[A-Z]{3}\.R\d+$"
ATTRIBUTES_FILLED = pl.col("kind").is_not_null() & pl.col("direction").is_not_null() & pl.col("influence_rule").is_not_null()

IndicatorRegistry = Table(
    "registry_indicators",
    "Every indicator line of the strategy's annex with its attributes (sources/strategy/registry.yaml).", [
        Column("indicator_code", pl.Utf8, "The line's stable code: result area, result, I (annex) or D (derived) or N (note), number.",
               unique=True, pattern=r"^[A-Z]{3}\.R\d+\.[IND]\d+$"),
        Column("result_code", pl.Utf8, "The result the line measures.", pattern=RESULT_CODE),
        Column("annex_order", pl.Int64, "The line's place in the registry, the annex's order.", ge=1),
        Column("indicator_text", pl.Utf8, "The annex line, verbatim.", min_length=10),
        Column("line_kind", pl.Utf8, "indicator, or a note the annex prints among the indicators.", isin=["indicator", "note"]),
        Column("origin", pl.Utf8, "annex, or derived by the project from an annex line.", isin=["annex", "derived"]),
        Column("origin_note", pl.Utf8, "Why a derived line exists.", nullable=True),
        Column("kind", pl.Utf8, "What kind of figure the line asks for.", nullable=True, isin=KINDS),
        Column("unit", pl.Utf8, "The unit of the line's values.", nullable=True),
        Column("direction", pl.Utf8, "Which way is better.", nullable=True, isin=["higher_is_better", "lower_is_better", "none"]),
        Column("answered_by", pl.Utf8, "The source family that answers the line.", nullable=True, isin=FAMILIES),
        Column("awaits", pl.Utf8, "The data a line no source answers yet awaits.", nullable=True),
        Column("influence_rule", pl.Utf8, "How UNODC's part in a change is judged.", nullable=True, isin=RULES),
        Column("paired_with", pl.Utf8, "The indicator the annex pairs the line with.", nullable=True),
        Column("baseline_year", pl.Int64, "The line's baseline year.", nullable=True, ge=2000, le=2011),
        Column("targets", pl.Utf8, "JSON list: the line's targets (year, description)."),
        Column("sdg_series", pl.Utf8, "The SDG series the line corresponds to, comma-separated.", nullable=True),
        Column("computation_rule", pl.Utf8, "How the warehouse computes the line, where it does.", nullable=True),
        Column("computation_instruments", pl.Utf8, "The instruments a ratification line counts, comma-separated.", nullable=True),
        Column("requires_assistance", pl.Boolean, "True where the line counts only countries UNODC assisted."),
        Column("computation_spec", pl.Utf8, "JSON: the line's whole computation entry.", nullable=True),
        Column("aggregation_method", pl.Utf8, "How regional and world values are formed.", nullable=True, isin=AGGREGATION_METHODS),
        Column("aggregation_fallback", pl.Utf8, "The method used where the first cannot be.", nullable=True, isin=AGGREGATION_METHODS),
        Column("aggregation_coverage_base", pl.Utf8, "What an aggregate's coverage is measured against.", nullable=True,
               isin=COVERAGE_BASES),
        Column("aggregation_min_coverage", pl.Float64, "The least coverage an aggregate needs to be published.", nullable=True,
               ge=0, le=1),
        Column("aggregation_text", pl.Utf8, "The aggregation in one sentence.", nullable=True),
        Column("approximation", pl.Utf8, "How a line answered only in part or by proxy is approximated.", nullable=True),
    ], [
        row_rule("aggregation_complete",
                 "an aggregation declares its method, what coverage is measured against, its minimum and a sentence",
                 pl.col("aggregation_method").is_null()
                 | (pl.col("aggregation_coverage_base").is_not_null() & pl.col("aggregation_min_coverage").is_not_null()
                    & pl.col("aggregation_text").is_not_null())),
        row_rule("attributes_complete", "an indicator line has a kind, a direction and an influence rule; a note has none",
                 pl.when(pl.col("line_kind") == "indicator").then(ATTRIBUTES_FILLED).otherwise(~ATTRIBUTES_FILLED)),
        row_rule("answered_or_awaiting", "an indicator no source answers says which data it awaits",
                 (pl.col("line_kind") == "note") | pl.col("answered_by").is_not_null() | pl.col("awaits").is_not_null()),
        row_rule("approximation_answered", "an approximation describes how a source answers a line: the line names the source",
                 pl.col("approximation").is_null() | pl.col("answered_by").is_not_null()),
        row_rule("derived_explained", "a derived line says why it exists",
                 (pl.col("origin") == "annex") | pl.col("origin_note").is_not_null()),
        row_rule("pairs_exist", "paired_with names an indicator in the registry",
                 pl.col("paired_with").is_null() | pl.col("paired_with").is_in(pl.col("indicator_code").implode())),
    ])

RegistryResults = Table("registry_results", "Results with their result area, theme and main objectives.", [
    Column("result_code", pl.Utf8, "The result's code: result area and number.", unique=True, pattern=RESULT_CODE),
    Column("result_text", pl.Utf8, "The result, verbatim.", min_length=10),
    Column("result_order", pl.Int64, "The result's place in the strategy.", ge=1),
    Column("area_code", pl.Utf8, "The result area's code.", pattern=r"^[A-Z]{3}$"),
    Column("area_name", pl.Utf8, "The result area's name."),
    Column("theme_code", pl.Utf8, "The theme's code: analysis, rule of law, human security.", isin=["AN", "RL", "HS"]),
    Column("theme_name", pl.Utf8, "The theme's name."),
    Column("main_objectives", pl.Utf8, "The theme's main objectives, separated by |.", min_length=10),
])

RegistrySnapshots = Snapshots.named("registry_snapshots", "Provenance of the strategy text the registry transcribes.")

TABLES = [IndicatorRegistry, RegistryResults, RegistrySnapshots]
