"""Raw project-output tables: IATI activities and results, filled submission templates."""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

from .common import ISO3_PATTERN, SHA256_PATTERN


class IatiActivities(pa.DataFrameModel):
    snapshot_id: str = pa.Field(str_matches=SHA256_PATTERN)
    iati_identifier: str = pa.Field(str_length={"min_value": 3})
    reporting_org_ref: str = pa.Field(str_length={"min_value": 2})
    activity_position: int = pa.Field(ge=1)
    is_illustrative: bool

    class Config:
        strict = False

    @pa.dataframe_check(error="an activity's dates are ISO dates")
    def iso_dates(cls, data: pa.PolarsData) -> pl.LazyFrame:
        ok = pl.lit(True)
        for col in ("planned_start", "actual_start", "planned_end", "actual_end"):
            ok = ok & (pl.col(col).is_null() | pl.col(col).str.contains(r"^\d{4}-\d{2}-\d{2}"))
        return data.lazyframe.select(ok)


class IatiCountries(pa.DataFrameModel):
    country_code: str = pa.Field(str_matches=r"^[A-Z]{2}$")
    country_iso3: str = pa.Field(str_matches=ISO3_PATTERN, nullable=False)
    percentage: float = pa.Field(ge=0, le=100, nullable=True)

    class Config:
        strict = False


class IatiValues(pa.DataFrameModel):
    value_kind: str = pa.Field(isin=["baseline", "target", "actual"])
    value: float = pa.Field(nullable=True)

    class Config:
        strict = False

    @pa.dataframe_check(error="a period's end is not before its start")
    def period_in_order(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("period_start").is_null() | pl.col("period_end").is_null()
                                     | (pl.col("period_end") >= pl.col("period_start")))


class TemplateValues(pa.DataFrameModel):
    country_iso3: str = pa.Field(str_matches=ISO3_PATTERN)
    indicator_code: str = pa.Field(str_matches=r"^[A-Z]{3}\.R\d+\.[ID]\d+$")
    year: int = pa.Field(ge=2008, le=2100)
    value: float = pa.Field(ge=0)

    class Config:
        strict = False


class IatiSectors(pa.DataFrameModel):
    vocabulary: str
    sector_code: str = pa.Field(str_length={"min_value": 1})
    percentage: float = pa.Field(ge=0, le=100, nullable=True)

    class Config:
        strict = False


class IatiIndicators(pa.DataFrameModel):
    result_index: int = pa.Field(ge=1)
    indicator_index: int = pa.Field(ge=1)
    measure: str = pa.Field(isin=["1", "2", "3", "4", "5"])
    ascending: str = pa.Field(isin=["0", "1", "true", "false"])

    class Config:
        strict = False


class IatiBudgets(pa.DataFrameModel):
    value: float = pa.Field(ge=0, nullable=True)
    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$", nullable=True)

    class Config:
        strict = False


class IatiTransactions(pa.DataFrameModel):
    transaction_type: str = pa.Field(str_matches=r"^\d{1,2}$", nullable=True)
    currency: str = pa.Field(str_matches=r"^[A-Z]{3}$", nullable=True)

    class Config:
        strict = False
