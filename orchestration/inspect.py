"""Parse and validate one file the way the pipeline would, without touching the warehouse."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from sources.errors import SourceError
from sources.fetch import http_get
from sources.geography import resolve
from sources.parsing import MAX_FILE_BYTES
from sources.ratification import parse_status_file


def read_source(path_or_url: str) -> tuple[bytes, str]:
    if path_or_url.lower().startswith(("http://", "https://")):
        name = path_or_url.rstrip("/").rsplit("/", 1)[-1].split("?")[0] or "download"
        return http_get(path_or_url), name
    path = Path(path_or_url)
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise SourceError(f"file is {size} bytes, over the {MAX_FILE_BYTES}-byte limit", file=str(path))
    return path.read_bytes(), path.name


def inspect_file(family: str, path_or_url: str) -> dict:
    data, name = read_source(path_or_url)
    if family == "crime_statistics":
        report = inspect_crime(data, name, path_or_url)
    elif family == "crop_surveys":
        report = inspect_crops(data, name, path_or_url)
    elif family == "project_outputs":
        report = inspect_project_outputs(data, name, path_or_url)
    elif family == "ratification":
        report = inspect_ratification(data, name, path_or_url)
    else:
        raise SourceError(f"unknown family {family!r}", file=name)
    report["blocking"] = blocking_problems(family, report)
    return report


def blocking_problems(family: str, report: dict) -> list[str]:
    """What in this one file would stop the build, each named by the build's blocking check, so
    that `inspect` and the build never disagree (issue 20, defect 10). Checks that need the other
    files or the published warehouse (the family-wide UNTC reject rate, a UN-CTS release that
    shrinks the published one) are the build's alone."""
    from .limits import MAX_REJECT_RATE as limit, RATE_MIN_ROWS

    problems = []
    rows_in, accepted, rejected = report["rows_in"], report["rows_accepted"], report["rows_rejected"]
    if not report["reconciles"]:
        problems.append(f"rows in ({rows_in}) != accepted ({accepted}) + rejected ({rejected}) + not available "
                        f"({report['rows_not_available']}): the files table's check (pandera) stops the build")
    if family == "ratification":
        if unmapped := report["summary"].get("unmapped participant names"):
            problems.append(f"participants_mapped: {len(unmapped)} participant name(s) map to no country: "
                            f"{', '.join(unmapped)}")
        return problems
    check = {"crime_statistics": "crime_reject_rate", "crop_surveys": "crop_reject_rate",
             "project_outputs": "project_reject_rate"}[family]
    if rows_in > 0 and accepted == 0:
        problems.append(f"{check}: every_row_rejected ({rejected} of {rows_in} rows rejected)")
    if rows_in >= RATE_MIN_ROWS and rejected / rows_in > limit:
        problems.append(f"{check}: {rejected} of {rows_in} rows rejected ({rejected / rows_in:.1%}), "
                        f"over the limit of {limit:.0%}")
    return problems


def inspect_ratification(data: bytes, name: str, path_or_url: str) -> dict:
    family = "ratification"
    result = parse_status_file(data, filename=name)
    facts = result.facts
    unmapped = sorted({r["participant"] for r in result.rows if resolve(r["participant"])[0] is None})
    summary = {
        "instrument": facts.get("instrument"),
        "format": facts.get("format"),
        "participant table": facts.get("has_participant_table"),
        "declared signatories / parties": (facts.get("declared_signatories"), facts.get("declared_parties")),
        "counted signatories / parties": (facts.get("counted_signatories"), facts.get("counted_parties")),
        "actions by kind": dict(Counter(r["action_kind"] for r in result.rows).most_common()),
        "unmapped participant names": unmapped,
    }
    warnings = list(result.warnings)
    for what in ("signatories", "parties"):
        declared, counted = facts.get(f"declared_{what}"), facts.get(f"counted_{what}")
        if declared is not None and counted is not None and declared != counted:
            warnings.append(f"the file declares {declared} {what}; its table has {counted}")
    if unmapped:
        warnings.append(f"participant names that map to no country: {', '.join(unmapped)}")
    rejected_rows = {r.row for r in result.rejects}
    return {
        "file": path_or_url, "family": family, "usable": True,
        "header": result.header, "header_fingerprint": result.header_fingerprint,
        "rows_in": result.rows_in, "rows_accepted": len({r["source_row"] for r in result.rows}),
        "rows_rejected": len(rejected_rows), "rows_not_available": 0, "reconciles": result.reconciles,
        "rejects": [r.record() for r in result.rejects], "summary": summary, "warnings": warnings,
    }


def inspect_crime(data: bytes, name: str, shown_as: str) -> dict:
    from sources.crime.cts import parse_cts
    from sources.crime.wdr_seizures import parse_wdr_seizures

    try:
        result, layout = parse_cts(data, filename=name), "UN-CTS"
    except SourceError as exc:
        if "not a UN-CTS layout" not in exc.reason:
            raise
        result, layout = parse_wdr_seizures(data, filename=name), "WDR drug seizures (7.1)"
    facts = {k: v for k, v in result.facts.items() if k not in ("notes",)}
    return {
        "file": shown_as, "family": "crime_statistics", "usable": True, "layout": layout,
        "header": result.header, "header_fingerprint": result.header_fingerprint,
        "rows_in": result.rows_in, "rows_accepted": result.rows_accepted,
        "rows_rejected": result.rows_rejected, "rows_not_available": result.rows_not_available,
        "reconciles": result.reconciles,
        "rejects": result.rejects.to_dicts(), "summary": {"layout": layout, **facts},
        "warnings": result.warnings,
    }


def inspect_crops(data: bytes, name: str, shown_as: str) -> dict:
    from sources.crops.compiled import parse_compiled
    from sources.crops.wdr_annex import parse_wdr_annex

    if data.startswith(b"PK") or name.lower().endswith((".xlsx", ".xls")):
        result, layout = parse_wdr_annex(data, filename=name), "WDR annex table"
    else:
        result, layout = parse_compiled(data, filename=name), "compiled country-year figures"
    return {
        "file": shown_as, "family": "crop_surveys", "usable": True, "layout": layout,
        "header": result.header, "header_fingerprint": result.header_fingerprint,
        "rows_in": result.rows_in, "rows_accepted": result.rows_accepted,
        "rows_rejected": result.rows_rejected, "rows_not_available": result.rows_not_available,
        "reconciles": result.reconciles,
        "rejects": result.rejects.to_dicts(), "summary": {"layout": layout, **result.facts},
        "warnings": result.warnings,
    }


def inspect_project_outputs(data: bytes, name: str, shown_as: str) -> dict:
    from sources.iati.activities import parse_iati
    from sources.iati.template import parse_template
    from sources.strategy.registry import load_registry

    # A workbook by its signature or by its name: an .xlsx that is not a ZIP (an HTML error page
    # saved under that name) is refused by the workbook reader, naming the missing signature.
    if data.startswith(b"PK") or name.lower().endswith((".xlsx", ".xlsm")):
        result = parse_template(data, filename=name, registry=load_registry())
        return {"file": shown_as, "family": "project_outputs", "usable": True, "layout": "submission template",
                "header": result.header, "header_fingerprint": result.header_fingerprint,
                "rows_in": result.rows_in, "rows_accepted": result.rows_accepted,
                "rows_rejected": result.rows_rejected, "rows_not_available": result.rows_not_available,
        "reconciles": result.reconciles,
                "rejects": result.rejects.to_dicts(), "summary": {"layout": "submission template", **result.facts},
                "warnings": result.warnings}
    parsed = parse_iati(data, filename=name)
    idents = [(a["iati_identifier"], a["reporting_org_ref"]) for a in parsed.activities]
    summary = {"layout": "IATI activities", **parsed.facts, "duplicate_activities": len(idents) - len(set(idents)),
               "activities_without_results": sum(a["result_count"] == 0 for a in parsed.activities),
               "result_indicators": len(parsed.indicators), "values": len(parsed.values),
               "recipient_countries": sorted({c["country_iso3"] or c["country_code"] for c in parsed.countries})}
    return {"file": shown_as, "family": "project_outputs", "usable": True, "layout": "IATI activities",
            "header": [], "header_fingerprint": "-", "rows_in": len(parsed.activities) + len(parsed.rejects),
            "rows_accepted": len(parsed.activities), "rows_rejected": len(parsed.rejects), "rows_not_available": 0, "reconciles": True,
            "rejects": parsed.rejects, "summary": summary, "warnings": []}
