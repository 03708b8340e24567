"""What `unodc-indicators inspect crop_surveys FILE` says of one file: a WDR annex table (a
workbook), else compiled country-year figures (CSV)."""
from __future__ import annotations

from .compiled import parse_compiled
from .wdr_annex import parse_wdr_annex


def inspect(data: bytes, name: str, shown_as: str) -> dict:
    if data.startswith(b"PK") or name.lower().endswith((".xlsx", ".xls")):
        result, layout = parse_wdr_annex(data, filename=name), "WDR annex table"
    else:
        result, layout = parse_compiled(data, filename=name), "compiled country-year figures"
    return result.report(shown_as, "crop_surveys", layout)
