"""What `unodc-indicators inspect drug_use_and_markets FILE` says of one WDR drug workbook."""
from __future__ import annotations

from .workbook import parse_drug_use


def inspect(data: bytes, name: str, shown_as: str) -> dict:
    result = parse_drug_use(data, filename=name)
    layouts = sorted({s["layout"] for s in result.facts.get("sheets", {}).values()})
    return result.report(shown_as, "drug_use_and_markets", "WDR drug table: " + ", ".join(layouts))
