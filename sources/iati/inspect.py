"""What `unodc-indicators inspect project_outputs FILE` says of one file: a filled submission
template (a workbook), else an IATI activity file."""
from __future__ import annotations

from ..strategy.registry import load_registry
from .activities import parse_iati
from .template import parse_template


def inspect(data: bytes, name: str, shown_as: str) -> dict:
    # A workbook by its signature or by its name: an .xlsx that is not a ZIP (an HTML error page
    # saved under that name) is refused by the workbook reader, naming the missing signature.
    if data.startswith(b"PK") or name.lower().endswith((".xlsx", ".xlsm")):
        result = parse_template(data, filename=name, registry=load_registry())
        return result.report(shown_as, "project_outputs", "submission template")
    parsed = parse_iati(data, filename=name)
    activities, indicators, values = parsed.accepted, parsed.tables["indicators"], parsed.tables["values"]
    countries = parsed.tables["countries"]
    idents = activities.select("iati_identifier", "reporting_org_ref").rows()
    summary = {"layout": "IATI activities", **parsed.facts, "duplicate_activities": len(idents) - len(set(idents)),
               "activities_without_results": int((activities["result_count"] == 0).sum()),
               "result_indicators": indicators.height, "values": values.height,
               "recipient_countries": sorted({iso3 or code for iso3, code in
                                              countries.select("country_iso3", "country_code").rows()})}
    return {"file": shown_as, "family": "project_outputs", "usable": True, "layout": "IATI activities",
            "header": [], "header_fingerprint": "-", "rows_in": parsed.rows_in,
            "rows_accepted": parsed.rows_accepted, "rows_rejected": parsed.rows_rejected, "rows_not_available": 0,
            "reconciles": True, "rejects": parsed.rejects.to_dicts(), "summary": summary, "warnings": []}
