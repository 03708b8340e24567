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


# --------------------------------------------------------------------------- rule checks
# Plain functions of a raw table and the check's context (orchestration/checks.py RuleContext):
# each returns (passed, details); the Dagster wrapper shows lists and dicts as JSON.

def duplicate_keys(frame: pl.DataFrame, _) -> tuple[bool, dict]:
    dups = frame.filter(pl.col("key_occurrences") > 1)
    by_file = dups.group_by("source_file").len().sort("source_file").to_dicts()
    # Reported, never resolved: the official files repeat keys, and every row is kept.
    return dups.height == 0, {"rows_sharing_a_key": dups.height, "by_file": by_file}


def newest_releases_shrink(files: pl.DataFrame, ctx) -> tuple[bool, dict]:
    """Each UN-CTS dataset's newest release against the same dataset in the published warehouse: it
    may lose at most MAX_SHRINK of the rows, indicators or countries (sources/crime/family.py)."""
    import duckdb

    from sources.crime.family import MAX_SHRINK
    from sources.settings import settings

    cts = files.filter(pl.col("format") == "cts")
    if cts.is_empty():
        return True, {"compared": 0}
    newest = cts.filter(pl.col("release_date").fill_null("") == pl.col("release_date").fill_null("").max().over("dataset"))
    ids = newest["snapshot_id"].to_list()
    new = ctx.con.execute(f"""select dataset, count(*), count(distinct indicator), count(distinct country_iso3)
                              from raw.cts_observations where snapshot_id in ({", ".join("?" * len(ids))})
                              group by dataset""", ids).fetchall()
    published = {}
    try:
        with ctx.published() as con:
            if con is not None:
                published = {d: (r, i, c) for d, r, i, c in con.execute(
                    """select dataset, count(*), count(distinct indicator), count(distinct country_iso3)
                       from fct_crime_statistics group by dataset""").fetchall()}
    except duckdb.Error:
        published = {}
    accepted = set(settings().accept_shrink or ())
    shrunk, accepted_now = [], []
    for dataset, rows, indicators, countries in new:
        if dataset not in published:
            continue
        before = dict(zip(("rows", "indicators", "countries"), published[dataset]))
        after = {"rows": rows, "indicators": indicators, "countries": countries}
        lost = {k: before[k] - after[k] for k in before if before[k] and (before[k] - after[k]) / before[k] > MAX_SHRINK}
        if lost:
            case = {"dataset": dataset, "published": before, "newest_release": after,
                    "lost": {k: f"{n} of {before[k]} ({n / before[k]:.0%})" for k, n in lost.items()}}
            (accepted_now if dataset in accepted else shrunk).append(case)
    meta = {}
    if shrunk:
        # First: the build's failure summary shows the start of the metadata.
        meta["says"] = "; ".join(
            f"{c['dataset']}: the newest release has " + ", ".join(f"lost {v} {k}" for k, v in c["lost"].items())
            + " against the published warehouse (accept with UNODC_ACCEPT_SHRINK=" + c["dataset"] + ")"
            for c in shrunk)
    meta.update({"compared": len([d for d, *_ in new if d in published]), "max_shrink": MAX_SHRINK,
                 "shrunk": shrunk, "accepted_by_UNODC_ACCEPT_SHRINK": accepted_now})
    return not shrunk, meta
