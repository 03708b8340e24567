"""An answer of the UNSD SDG API (`/v1/sdg/Series/Data`), one page or every page of a series.

A page (`page` counts from 1) carries `totalElements`, `totalPages`, `pageNumber`, the series'
`attributes` and `dimensions` definitions and `data`; each element of `data` is one observation:
`series`, `indicator` (a list), `geoAreaCode` (M49, unpadded), `geoAreaName`, `timePeriodStart` (a number, 2015.0), `value` (text),
`valueType`, `lowerBound`, `upperBound`, `source`, `footnotes`, `attributes` ({"Nature": "C",
"Units": "PER_100000_POP"}) and `dimensions` ({"Sex": "BOTHSEX", "Age": "15+", "Reporting Type": "G"}).
The fetcher stores a series as one document of its pages as the API wrote them, `{"series",
"totalElements", "pages": [page 1, page 2, ...]}`; read so, the pages must hold exactly
`totalElements` observations, and `source_row` counts the observations across the pages in order.
Numbers are read as the text the API wrote, so that `value_text` is as published.
"""
from __future__ import annotations

import codecs
import json

from ..errors import SourceError
from ..parsing import MAX_FILE_BYTES, FrameResult, refuse_utf16
from .observations import NAMED_FIELDS, Observation, concept_id, frame_result, shown

REQUIRED = ("series", "geoAreaCode", "timePeriodStart", "value")
MAX_DIGITS = 18     # totalElements, totalPages, pageNumber


def load_json(data: bytes, filename: str) -> dict:
    """The answer's JSON object (numbers kept as their text), or refused in one line."""
    if len(data) > MAX_FILE_BYTES:
        raise SourceError(f"file is {len(data)} bytes, over the {MAX_FILE_BYTES}-byte limit", file=filename)
    refuse_utf16(data, filename, save_as="UTF-8")
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    head = body.lstrip()[:1]
    if not head:
        raise SourceError("file is empty", file=filename)
    if head == b"<":
        raise SourceError("not JSON: the answer is an HTML or XML page (an error or maintenance page?)", file=filename)
    if head != b"{":
        raise SourceError(f"not an SDG API answer: JSON object expected, the bytes start with {body.lstrip()[:20]!r}",
                          file=filename)
    try:
        doc = json.loads(body.decode("utf-8"), parse_float=str, parse_int=str)
    except UnicodeDecodeError as exc:
        raise SourceError(f"not UTF-8 (byte {body[exc.start]:#04x} at offset {exc.start})", file=filename) from None
    except json.JSONDecodeError as exc:
        raise SourceError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", file=filename) from None
    except RecursionError:
        raise SourceError("not an SDG API answer: JSON nested too deeply", file=filename) from None
    if not isinstance(doc, dict):
        raise SourceError("not an SDG API answer: JSON object expected", file=filename)
    return doc


def _data(page, filename: str) -> list:
    if not isinstance(page, dict) or not isinstance(page.get("data"), list):
        raise SourceError("not an SDG API Series/Data answer: no `data` array of observations", file=filename)
    return page["data"]


def observations_of(doc: dict, filename: str) -> tuple[list, dict]:
    """The observations of a page or of a stored series (its pages), with the paging facts;
    a stored series that does not hold exactly its totalElements observations is refused."""
    total = whole_number(doc.get("totalElements"), "totalElements", filename)
    if "pages" not in doc:
        return _data(doc, filename), {
            "total_elements": total, "page": whole_number(doc.get("pageNumber"), "pageNumber", filename),
            "total_pages": whole_number(doc.get("totalPages"), "totalPages", filename)}
    pages = doc["pages"] if isinstance(doc["pages"], list) else [None]
    rows = [row for page in pages for row in _data(page, filename)]
    said = {whole_number(p.get("totalElements"), "totalElements", filename) for p in pages}
    if total is None or said != {total} or len(rows) != total:
        # A short document would pass for the whole series and replace it.
        raise SourceError(f"the document's {len(pages)} pages hold {len(rows)} observations; totalElements says "
                          f"{total} (the pages say {sorted(said, key=str)}): incomplete", file=filename)
    return rows, {"total_elements": total, "page": None, "total_pages": len(pages)}


def whole_number(value, what: str, filename: str) -> int | None:
    if value is None:
        return None
    if len(str(value)) > MAX_DIGITS:
        # A count of thousands of digits is no count; quoting it whole would flood the message.
        raise SourceError(f"{what} is not a whole number of at most {MAX_DIGITS} digits: {shown(str(value))!r}",
                          file=filename)
    try:
        return int(str(value))
    except ValueError:
        raise SourceError(f"{what} is not a whole number: {shown(str(value))!r}", file=filename) from None


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return str(value).strip() or None


def _joined(value, sep: str) -> str | None:
    if isinstance(value, list):
        return sep.join(t for v in value if (t := _text(v))) or None
    return _text(value)


def _observation(i: int, row: dict) -> Observation:
    fields, dims = {}, {}
    for group in ("attributes", "dimensions"):
        for key, code in (row.get(group) or {}).items() if isinstance(row.get(group), dict) else ():
            column = concept_id(str(key))
            (fields if column in NAMED_FIELDS else dims)[column] = _text(code)
    return Observation(
        source_row=i, series_code=_text(row.get("series")), sdg_indicator=_joined(row.get("indicator"), ", "),
        geo_area=_text(row.get("geoAreaCode")), geo_area_name=_text(row.get("geoAreaName")),
        year=_text(row.get("timePeriodStart")), value=_text(row.get("value")),
        fields=fields, dimensions={k: v for k, v in dims.items() if v is not None},
        lower_bound=_text(row.get("lowerBound")), upper_bound=_text(row.get("upperBound")),
        data_source=_text(row.get("source")), footnote=_joined(row.get("footnotes"), "; "))


def parse_api(data: bytes, *, filename: str) -> FrameResult:
    doc = load_json(data, filename)
    rows, paging = observations_of(doc, filename)
    # A stored series names its series: an observation of another is not one of its figures.
    stored = _text(doc.get("series")) if "pages" in doc else None
    if not rows:
        raise SourceError(f"the answer holds no observations (totalElements {paging['total_elements']})", file=filename)
    objects = [r for r in rows if isinstance(r, dict)]
    missing = [k for k in REQUIRED if not any(k in r for r in objects)]
    if missing:
        raise SourceError(f"not an SDG API Series/Data answer: no observation has {', '.join(missing)}",
                          file=filename, column=missing[0])
    observations, rejected = [], []
    for i, row in enumerate(rows, start=1):
        if isinstance(row, dict):
            observation = _observation(i, row)
            if stored and observation.series_code and observation.series_code != stored:
                rejected.append({"file": filename, "sheet": None, "row": i, "column": "series",
                                 "value": shown(observation.series_code),
                                 "reason": f"an observation of series {shown(observation.series_code)} in the stored "
                                           f"series {stored}"})
                continue
            observations.append(observation)
        else:
            rejected.append({"file": filename, "sheet": None, "row": i, "column": "data", "value": shown(_text(row)),
                             "reason": "the observation is not a JSON object"})
    return frame_result(filename, len(rows), observations, header=list(REQUIRED),
                        columns={"value": "value", "geo_area": "geoAreaCode", "year": "timePeriodStart",
                                 "series_code": "series", "lower_bound": "lowerBound", "upper_bound": "upperBound",
                                 "sdg_indicator": "indicator", "geo_area_name": "geoAreaName", "data_source": "source",
                                 "footnote": "footnotes"},
                        facts={"format": "sdg_api_json", **paging},
                        rejected=rejected)
