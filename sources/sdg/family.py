"""The sdg_global_database family, declared once (see sources/family.py)."""

from ..family import DbtMembers, Diff, Family, RawTable, RuleCheck
from . import rows
from .fetch import fetch_sdg
from .inspect import inspect
from .observations import areas_frame

FAMILY = Family(
    name="sdg_global_database",
    title="UN SDG Global Database (the series UNODC is custodian of: 16.1.1, 16.2.2, 16.3.2, 16.4.2, 16.5.1, "
          "3.5.1; and WHO's 3.5.2)",
    package=__package__,
    order=35,
    schemas="sdg",
    dbt=DbtMembers(snapshots="stg_sdg__snapshots", rejects="stg_sdg__rejects", files="stg_sdg__files",
                   indicator_values=("int_indicator_values__sdg",), staging="sdg"),
    snapshots=RawTable("sdg_snapshots", "sdg.SdgSnapshots"),
    snapshots_description="One snapshot per SDG series and release: the DDF re-cut files, bundled, and the series "
                          "fetched live from the UNSD SDG API (every page of a series in one document).",
    fetch=fetch_sdg,
    tables_asset="sdg_raw_tables",
    tables_description="Parse every SDG snapshot: one observation per published figure with its M49 area, nature, "
                       "units, sex, age and other dimensions, rejects with their reason, one line per file.",
    tables=(
        RawTable("sdg_observations", "sdg.SdgObservations", summary=rows.observations_summary),
        RawTable("sdg_files", "sdg.SdgFiles"),
        RawTable("sdg_rejects", "sdg.SdgRejects"),
        # The reviewed M49 codes of the database that are neither countries nor M49 regions.
        RawTable("sdg_areas", "sdg.SdgAreas", make=areas_frame),
    ),
    parsers=rows.PARSERS,
    rows=rows.rows,
    files="sdg_files",
    rejects="sdg_rejects",
    checks=(
        RuleCheck("sdg_rejects", "sdg_reject_rate",
                  "No file has more than the configured share of rejected rows (a layout change shows here).",
                  "common.file_reject_rate"),
        RuleCheck("sdg_observations", "sdg_duplicate_keys",
                  "Rows of one release that share a series, area, year, units and dimensions: kept with their rows, "
                  "reported.", "sdg.duplicate_keys", blocking=False, batch_by="snapshot_id"),
    ),
    inspect=inspect,
    # One release a series in the mart (the newest snapshot): a new release's figures are revisions.
    diffs={"fct_sdg_observations": Diff(("series_code", "geo_area_code", "year", "units", "sex", "age",
                                         "reporting_type", "dimensions", "occurrence"),
                                        ("value_text", "nature", "lower_bound", "upper_bound"), numbered=True)},
)
