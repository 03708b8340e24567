"""What `unodc-indicators inspect crime_statistics FILE` says of one file: a UN-CTS file, else the
WDR drug seizures table."""
from __future__ import annotations

from ..errors import SourceError
from .cts import parse_cts
from .wdr_seizures import parse_wdr_seizures


def inspect(data: bytes, name: str, shown_as: str) -> dict:
    try:
        result, layout = parse_cts(data, filename=name), "UN-CTS"
    except SourceError as exc:
        if "not a UN-CTS layout" not in exc.reason:
            raise
        result, layout = parse_wdr_seizures(data, filename=name), "WDR drug seizures (7.1)"
    facts = {k: v for k, v in result.facts.items() if k not in ("notes",)}
    return result.report(shown_as, "crime_statistics", layout, facts)
