"""Raw crop-survey tables: WDR annex values and compiled country-year figures."""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

from .common import ISO3_PATTERN, SHA256_PATTERN

CROPS = ["coca_bush", "opium_poppy", "cannabis"]
MEASURES = ["cultivation_ha", "eradication_ha", "production_t", "manufacture_t"]
ESTIMATES = ["best estimate", "minimum", "maximum"]


class _CropValues(pa.DataFrameModel):
    snapshot_id: str = pa.Field(str_matches=SHA256_PATTERN)
    source_row: int = pa.Field(ge=1)
    crop: str = pa.Field(isin=CROPS)
    measure: str = pa.Field(isin=MEASURES)
    country_iso3: str = pa.Field(str_matches=ISO3_PATTERN, nullable=True)
    is_total: bool
    estimate: str = pa.Field(isin=ESTIMATES)
    year: int = pa.Field(ge=1980, le=2100)
    value: float = pa.Field(ge=0)
    value_text: str
    edition: str = pa.Field(str_matches=r"^(WDR \d{4}|UNODC survey \d{4}|compiled \d{4})$")

    class Config:
        strict = False

    @pa.dataframe_check(error="a figure is a country's or a published total's")
    def country_or_total(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("country_iso3").is_not_null() ^ pl.col("is_total"))


class AnnexValues(_CropValues):
    unit: str = pa.Field(nullable=True)


class CompiledValues(_CropValues):
    source_type: str = pa.Field(str_length={"min_value": 3})
    source: str = pa.Field(str_contains=r"UNODC|World Drug Report|WDR|national illicit crop monitoring")


class TotalChecks(pa.DataFrameModel):
    year: int
    published: float
    rows_sum: float
    agrees: bool

    class Config:
        strict = False


# --------------------------------------------------------------------------- rule checks
# Plain functions of a raw table and the check's context (orchestration/checks.py RuleContext):
# each returns (passed, details); the Dagster wrapper shows lists and dicts as JSON.

def totals_agree(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    off = frame.filter(~pl.col("agrees")) if frame.height else frame
    return off.height == 0, {
        "totals_checked": frame.height,
        "discrepancies": (off.select("source_file", "total", "year", "published", "rows_sum", "difference").to_dicts()
                          if off.height else [])}
