"""The ratification family, declared once (see sources/family.py)."""

from ..family import DbtMembers, Diff, Family, RawTable, RuleCheck
from . import rows
from .fetch import fetch_untc
from .inspect import inspect

FAMILY = Family(
    name="ratification",
    title="Treaty ratification records (UN Treaty Collection)",
    package=__package__,
    order=10,
    schemas="ratification",
    dbt=DbtMembers(snapshots="stg_untc__snapshots", rejects="stg_untc__rejects", files="stg_untc__treaty_status", indicator_values=("int_indicator_values__ratification",), staging="untc"),
    snapshots=RawTable("untc_snapshots", "ratification.UntcSnapshots"),
    snapshots_description="Every UNTC status snapshot: the bundled files, plus live fetches when enabled.",
    fetch=fetch_untc,
    tables_asset="untc_raw_tables",
    tables_description="Parse every UNTC snapshot (MTDSG XML and status tables) into events, counts, notes and rejects.",
    tables=(
        RawTable("untc_treaty_actions", "ratification.TreatyActions"),
        RawTable("untc_treaty_status", "ratification.TreatyStatus", summary=rows.status_summary),
        RawTable("untc_endnotes", "ratification.TreatyEndnotes"),
        RawTable("untc_rejects", "ratification.UntcRejects"),
        RawTable("instruments", "ratification.Instruments", make=rows.instrument_frame),
    ),
    parsers=rows.PARSERS,
    rows=rows.rows,
    files="untc_treaty_status",
    file_row=rows.file_row,
    rejects="untc_rejects",
    checks=(
        RuleCheck("untc_treaty_actions", "participants_mapped",
                  "Every participant name maps to a country or participant code; unmapped names are listed.",
                  "ratification.participants_mapped", batch_by="snapshot_id"),
        RuleCheck("untc_rejects", "untc_reject_rate",
                  "Rejected rows stay under the configured share of rows read (a layout change shows here).",
                  "ratification.reject_rate"),
        RuleCheck("untc_treaty_status", "declared_counts_match",
                  "Parties and signatories counted in a file equal the numbers the file declares.",
                  "ratification.declared_counts_match", blocking=False),
    ),
    inspect=inspect,
    diffs={"fct_treaty_participation": Diff(("instrument_code", "participant_iso3"),
                                            ("signed_on", "party_since", "withdrawn_on"))},
)
