"""What `unodc-indicators inspect ratification FILE` says of one UNTC status file (XML or table):
its counts against those it declares, its actions by kind, and the participant names that map to
no country, which would stop the build (`participants_mapped`)."""
from __future__ import annotations

from collections import Counter

from ..geography import resolve
from . import parse_status_file


def inspect(data: bytes, name: str, shown_as: str) -> dict:
    result = parse_status_file(data, filename=name)
    facts, actions = result.facts, result.accepted
    unmapped = sorted({p for p in actions["participant"].to_list() if resolve(p)[0] is None})
    summary = {
        "instrument": facts.get("instrument"),
        "format": facts.get("format"),
        "participant table": facts.get("has_participant_table"),
        "declared signatories / parties": (facts.get("declared_signatories"), facts.get("declared_parties")),
        "counted signatories / parties": (facts.get("counted_signatories"), facts.get("counted_parties")),
        "actions by kind": dict(Counter(actions["action_kind"].to_list()).most_common()),
        "unmapped participant names": unmapped,
    }
    warnings = list(result.warnings)
    for what in ("signatories", "parties"):
        declared, counted = facts.get(f"declared_{what}"), facts.get(f"counted_{what}")
        if declared is not None and counted is not None and declared != counted:
            warnings.append(f"the file declares {declared} {what}; its table has {counted}")
    if unmapped:
        warnings.append(f"participant names that map to no country: {', '.join(unmapped)}")
    return {
        "file": shown_as, "family": "ratification", "usable": True,
        "header": result.header, "header_fingerprint": result.header_fingerprint,
        "rows_in": result.rows_in, "rows_accepted": result.rows_accepted,
        "rows_rejected": result.rows_rejected, "rows_not_available": 0, "reconciles": result.reconciles,
        "rejects": result.rejects.to_dicts(), "summary": summary, "warnings": warnings,
        # What the family's own checks refuse in this one file (the build's `participants_mapped`).
        "blocking": [f"participants_mapped: {len(unmapped)} participant name(s) map to no country: "
                     f"{', '.join(unmapped)}"] if unmapped else [],
    }
