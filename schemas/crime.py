"""Raw crime statistics: UN-CTS observations and WDR drug seizures."""
from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from .common import ISO3_PATTERN, SHA256_PATTERN

UNIT_KINDS = ["country", "subnational", "territory", "alias", "combined", "aggregate"]


class CtsObservations(pa.DataFrameModel):
    snapshot_id: str = pa.Field(str_matches=SHA256_PATTERN)
    dataset: str = pa.Field(str_matches=r"^cts_[a-z0-9_]+$")
    source_row: int = pa.Field(ge=2)
    reporting_unit: str
    unit_kind: str = pa.Field(isin=UNIT_KINDS)
    country_iso3: str = pa.Field(str_matches=ISO3_PATTERN, nullable=True)
    year: int = pa.Field(ge=1900, le=date.today().year)
    unit: str = pa.Field(str_length={"min_value": 1})
    value_text: str = pa.Field(str_length={"min_value": 1})
    value_numeric: float = pa.Field(nullable=True)
    is_censored: bool
    censor_upper: float = pa.Field(ge=0, nullable=True)
    key_occurrences: int = pa.Field(ge=1)

    class Config:
        strict = False

    @pa.dataframe_check(error="a value is a number or a censored '<n'; never both, never neither")
    def value_kept(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("value_numeric").is_not_null() ^ pl.col("is_censored"))

    @pa.dataframe_check(error="counts are not negative")
    def counts_not_negative(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("unit") != "Counts") | pl.col("value_numeric").is_null()
                                     | (pl.col("value_numeric") >= 0))

    @pa.dataframe_check(error="one row per snapshot and source row")
    def one_row_per_source_row(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(~pl.struct("snapshot_id", "source_row").is_duplicated())


class DrugSeizures(pa.DataFrameModel):
    snapshot_id: str = pa.Field(str_matches=SHA256_PATTERN)
    source_row: int = pa.Field(ge=2)
    iso3: str = pa.Field(str_matches=ISO3_PATTERN)
    year: int = pa.Field(ge=1900, le=date.today().year)
    drug_group: str = pa.Field(nullable=True)
    drug_name: str = pa.Field(nullable=True)
    kg_equivalent: float = pa.Field(ge=0, nullable=True)
    is_reported_total: bool
    edition: str

    class Config:
        strict = False


class ReportingUnits(pa.DataFrameModel):
    unit_kind: str = pa.Field(isin=UNIT_KINDS[1:])
    country_iso3: str = pa.Field(str_matches=ISO3_PATTERN, nullable=True)

    class Config:
        strict = False

    @pa.dataframe_check(error="a covering part (the units that together cover a country) belongs to a subnational unit of a country")
    def covering_part_of_a_country(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("covering_part").is_null()
                                     | ((pl.col("unit_kind") == "subnational") & pl.col("country_iso3").is_not_null()))

    @pa.dataframe_check(error="a unit has a code or a name as it appears in the source")
    def identified(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("code").is_not_null() | pl.col("name_in_source").is_not_null())
