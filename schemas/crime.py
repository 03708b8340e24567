"""Raw crime statistics: UN-CTS observations, WDR drug seizures, the files read, their rejects, and
the reviewed reporting units."""
from __future__ import annotations

from datetime import date

import polars as pl

from .common import (DATASET, FACTS, FORMAT, HEADER_FINGERPRINT, ISO3_PATTERN, SNAPSHOT_ID, SOURCE_FILE,
                     WARNINGS, COUNT_COLUMNS, Rejects, Snapshots, files_table, source_row)
from .tables import Column, Table, row_rule

UNIT_KINDS = ["country", "subnational", "territory", "alias", "combined", "aggregate"]

CrimeSnapshots = Snapshots.named("crime_snapshots", "Provenance of every crime-statistics snapshot (every release of every file).")

CtsObservations = Table(
    "cts_observations", "Every row of every UN-CTS release, with its value as published and as a number.", [
        source_row(ge=2),
        Column("iso3_code", pl.Utf8, "The reporting unit's code as the file writes it (a country, a part of one, an M49 area).", nullable=True),
        Column("country", pl.Utf8, "The reporting unit's name as the file writes it.", nullable=True),
        Column("indicator", pl.Utf8, "The indicator as the file names it (or the dataset's single indicator).", nullable=True),
        Column("dimension", pl.Utf8, "The breakdown the row belongs to (Total, by citizenship, ...).", nullable=True),
        Column("category", pl.Utf8, "The category within the breakdown.", nullable=True),
        Column("sex", pl.Utf8, "Sex, as the file writes it.", nullable=True),
        Column("age", pl.Utf8, "Age group, as the file writes it.", nullable=True),
        Column("year", pl.Int64, "The reference year of the value.", ge=1900, le=date.today().year),
        Column("unit", pl.Utf8, "Unit of measurement as the file writes it (Counts, Rate per 100,000 population, ...).", min_length=1),
        Column("source_codes", pl.Utf8, "The file's Source column: who reported the value.", nullable=True),
        Column("region", pl.Utf8, "The region as the file writes it, where the file has the column.", nullable=True),
        Column("subregion", pl.Utf8, "The subregion as the file writes it, where the file has the column.", nullable=True),
        Column("value_text", pl.Utf8, "The value as published (`<5` and `1,282` kept as written).", min_length=1),
        Column("extra", pl.Utf8, "JSON: the cells of columns the layout does not know, kept.", nullable=True),
        Column("value_numeric", pl.Float64, "The value as a number (empty for a censored `<5`).", nullable=True),
        Column("is_censored", pl.Boolean, "True where the file gives only an upper bound (`<5`)."),
        Column("censor_upper", pl.Float64, "The upper bound of a censored value.", nullable=True, ge=0),
        Column("unit_kind", pl.Utf8, "What the reporting unit is: a country, or a unit of reporting_units.", isin=UNIT_KINDS),
        Column("country_iso3", pl.Utf8, "ISO3 code of the country the unit is or belongs to; empty for an aggregate.",
               nullable=True, pattern=ISO3_PATTERN),
        Column("reporting_unit", pl.Utf8, "The unit as the warehouse keys it (the file's code, or name: and its name)."),
        Column("key_occurrences", pl.Int64, "How many rows of the file share this row's natural key (1 where it is unique).", ge=1),
        SNAPSHOT_ID,
        Column("dataset", pl.Utf8, "The UN-CTS dataset the file belongs to (its family's sources/<package>/datasets.yaml).", pattern=r"^cts_[a-z0-9_]+$"),
        SOURCE_FILE,
        Column("release_date", pl.Date, "The release the file belongs to (its own date, else its snapshot's).", nullable=True),
    ], [
        row_rule("value_kept", "a value is a number or a censored '<n'; never both, never neither",
                 pl.col("value_numeric").is_not_null() ^ pl.col("is_censored")),
        row_rule("counts_not_negative", "counts are not negative",
                 (pl.col("unit") != "Counts") | pl.col("value_numeric").is_null() | (pl.col("value_numeric") >= 0)),
        row_rule("one_row_per_source_row", "one row per snapshot and source row",
                 ~pl.struct("snapshot_id", "source_row").is_duplicated()),
    ],
    # 19 million rows at ×100: checked a million rows at a time, each snapshot's rows together.
    batch_by="snapshot_id")

DrugSeizures = Table("wdr_drug_seizures", "Every row of the WDR drug seizures table (7.1).", [
    source_row(ge=2),
    Column("iso3", pl.Utf8, "ISO3 code of the country (codes ISO 3166 lacks mapped to the project's).", pattern=ISO3_PATTERN),
    Column("region", pl.Utf8, "The region as the table writes it.", nullable=True),
    Column("subregion", pl.Utf8, "The subregion as the table writes it.", nullable=True),
    Column("country", pl.Utf8, "The country or territory as the table writes it.", nullable=True),
    Column("source_type", pl.Utf8, "Where UNODC took the figure from (ARQ, DMP, ...).", nullable=True),
    Column("year", pl.Int64, "The year of the seizures.", ge=1900, le=date.today().year),
    Column("drug_group", pl.Utf8, "The drug group as printed.", nullable=True),
    Column("drug_subgroup", pl.Utf8, "The drug subgroup as printed.", nullable=True),
    Column("drug_name", pl.Utf8, "The drug as printed.", nullable=True),
    Column("unit_text", pl.Utf8, "The unit as printed.", nullable=True),
    Column("comment", pl.Utf8, "The table's comment or footnote on the row.", nullable=True),
    Column("unit", pl.Utf8, "The unit normalised (sources/crime/seizure_units.csv); empty where unknown.", nullable=True),
    Column("quantity", pl.Float64, "The quantity seized, in the unit.", nullable=True),
    Column("kg_equivalent", pl.Float64, "The quantity in kilograms where the unit converts.", nullable=True, ge=0),
    Column("is_reported_total", pl.Boolean, "True on a reported total of the group."),
    SNAPSHOT_ID, DATASET, SOURCE_FILE,
    Column("edition", pl.Utf8, "The version of the annex the table comes from (e.g. wdr-2022)."),
])

CrimeFiles = files_table("crime_files", "One row per crime-statistics file read, with its header fingerprint and counts.", [
    SNAPSHOT_ID, DATASET, FORMAT, SOURCE_FILE,
    Column("sheet", pl.Utf8, "The sheet of the workbook the rows were read from.", nullable=True),
    Column("header_row", pl.Int64, "The row of the header, under the preamble.", nullable=True, ge=1),
    HEADER_FINGERPRINT,
    Column("header", pl.Utf8, "JSON list: the header row as the file writes it."),
    Column("release_date", pl.Utf8, "The release the file belongs to (YYYY-MM-DD), where known.", nullable=True),
    *COUNT_COLUMNS, FACTS, WARNINGS,
])

CrimeRejects = Rejects.named("crime_rejects", "Rejected crime-statistics rows with file, sheet, row, column and reason.")

ReportingUnits = Table(
    "reporting_units", "The reviewed table of reporting units that are not countries (sources/crime/reporting_units.csv).", [
        Column("code", pl.Utf8, "The unit's code in the files.", nullable=True),
        Column("name_in_source", pl.Utf8, "The unit's name in the files, for a unit without a code.", nullable=True),
        Column("unit_kind", pl.Utf8, "What the unit is: part of a country, a territory, another name, a combination, an aggregate.",
               isin=UNIT_KINDS[1:]),
        Column("country_iso3", pl.Utf8, "ISO3 code of the country the unit belongs to or stands for.", nullable=True,
               pattern=ISO3_PATTERN),
        Column("m49_area_code", pl.Utf8, "The M49 area an aggregate stands for.", nullable=True),
        Column("note", pl.Utf8, "What the unit is, in words.", nullable=True),
        Column("covering_part", pl.Utf8, "The part of a country the unit covers, where parts together cover it.", nullable=True),
    ], [
        row_rule("covering_part_of_a_country",
                 "a covering part (the units that together cover a country) belongs to a subnational unit of a country",
                 pl.col("covering_part").is_null()
                 | ((pl.col("unit_kind") == "subnational") & pl.col("country_iso3").is_not_null())),
        row_rule("identified", "a unit has a code or a name as it appears in the source",
                 pl.col("code").is_not_null() | pl.col("name_in_source").is_not_null()),
    ])

TABLES = [CrimeSnapshots, CtsObservations, DrugSeizures, CrimeFiles, CrimeRejects, ReportingUnits]


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
    # The release the mart reads (int_cts__latest_release): the latest release date, then the latest
    # download of it (as of, version), then the snapshot id; one file per dataset.
    snaps = dict(ctx.con.execute("select snapshot_id, [coalesce(cast(as_of as varchar), ''), coalesce(version, '')] "
                                 "from raw.crime_snapshots").fetchall())
    order = sorted(cts.select("snapshot_id", "dataset", "release_date").iter_rows(),
                   key=lambda r: (r[2] or "", *snaps.get(r[0], ["", ""]), r[0]), reverse=True)
    newest: dict[str, str] = {}
    for snapshot_id, dataset, _ in order:
        newest.setdefault(dataset, snapshot_id)
    ids = list(newest.values())
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
