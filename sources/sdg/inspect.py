"""What `unodc-indicators inspect sdg_global_database FILE` says of one file: a DDF re-cut CSV of one
series, or an SDG API answer (one page or a stored series), told apart by its bytes."""
from __future__ import annotations

from . import parse_sdg


def inspect(data: bytes, name: str, shown_as: str) -> dict:
    result = parse_sdg(data, filename=name)
    layout = "SDG API answer (JSON)" if result.facts.get("format") == "sdg_api_json" else "SDG DDF datapoints (CSV)"
    return result.report(shown_as, "sdg_global_database", layout)
