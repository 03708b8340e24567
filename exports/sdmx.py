"""SDMX-CSV of the indicator facts: version 1.0 (DATAFLOW first) and 2.0 (STRUCTURE, STRUCTURE_ID,
ACTION), with M49 `REF_AREA` codes as the UN SDG database writes them (1 = World) and `_T` for totals."""
from __future__ import annotations

import re

import duckdb
import polars as pl

AGENCY, FLOW, VERSION = "UNODC", "DF_MTS_INDICATORS", "1.0"
DATAFLOW = f"{AGENCY}:{FLOW}({VERSION})"
DIMENSIONS = ["FREQ", "INDICATOR", "REF_AREA", "DISAGGREGATION", "TIME_PERIOD"]
MEASURE_AND_ATTRIBUTES = ["OBS_VALUE", "OBS_STATUS", "UNIT_MEASURE", "LOWER_BOUND", "UPPER_BOUND", "COMMENT_OBS",
                          "RELEASE_ID"]
SDG_FLOW = "DF_MTS_SDG_SERIES"
SDG_DATAFLOW = f"{AGENCY}:{SDG_FLOW}({VERSION})"
SDG_DIMENSIONS = ["FREQ", "SERIES", "REF_AREA", "TIME_PERIOD"]
SDG_MEASURE_AND_ATTRIBUTES = ["OBS_VALUE", "OBS_STATUS", "UNIT_MEASURE", "LOWER_BOUND", "UPPER_BOUND", "COMMENT_OBS",
                              "INDICATOR", "SDG_INDICATOR", "RELEASE_ID"]

# One code per unit, whatever the spelling of the source ("Counts" in UN-CTS, "count" in IATI).
UNITS = {
    "rate per 100,000 population": ("PER_100000_POP", "Rate per 100,000 population"),
    "counts": ("NUMBER", "Number"), "count": ("NUMBER", "Number"),
    "member states": ("NUMBER_MEMBER_STATES", "Number of Member States"),
    "party (1) or not (0) on 31 december": ("PARTY_FLAG", "Party (1) or not (0) on 31 December"),
    "percent": ("PERCENT", "Percent"), "kilograms": ("KG", "Kilograms"), "tonnes": ("T", "Tonnes"),
    "hectares": ("HA", "Hectares"),
}


def sdmx_id(text: str) -> str:
    """An SDMX identifier ([A-Za-z0-9_@$-]) from a code or a label: 'RAT.R1.D1' -> 'RAT_R1_D1'."""
    if text == "_T":
        return text
    out = re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()
    return out[:60] or "_Z"


def unit_code(label: str) -> tuple[str, str]:
    return UNITS.get(label.strip().lower(), (sdmx_id(label), label))


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
    for dim, source in (("INDICATOR", "indicator_code"), ("DISAGGREGATION", "disaggregation")):
        for value in frame[source].drop_nulls().unique().sort().to_list():
            code = sdmx_id(value)
            if codes[dim].get(code, value) != value:
                raise ValueError(f"{dim}: {value!r} and {codes[dim][code]!r} would share the SDMX code {code}")
            codes[dim][code] = value
    unit_of = {u: unit_code(u)[0] for u in frame["unit_measure"].drop_nulls().unique().to_list()}
    for u, code in sorted(unit_of.items()):
        codes["UNIT_MEASURE"][code] = unit_code(u)[1]
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
        pl.col("unit_measure").replace_strict(unit_of, return_dtype=pl.String, default=None).alias("UNIT_MEASURE"),
        pl.col("lower_bound").alias("LOWER_BOUND"),
        pl.col("upper_bound").alias("UPPER_BOUND"),
        comment.alias("COMMENT_OBS"),
    ).sort(DIMENSIONS)
    return obs, {"codes": codes, "rows_without_m49_code": no_m49.height,
                 "areas_without_m49_code": sorted(set(no_m49["ref_area_code"].drop_nulls().to_list()))}


def _csv(frame: pl.DataFrame) -> bytes:
    return frame.write_csv(float_precision=6, float_scientific=False, null_value="").encode("utf-8")


def sdmx_csv_10(obs: pl.DataFrame, flow: str = DATAFLOW) -> bytes:
    return _csv(obs.select(pl.lit(flow).alias("DATAFLOW"), pl.all()))


def sdmx_csv_20(obs: pl.DataFrame, flow: str = DATAFLOW) -> bytes:
    return _csv(obs.select(pl.lit("dataflow").alias("STRUCTURE"), pl.lit(flow).alias("STRUCTURE_ID"),
                           pl.lit("I").alias("ACTION"), pl.all()))


def sdg_series(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    """Indicator code -> (SDG series code, SDG indicator, label) from the registry's `sdg:` entries
    ("16.1.1 VC_IHR_PSRC"). An entry with a remark in parentheses (a former code, a series another
    indicator already carries) is a note, not a mapping; a series is carried by one indicator only."""
    out: dict[str, tuple[str, str, str]] = {}
    taken: dict[str, str] = {}
    rows = con.execute("""select indicator_code, sdg_series, indicator_text from main.dim_indicator
                          where sdg_series is not null and sdg_series != '' order by indicator_code""").fetchall()
    for code, entries, text in rows:
        for entry in str(entries).split(","):
            m = re.fullmatch(r"\s*(\d+\.\d+\.\d+)\s+([A-Z][A-Z0-9_]+)\s*", entry)
            if not m or m.group(2) in taken:
                continue
            taken[m.group(2)] = code
            out[code] = (m.group(2), m.group(1), f"{m.group(1)} {m.group(2)}: {text}")
            break
    return out


def sdg_observations(obs: pl.DataFrame, series: dict[str, tuple[str, str, str]]) -> pl.DataFrame:
    """The totals of the SDG-aligned indicators, under their SDG series codes."""
    by_code = {sdmx_id(k): v for k, v in series.items()}
    return (obs.filter(pl.col("INDICATOR").is_in(list(by_code)) & (pl.col("DISAGGREGATION") == "_T"))
            .select(pl.col("FREQ"),
                    pl.col("INDICATOR").replace_strict({k: v[0] for k, v in by_code.items()}).alias("SERIES"),
                    "REF_AREA", "TIME_PERIOD", "OBS_VALUE", "OBS_STATUS", "UNIT_MEASURE", "LOWER_BOUND",
                    "UPPER_BOUND", "COMMENT_OBS", "INDICATOR",
                    pl.col("INDICATOR").replace_strict({k: v[1] for k, v in by_code.items()}).alias("SDG_INDICATOR"),
                    *(["RELEASE_ID"] if "RELEASE_ID" in obs.columns else []))
            .sort(SDG_DIMENSIONS))
