from __future__ import annotations

from datetime import date

import pandera.polars as pa
import polars as pl

from .common import ISO3_PATTERN, M49_PATTERN

ENTITY_KINDS = ["member_state", "observer_state", "non_member_state", "historical_state",
                "territory", "historical_territory", "regional_organisation"]


class Countries(pa.DataFrameModel):
    iso3: str = pa.Field(str_matches=ISO3_PATTERN, unique=True)
    m49_code: str = pa.Field(str_matches=M49_PATTERN, nullable=True)
    name: str = pa.Field(str_length={"min_value": 2})
    entity_kind: str = pa.Field(isin=ENTITY_KINDS)
    un_admission_year: int = pa.Field(ge=1945, le=date.today().year, nullable=True)
    un_exit_year: int = pa.Field(ge=1945, le=date.today().year, nullable=True)
    m49_region_code: str = pa.Field(isin=["002", "009", "019", "142", "150"], nullable=True)

    class Config:
        strict = False

    @pa.dataframe_check(error="every member State has an admission date, its year, and an M49 region")
    def members_complete(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("entity_kind") != "member_state")
            | (pl.col("un_admission_year").is_not_null() & pl.col("m49_region_code").is_not_null()
               & pl.col("un_admission_date").is_not_null()))

    @pa.dataframe_check(error="the reviewed admission date agrees with the base list's admission year")
    def admission_date_matches_year(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("un_admission_date").is_null() | (pl.col("un_admission_date").dt.year() == pl.col("un_admission_year")))

    @pa.dataframe_check(error="a State leaves the UN after it joins")
    def exit_after_admission(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("un_exit_year").is_null() | (pl.col("un_exit_year") >= pl.col("un_admission_year")))
