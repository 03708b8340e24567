"""The indicator registry, flattened: every code unique, every attribute from a closed list."""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

from sources.family import families

KINDS = ["member_states_count", "member_states_assisted_count", "output_count", "trend", "percentage",
         "qualitative"]
# The source families that answer indicator lines (`answered_by`), from their declarations.
FAMILIES = [f.name for f in families() if f.answers_indicators]
RULES = ["assistance_direct", "political_process", "own_output"]
# How an indicator's regional and world values are formed (registry `aggregation.method`).
AGGREGATION_METHODS = ["published", "sum", "mean", "population_weighted_mean", "count", "ratio_of_sums"]
COVERAGE_BASES = ["member_states", "cultivating_countries", "reporting_countries"]


class IndicatorRegistry(pa.DataFrameModel):
    indicator_code: str = pa.Field(unique=True, str_matches=r"^[A-Z]{3}\.R\d+\.[IND]\d+$")
    result_code: str = pa.Field(str_matches=r"^[A-Z]{3}\.R\d+$")
    indicator_text: str = pa.Field(str_length={"min_value": 10})
    line_kind: str = pa.Field(isin=["indicator", "note"])
    origin: str = pa.Field(isin=["annex", "derived"])
    kind: str = pa.Field(isin=KINDS, nullable=True)
    direction: str = pa.Field(isin=["higher_is_better", "lower_is_better", "none"], nullable=True)
    answered_by: str = pa.Field(isin=FAMILIES, nullable=True)
    influence_rule: str = pa.Field(isin=RULES, nullable=True)
    baseline_year: int = pa.Field(ge=2000, le=2011, nullable=True)
    aggregation_method: str = pa.Field(isin=AGGREGATION_METHODS, nullable=True)
    aggregation_fallback: str = pa.Field(isin=AGGREGATION_METHODS, nullable=True)
    aggregation_coverage_base: str = pa.Field(isin=COVERAGE_BASES, nullable=True)
    aggregation_min_coverage: float = pa.Field(ge=0, le=1, nullable=True)

    class Config:
        strict = False

    @pa.dataframe_check(error="an aggregation declares its method, what coverage is measured against, its minimum and a sentence")
    def aggregation_complete(cls, data: pa.PolarsData) -> pl.LazyFrame:
        declared = pl.col("aggregation_method").is_not_null()
        complete = (pl.col("aggregation_coverage_base").is_not_null() & pl.col("aggregation_min_coverage").is_not_null()
                    & pl.col("aggregation_text").is_not_null())
        return data.lazyframe.select(~declared | complete)

    @pa.dataframe_check(error="an indicator line has a kind, a direction and an influence rule; a note has none")
    def attributes_complete(cls, data: pa.PolarsData) -> pl.LazyFrame:
        filled = pl.col("kind").is_not_null() & pl.col("direction").is_not_null() & pl.col("influence_rule").is_not_null()
        return data.lazyframe.select(pl.when(pl.col("line_kind") == "indicator").then(filled).otherwise(~filled))

    @pa.dataframe_check(error="an indicator no source answers says which data it awaits")
    def answered_or_awaiting(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("line_kind") == "note") | pl.col("answered_by").is_not_null() | pl.col("awaits").is_not_null())

    @pa.dataframe_check(error="an approximation describes how a source answers a line: the line names the source")
    def approximation_answered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("approximation").is_null() | pl.col("answered_by").is_not_null())

    @pa.dataframe_check(error="a derived line says why it exists")
    def derived_explained(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("origin") == "annex") | pl.col("origin_note").is_not_null())

    @pa.dataframe_check(error="paired_with names an indicator in the registry")
    def pairs_exist(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("paired_with").is_null() | pl.col("paired_with").is_in(pl.col("indicator_code").implode()))


class RegistryResults(pa.DataFrameModel):
    result_code: str = pa.Field(unique=True, str_matches=r"^[A-Z]{3}\.R\d+$")
    result_text: str = pa.Field(str_length={"min_value": 10})
    area_code: str = pa.Field(str_matches=r"^[A-Z]{3}$")
    theme_code: str = pa.Field(isin=["AN", "RL", "HS"])
    main_objectives: str = pa.Field(str_length={"min_value": 10})

    class Config:
        strict = False
