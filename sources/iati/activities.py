"""IATI activity files (standard 2.0x): activities, organisations, countries, sectors, dates,
budgets, transactions, and results -> indicators -> baseline -> periods -> targets and actuals,
with their dimensions and locations. Activities without results are normal.

XML is parsed with DTDs and entity expansion forbidden and a size limit.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from xml.etree.ElementTree import Element, ParseError

import polars as pl
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from ..errors import SourceError
from ..geography import iso3_of_code
from ..parsing import MAX_FILE_BYTES, REJECT_SCHEMA, FrameResult

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

# Every table of an activity file with its columns' types: a frame is built with them, never typed
# by inference on the data (a real file where no recipient-country has a percentage made that
# column text). An activity is known by its identifier, its reporting organisation and its place.
KEY = {"iati_identifier": pl.Utf8, "reporting_org_ref": pl.Utf8, "activity_position": pl.Int64}
COLUMNS = {
    "activities": {"reporting_org_name": pl.Utf8, "reporting_org_type": pl.Utf8, "title": pl.Utf8,
                   "description": pl.Utf8, "activity_status": pl.Utf8, "planned_start": pl.Utf8,
                   "actual_start": pl.Utf8, "planned_end": pl.Utf8, "actual_end": pl.Utf8, "last_updated": pl.Utf8,
                   "default_currency": pl.Utf8, "hierarchy": pl.Utf8, "humanitarian": pl.Utf8,
                   "result_count": pl.Int64},
    "regions": {"region_code": pl.Utf8, "vocabulary": pl.Utf8, "percentage": pl.Float64},
    "countries": {"country_code": pl.Utf8, "country_iso3": pl.Utf8, "percentage": pl.Float64},
    "sectors": {"vocabulary": pl.Utf8, "sector_code": pl.Utf8, "percentage": pl.Float64, "narrative": pl.Utf8},
    "participants": {"org_ref": pl.Utf8, "role": pl.Utf8, "org_type": pl.Utf8, "name": pl.Utf8},
    "budgets": {"budget_type": pl.Utf8, "status": pl.Utf8, "period_start": pl.Utf8, "period_end": pl.Utf8,
                "value": pl.Float64, "currency": pl.Utf8},
    "transactions": {"transaction_type": pl.Utf8, "transaction_date": pl.Utf8, "value": pl.Float64,
                     "currency": pl.Utf8},
    "indicators": {"result_index": pl.Int64, "indicator_index": pl.Int64, "result_type": pl.Utf8,
                   "result_aggregation_status": pl.Utf8, "result_title": pl.Utf8, "indicator_title": pl.Utf8,
                   "measure": pl.Utf8, "ascending": pl.Utf8, "aggregation_status": pl.Utf8, "references": pl.Utf8},
    # baseline, target and actual values
    "values": {"result_index": pl.Int64, "indicator_index": pl.Int64, "period_index": pl.Int64,
               "value_index": pl.Int64, "value_kind": pl.Utf8, "value": pl.Float64, "value_text": pl.Utf8,
               "period_start": pl.Utf8, "period_end": pl.Utf8, "baseline_year": pl.Utf8, "dimensions": pl.Utf8,
               "locations": pl.Utf8, "comment": pl.Utf8},
}


@dataclass
class _Rows:
    """The rows of every table while the file is read."""
    activities: list[dict] = field(default_factory=list)
    countries: list[dict] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    sectors: list[dict] = field(default_factory=list)
    participants: list[dict] = field(default_factory=list)
    budgets: list[dict] = field(default_factory=list)
    transactions: list[dict] = field(default_factory=list)
    indicators: list[dict] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    rejects: list[dict] = field(default_factory=list)


def _narrative(node: Element | None) -> str | None:
    """The English (or first) narrative of an element."""
    if node is None:
        return None
    narratives = node.findall("narrative")
    if not narratives:
        return (node.text or "").strip() or None
    english = [n for n in narratives if n.get(XML_LANG) in (None, "en")]
    text = (english or narratives)[0].text
    return " ".join(text.split()) if text else None


def _float(value: str | None) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except ValueError:
        return None


def iso3_of(alpha2: str | None) -> str | None:
    """An IATI country code: ISO 3166-1 alpha-2, or a code of the IATI list that ISO lacks (Kosovo's
    `XK`), read through the reviewed table `sources/geography/codes.csv`."""
    if not alpha2 or len(alpha2.strip()) != 2:
        return None
    return iso3_of_code(alpha2)


def parse_iati(data: bytes, *, filename: str) -> FrameResult:
    """The file's activities as the accepted rows, the other tables in `tables`; a row is an
    activity, or an element of one that was rejected (rows in = activities + rejects)."""
    if not data.strip():
        raise SourceError("file is empty", file=filename)
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"file is {len(data)} bytes, over the {MAX_FILE_BYTES}-byte limit", file=filename)
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        raise SourceError("not XML: the file does not start with '<'", file=filename)
    if re.match(rb"<!doctype html|<html", head[:200], re.I):
        raise SourceError("an HTML page, not an IATI activity file", file=filename)
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SourceError(f"refused: the XML declares a DTD or entities ({type(exc).__name__})", file=filename) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise SourceError(f"ill-formed XML: {exc}", file=filename, row=line) from None
    if root.tag != "iati-activities":
        raise SourceError(f"not an IATI activity file: the root element is <{root.tag}>", file=filename)
    version = root.get("version", "")
    if not version.startswith("2."):
        raise SourceError(f"IATI version {version!r}: only 2.0x is read", file=filename)
    out = _Rows()
    for position, act in enumerate(root.findall("iati-activity"), start=1):
        _activity(act, position, filename, out)
    frames = {}
    for table, columns in COLUMNS.items():
        rows, schema = getattr(out, table), {**KEY, **columns}
        frames[table] = (pl.DataFrame(rows, schema_overrides=schema, infer_schema_length=None) if rows
                         else pl.DataFrame(schema=schema))
    activities, rejected = len(out.activities), len(out.rejects)
    return FrameResult(file=filename, rows_in=activities + rejected, accepted=frames.pop("activities"),
                       rejects=pl.DataFrame(out.rejects, schema=REJECT_SCHEMA),
                       facts={"version": version, "generated": root.get("generated-datetime"), "activities": activities},
                       tables=frames, counted=(activities, rejected))


def _activity(act: Element, position: int, filename: str, out: _Rows) -> None:
    ident = (act.findtext("iati-identifier") or "").strip()
    org = act.find("reporting-org")
    org_ref = org.get("ref") if org is not None else None
    if not ident or not org_ref:
        out.rejects.append({"file": filename, "sheet": None, "row": position, "column": "iati-identifier",
                            "value": ident or None, "reason": "activity without an iati-identifier or a reporting-org ref"})
        return
    key = {"iati_identifier": ident, "reporting_org_ref": org_ref, "activity_position": position}
    dates = {d.get("type"): d.get("iso-date") for d in act.findall("activity-date")}
    status = act.find("activity-status")
    out.activities.append({
        **key,
        "reporting_org_name": _narrative(org),
        "reporting_org_type": org.get("type") if org is not None else None,
        "title": _narrative(act.find("title")),
        "description": _narrative(act.find("description")),
        "activity_status": status.get("code") if status is not None else None,
        "planned_start": dates.get("1"), "actual_start": dates.get("2"),
        "planned_end": dates.get("3"), "actual_end": dates.get("4"),
        "last_updated": act.get("last-updated-datetime"),
        "default_currency": act.get("default-currency"),
        "hierarchy": act.get("hierarchy"),
        "humanitarian": act.get("humanitarian"),
        "result_count": len(act.findall("result")),
    })
    for index, rc in enumerate(act.findall("recipient-country"), start=1):
        code = rc.get("code")
        if iso3_of(code) is None:
            out.rejects.append(_reject(filename, position, "recipient-country/@code", code,
                                       f"recipient-country code {code!r} is not an ISO 3166-1 country code; "
                                       "the activity's other countries are kept"))
            continue
        if problem := _percentage_problem(rc.get("percentage")):
            out.rejects.append(_reject(filename, position, f"recipient-country[{index}]/@percentage",
                                       rc.get("percentage"), problem))
            continue
        out.countries.append({**key, "country_code": code, "country_iso3": iso3_of(code),
                              "percentage": _float(rc.get("percentage"))})
    for index, rr in enumerate(act.findall("recipient-region"), start=1):
        if problem := _percentage_problem(rr.get("percentage")):
            out.rejects.append(_reject(filename, position, f"recipient-region[{index}]/@percentage",
                                       rr.get("percentage"), problem))
            continue
        out.regions.append({**key, "region_code": rr.get("code"), "vocabulary": rr.get("vocabulary", "1"),
                            "percentage": _float(rr.get("percentage"))})
    for index, sector in enumerate(act.findall("sector"), start=1):
        if problem := _percentage_problem(sector.get("percentage")):
            out.rejects.append(_reject(filename, position, f"sector[{index}]/@percentage",
                                       sector.get("percentage"), problem))
            continue
        out.sectors.append({**key, "vocabulary": sector.get("vocabulary", "1"), "sector_code": sector.get("code"),
                            "percentage": _float(sector.get("percentage")), "narrative": _narrative(sector)})
    for po in act.findall("participating-org"):
        out.participants.append({**key, "org_ref": po.get("ref"), "role": po.get("role"), "org_type": po.get("type"),
                                 "name": _narrative(po)})
    for index, budget in enumerate(act.findall("budget"), start=1):
        value = budget.find("value")
        if problem := _amount_problem(value.text if value is not None else None):
            out.rejects.append(_reject(filename, position, f"budget[{index}]/value", value.text, problem))
            continue
        out.budgets.append({**key, "budget_type": budget.get("type"), "status": budget.get("status"),
                            "period_start": _date_of(budget, "period-start"), "period_end": _date_of(budget, "period-end"),
                            "value": _float(value.text if value is not None else None),
                            "currency": (value.get("currency") if value is not None else None) or act.get("default-currency")})
    for index, tx in enumerate(act.findall("transaction"), start=1):
        value = tx.find("value")
        if problem := _amount_problem(value.text if value is not None else None):
            out.rejects.append(_reject(filename, position, f"transaction[{index}]/value", value.text, problem))
            continue
        kind = tx.find("transaction-type")
        out.transactions.append({**key, "transaction_type": kind.get("code") if kind is not None else None,
                                 "transaction_date": _date_of(tx, "transaction-date"),
                                 "value": _float(value.text if value is not None else None),
                                 "currency": (value.get("currency") if value is not None else None) or act.get("default-currency")})
    for r_index, result in enumerate(act.findall("result"), start=1):
        for i_index, ind in enumerate(result.findall("indicator"), start=1):
            ind_key = {**key, "result_index": r_index, "indicator_index": i_index}
            refs = [{"vocabulary": ref.get("vocabulary"), "code": ref.get("code")} for ref in ind.findall("reference")]
            out.indicators.append({
                **ind_key,
                "result_type": result.get("type"), "result_aggregation_status": result.get("aggregation-status"),
                "result_title": _narrative(result.find("title")),
                "indicator_title": _narrative(ind.find("title")),
                "measure": ind.get("measure", "1"), "ascending": ind.get("ascending", "1"),
                "aggregation_status": ind.get("aggregation-status"),
                "references": json.dumps(refs) if refs else None,
            })
            measure = ind.get("measure", "1")
            where = f"result[{r_index}]/indicator[{i_index}]"
            baseline = ind.find("baseline")
            if baseline is not None:
                problem = _value_problem(baseline.get("value"), measure, None, "baseline")
                if problem:
                    out.rejects.append(_reject(filename, position, f"{where}/baseline/@value", baseline.get("value"), problem))
                else:
                    out.values.append(_value(ind_key, "baseline", baseline, None, None, baseline.get("year")))
            for p_index, period in enumerate(ind.findall("period"), start=1):
                start, end = _date_of(period, "period-start"), _date_of(period, "period-end")
                for kind in ("target", "actual"):
                    for v_index, node in enumerate(period.findall(kind), start=1):
                        problem = _date_problem(start, end, kind) or _value_problem(node.get("value"), measure, end, kind)
                        if problem:
                            out.rejects.append(_reject(filename, position, f"{where}/period[{p_index}]/{kind}[{v_index}]",
                                                       node.get("value"), problem))
                            continue
                        out.values.append(_value({**ind_key, "period_index": p_index, "value_index": v_index},
                                                 kind, node, start, end, None))


_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


def _reject(filename: str, position: int, column: str, value: str | None, reason: str) -> dict:
    """A rejected item of an activity (a value, a country): the activity itself still loads."""
    return {"file": filename, "sheet": None, "row": position, "column": column, "value": value, "reason": reason}


def _value_problem(text: str | None, measure: str, end: str | None, kind: str) -> str | None:
    """Why a baseline, target or actual cannot be counted (None when it can, or has no value)."""
    if text is None or text.strip() == "":
        return None
    if not _DECIMAL.match(text.strip()):
        return f"{kind} value {text!r} is not a decimal number (IATI requires xsd:decimal; no '<5', no '1,282')"
    if not math.isfinite(float(text)):
        return f"{kind} value {text[:40]!r} is too large to be a finite number"
    if measure in ("1", "2") and float(text) < 0:
        return f"{kind} value {text!r} is negative: a count or a percentage cannot be"
    if measure == "2" and float(text) > 100:
        return f"{kind} value {text!r} is a percentage over 100"
    return None


def _percentage_problem(text: str | None) -> str | None:
    """A share must be a finite decimal between 0 and 100 (no 'NaN', no 'inf'); absent is allowed."""
    if text is None or text.strip() == "":
        return None
    if not _DECIMAL.match(text.strip()) or not math.isfinite(float(text)):
        return f"percentage {text[:40]!r} is not a decimal number"
    if not 0 <= float(text) <= 100:
        return f"percentage {text!r} is not between 0 and 100"
    return None


def _amount_problem(text: str | None) -> str | None:
    """A budget or transaction value: a finite decimal when given (IATI xsd:decimal)."""
    if text is None or text.strip() == "":
        return None
    if not _DECIMAL.match(text.strip()):
        return f"value {text[:40]!r} is not a decimal number (IATI requires xsd:decimal)"
    if not math.isfinite(float(text)):
        return f"value {text[:40]!r} is too large to be a finite number"
    return None


def _date_problem(start: str | None, end: str | None, kind: str) -> str | None:
    for label, text in (("period-start", start), ("period-end", end)):
        if text is None:
            continue
        try:
            when = date.fromisoformat(text[:10])
        except ValueError:
            return f"impossible date: {label} {text!r} is not an ISO date"
        if when.year < 1900:
            return f"impossible date: {label} {text!r} is before 1900"
    if kind == "actual" and end and end[:10] > date.today().isoformat():
        return f"an actual for a period that ends in the future ({end})"
    return None


def _date_of(node: Element, child: str) -> str | None:
    found = node.find(child)
    return found.get("iso-date") if found is not None else None


def _value(key: dict, kind: str, node: Element, start: str | None, end: str | None, year: str | None) -> dict:
    dims = {d.get("name"): d.get("value") for d in node.findall("dimension")}
    locations = [loc.get("ref") for loc in node.findall("location") if loc.get("ref")]
    comment = node.find("comment")
    return {
        **{"period_index": None, "value_index": 1}, **key,
        "value_kind": kind, "value": _float(node.get("value")), "value_text": node.get("value"),
        "period_start": start, "period_end": end, "baseline_year": year,
        "dimensions": json.dumps(dims, sort_keys=True) if dims else None,
        "locations": ",".join(locations) or None,
        "comment": _narrative(comment) if comment is not None else None,
    }
