"""What `unodc-indicators inspect sdg_global_database FILE` says of one file: a DDF re-cut CSV of one
series, or an SDG API answer (one page or a stored series), told apart by its bytes."""
from __future__ import annotations

from . import parse_sdg


def inspect(data: bytes, name: str, shown_as: str) -> dict:
    result = parse_sdg(data, filename=name)
    layout = "SDG API answer (JSON)" if result.facts.get("format") == "sdg_api_json" else "SDG DDF datapoints (CSV)"
    return {
        "file": shown_as, "family": "sdg_global_database", "usable": True, "layout": layout,
        "header": result.header, "header_fingerprint": result.header_fingerprint,
        "rows_in": result.rows_in, "rows_accepted": result.rows_accepted,
        "rows_rejected": result.rows_rejected, "rows_not_available": result.rows_not_available,
        "reconciles": result.reconciles,
        "rejects": result.rejects.to_dicts(), "summary": {"layout": layout, **result.facts},
        "warnings": result.warnings,
    }
