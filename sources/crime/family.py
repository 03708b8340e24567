"""The crime_statistics family, declared once (see sources/family.py)."""

from ..family import DbtMembers, Diff, Family, RawTable, RuleCheck
from . import rows
from .cts import reporting_units
from .fetch import fetch_cts
from .inspect import inspect

# A newer UN-CTS release that loses more than this share of the published release's rows,
# indicators or countries does not publish unless accepted by name (UNODC_ACCEPT_SHRINK, README
# "Settings"; schemas/crime.py newest_releases_shrink).
MAX_SHRINK = 0.2

FAMILY = Family(
    name="crime_statistics",
    title="Crime statistics (dataUNODC UN-CTS) and the WDR drug seizures table",
    package=__package__,
    order=20,
    schemas="crime",
    dbt=DbtMembers(snapshots="stg_crime__snapshots", rejects="stg_crime__rejects", files="stg_crime__files", indicator_values=("int_indicator_values__crime", "int_indicator_values__seizures"), staging="crime"),
    snapshots=RawTable("crime_snapshots", "crime.CrimeSnapshots"),
    snapshots_description="Every release of every UN-CTS file and the WDR drug seizures table: bundled, plus live fetches.",
    fetch=fetch_cts,
    tables_asset="crime_raw_tables",
    tables_description="Parse every crime-statistics snapshot: observations kept losslessly with their row, "
                       "rejects with their reason, one line per file with its header fingerprint.",
    tables=(
        # 19 million rows at ×100: written file by file (and checked a million rows at a time, each
        # snapshot's rows together: its metadata's batch_by).
        RawTable("cts_observations", "crime.CtsObservations", by_parts=True, summary=rows.observations_summary),
        RawTable("wdr_drug_seizures", "crime.DrugSeizures"),
        RawTable("crime_files", "crime.CrimeFiles", summary=rows.files_summary),
        RawTable("crime_rejects", "crime.CrimeRejects"),
        RawTable("reporting_units", "crime.ReportingUnits", make=reporting_units),
    ),
    parsers=rows.PARSERS,
    rows=rows.rows,
    files="crime_files",
    file_row=rows.file_row,
    rejects="crime_rejects",
    checks=(
        RuleCheck("crime_rejects", "crime_reject_rate",
                  "No file has more than the configured share of rejected rows (a layout change shows here).",
                  "common.file_reject_rate"),
        RuleCheck("crime_files", "cts_newest_release_does_not_shrink",
                  f"The newest release of a UN-CTS dataset keeps at least {1 - MAX_SHRINK:.0%} of the published "
                  "release's rows, indicators and countries, unless accepted by name (UNODC_ACCEPT_SHRINK).",
                  "crime.newest_releases_shrink", against_release=True),
        RuleCheck("cts_observations", "cts_duplicate_keys",
                  "Rows that share a natural key in the official files: kept with their row numbers, reported.",
                  "crime.duplicate_keys", blocking=False, batch_by="snapshot_id"),
    ),
    inspect=inspect,
    diffs={
        "fct_crime_statistics": Diff(("dataset", "reporting_unit", "indicator", "dimension", "category", "sex", "age",
                                      "year", "unit", "occurrence"), ("value_text",), numbered=True),
        # Every table the exports draw on is compared: the WDR seizures (table 7.1), where a revised
        # kilogram equivalent alone is a change. Two editions of table 7.1 give the same
        # country-year-drug (2018-2020): the edition is part of the key, so a new edition's rows are
        # added beside the older edition's, never paired with them as revisions.
        "fct_drug_seizures": Diff(("edition", "country_iso3", "year", "drug_group", "drug_subgroup", "drug_name",
                                   "unit_text", "source_type", "occurrence"),
                                  ("quantity", "kg_equivalent", "is_reported_total", "region_in_source",
                                   "subregion_in_source", "comment"), numbered=True),
    },
    # One row per source row of the newest release of each UN-CTS file, one file per dataset.
    by_snapshot={"fct_crime_statistics": "dataset"},
)
