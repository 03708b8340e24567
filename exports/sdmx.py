"""SDMX-CSV of the indicator facts: version 1.0 (DATAFLOW first) and 2.0 (STRUCTURE, STRUCTURE_ID,
ACTION), with M49 `REF_AREA` codes as the UN SDG database writes them (1 = World) and `_T` for totals."""
from __future__ import annotations

import re

import duckdb
import polars as pl

AGENCY, FLOW, VERSION = "UNODC", "DF_MTS_INDICATORS", "1.0"
DATAFLOW = f"{AGENCY}:{FLOW}({VERSION})"
DIMENSIONS = ["FREQ", "INDICATOR", "REF_AREA", "DISAGGREGATION", "TIME_PERIOD"]
MEASURE_AND_ATTRIBUTES = ["OBS_VALUE", "OBS_STATUS", "UNIT_MEASURE", "LOWER_BOUND", "UPPER_BOUND", "COMMENT_OBS"]


def sdmx_id(text: str) -> str:
    """An SDMX identifier ([A-Za-z0-9_@$-]) from a code or a label: 'RAT.R1.D1' -> 'RAT_R1_D1'."""
    if text == "_T":
        return text
    out = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()
    return out[:60] or "_Z"


def observations(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, dict]:
    """One row per observation, with the codes and their labels; rows without an M49 code are counted."""
    frame = pl.from_arrow(con.sql("""
        select v.indicator_code, v.ref_area_type, v.ref_area_code, v.ref_area_name, v.year,
               coalesce(v.disaggregation, '_T') as disaggregation, v.value, v.obs_status, v.unit_measure,
               v.lower_bound, v.upper_bound, v.is_illustrative, v.withheld_reason, v.members_reporting, v.members_in_group,
               case when v.ref_area_type = 'country' then c.m49_code else v.ref_area_code end as m49
        from main.fct_indicator_values v
        left join main.dim_country c on v.ref_area_type = 'country' and c.iso3 = v.ref_area_code
        order by all""").to_arrow_table())
    no_m49 = frame.filter(pl.col("m49").is_null() | ~pl.col("m49").str.contains(r"^\d{1,3}$"))
    frame = frame.filter(pl.col("m49").is_not_null() & pl.col("m49").str.contains(r"^\d{1,3}$"))
    codes: dict[str, dict[str, str]] = {"INDICATOR": {}, "DISAGGREGATION": {}, "UNIT_MEASURE": {}, "REF_AREA": {}}
    for dim, source, label in (("INDICATOR", "indicator_code", "indicator_code"),
                               ("DISAGGREGATION", "disaggregation", "disaggregation"),
                               ("UNIT_MEASURE", "unit_measure", "unit_measure")):
        for value in frame[source].drop_nulls().unique().sort().to_list():
            code = sdmx_id(value)
            if codes[dim].get(code, value) != value:
                raise ValueError(f"{dim}: {value!r} and {codes[dim][code]!r} would share the SDMX code {code}")
            codes[dim][code] = value
    for m49, name in frame.select("m49", "ref_area_name").unique().sort("m49").iter_rows():
        codes["REF_AREA"][str(int(m49))] = name
    # The comment speaks of the value alone: a real value whose level of influence comes from the
    # illustrative sample is not illustrative (the level of influence is not part of the SDMX file).
    comment = (pl.when(pl.col("is_illustrative")).then(pl.lit("illustrative: generated IATI sample, not UNODC data"))
               .when(pl.col("withheld_reason").is_not_null()).then(pl.format("withheld: {}", pl.col("withheld_reason")))
               .when(pl.col("members_in_group").is_not_null() & pl.col("members_reporting").is_not_null())
               .then(pl.format("members reporting: {} of {}", pl.col("members_reporting"), pl.col("members_in_group")))
               .otherwise(pl.lit("")))
    def coded(column: str, dim: str) -> pl.Expr:
        return pl.col(column).replace_strict({v: k for k, v in codes[dim].items()}, return_dtype=pl.String)

    obs = frame.select(
        pl.lit("A").alias("FREQ"),
        coded("indicator_code", "INDICATOR").alias("INDICATOR"),
        pl.col("m49").cast(pl.Int64).cast(pl.String).alias("REF_AREA"),
        coded("disaggregation", "DISAGGREGATION").alias("DISAGGREGATION"),
        pl.col("year").cast(pl.String).alias("TIME_PERIOD"),
        pl.col("value").alias("OBS_VALUE"),
        pl.col("obs_status").fill_null("A").alias("OBS_STATUS"),
        coded("unit_measure", "UNIT_MEASURE").alias("UNIT_MEASURE"),
        pl.col("lower_bound").alias("LOWER_BOUND"),
        pl.col("upper_bound").alias("UPPER_BOUND"),
        comment.alias("COMMENT_OBS"),
    ).sort(DIMENSIONS)
    return obs, {"codes": codes, "rows_without_m49_code": no_m49.height,
                 "areas_without_m49_code": sorted(set(no_m49["ref_area_code"].drop_nulls().to_list()))}


def _csv(frame: pl.DataFrame) -> bytes:
    return frame.write_csv(float_precision=6, float_scientific=False, null_value="").encode("utf-8")


def sdmx_csv_10(obs: pl.DataFrame) -> bytes:
    return _csv(obs.select(pl.lit(DATAFLOW).alias("DATAFLOW"), pl.all()))


def sdmx_csv_20(obs: pl.DataFrame) -> bytes:
    return _csv(obs.select(pl.lit("dataflow").alias("STRUCTURE"), pl.lit(DATAFLOW).alias("STRUCTURE_ID"),
                           pl.lit("I").alias("ACTION"), pl.all()))
