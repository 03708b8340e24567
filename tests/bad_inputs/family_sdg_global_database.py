"""The bad-input corpus of the SDG Global Database family (sources/sdg): the bundled DDF re-cut
files, and the same real rows as the stored SDG API series the fetcher writes, each damaged once.

A DDF file's reject names its CSV line (header = line 1) and column; an API answer's, the
observation's position in the series and its JSON key.
"""
from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from typing import Callable

from .build import BUNDLED, HTML_ERROR_PAGE, csv_rows, csv_text, truncated, xlsx
from .corpus import (FORMULA, NO_BOM_UTF16, Case, Loaded, Refused, append, drop_col, dup_col, edit, insert_row,
                     lone_cr, reverse_cols, utf16_without_bom)

FAMILY = "sdg_global_database"
SDG = BUNDLED / FAMILY
SZTRACE = next(SDG.glob("ddf--datapoints--vc_arm_sztrace--*.csv"))     # 16.4.2, 45 rows
SUD_TREAT = next(SDG.glob("ddf--datapoints--sh_sud_treat--*.csv"))     # 3.5.1, 80 rows, `notspec` and a dimension
HOMICIDE = next(SDG.glob("ddf--datapoints--vc_ihr_psrc--*.csv"))       # 16.1.1, 8552 rows
API_NAME = "VC_ARM_SZTRACE.json"


# --------------------------------------------------------------------------- the real files

def ddf_rows(path=SZTRACE) -> list[list[str]]:
    return csv_rows(path)


def ddf(rows: list[list[str]]) -> bytes:
    return csv_text(rows).encode()


def ddf_col(name: str, path=SZTRACE) -> int:
    return ddf_rows(path)[0].index(name)


def ddf_edit(col: str, value: str, at: int = 1, path=SZTRACE) -> bytes:
    return ddf(edit(ddf_rows(path), at, ddf_col(col, path), value))


@lru_cache(maxsize=1)
def _entity_names() -> dict[str, dict[str, str]]:
    from sources.sdg.observations import entity_names

    return entity_names()


def api_rows(path=SZTRACE, indicator: str = "16.4.2") -> list[dict]:
    """The file's real rows as the SDG API answers them (codes spelled as the API spells them)."""
    names = _entity_names()
    value_column = path.name.split("--")[2]
    out = []
    for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))):
        attributes = {k.capitalize(): names[k][v] for k, v in r.items() if k in ("nature", "units") and v != "notspec"}
        out.append({"goal": [indicator.split(".")[0]], "indicator": [indicator], "series": value_column.upper(),
                    "geoAreaCode": r["geo_area"], "geoAreaName": names["geo_area"][r["geo_area"]],
                    "timePeriodStart": float(r["year"]), "value": r[value_column], "valueType": "Float",
                    "attributes": attributes, "dimensions": {}})
    return out


def api_series(rows: list | None = None, total: int | None = None) -> dict:
    """A series as the fetcher stores it: every page as the API wrote it, in one document."""
    rows = api_rows() if rows is None else rows
    total = len(rows) if total is None else total
    pages = [{"totalElements": total, "totalPages": 2, "pageNumber": n, "attributes": [], "dimensions": [], "data": part}
             for n, part in ((1, rows[:30]), (2, rows[30:]))]
    return {"series": "VC_ARM_SZTRACE", "totalElements": total, "pages": pages}


def api(doc: dict | None = None) -> bytes:
    return json.dumps(api_series() if doc is None else doc, ensure_ascii=False).encode()


def api_edit(key: str, value, at: int = 0) -> bytes:
    rows = api_rows()
    rows[at][key] = value
    return api(api_series(rows))


def api_text_sub(old: str, new: str) -> bytes:
    """The answer's JSON text with one piece replaced: what json.dumps cannot write (a number of
    thousands of digits, a lone surrogate's escape)."""
    text = api().decode()
    assert old in text, old
    return text.replace(old, new, 1).encode()


BASES: dict[str, tuple[str, str, Callable[[], bytes]]] = {
    "sdg_sztrace_ddf": (FAMILY, SZTRACE.name, lambda: SZTRACE.read_bytes()),
    "sdg_sud_treat_ddf": (FAMILY, SUD_TREAT.name, lambda: SUD_TREAT.read_bytes()),
    "sdg_homicide_ddf": (FAMILY, HOMICIDE.name, lambda: HOMICIDE.read_bytes()),
    "sdg_sztrace_api": (FAMILY, API_NAME, lambda: api()),
}


# --------------------------------------------------------------------------- checks of a report

def facts(key: str, expected) -> Callable[[dict, bytes], None]:
    def check(report: dict, data: bytes) -> None:
        assert report["summary"][key] == expected, (key, report["summary"][key])
    return check


def warns(part: str) -> Callable[[dict, bytes], None]:
    def check(report: dict, data: bytes) -> None:
        assert any(part in w for w in report["warnings"]), report["warnings"]
    return check


def quoted_short(report: dict, data: bytes) -> None:
    """A value of thousands of digits is quoted in 80 characters and its length, not whole."""
    (reject,) = report["rejects"]
    assert len(reject["reason"]) < 150 and "(5001 characters)" in reject["reason"], reject["reason"][:200]


def duplicates_counted(report: dict, data: bytes) -> None:
    assert report["summary"]["duplicate_key_rows"] == 2, report["summary"]["duplicate_key_rows"]
    assert any("all are kept" in w for w in report["warnings"]), report["warnings"]


def negative_kept(report: dict, data: bytes) -> None:
    from sources.sdg import parse_sdg

    # Some SDG series are changes: a negative figure is a figure.
    assert -10.71 in parse_sdg(data, filename=SZTRACE.name).accepted["value"].to_list()


# --------------------------------------------------------------------------- the cases

def _ddf_cases() -> list[Case]:
    def c(name, level, make, expect, base="sdg_sztrace_ddf", **kw):
        return Case(FAMILY, base, name, level, make, expect, **kw)

    value = "vc_arm_sztrace"

    def latin1() -> bytes:
        return csv_text(edit(ddf_rows(), 1, ddf_col("nature"), "é")).encode("iso-8859-1")

    def unclosed_quote() -> bytes:
        text = SZTRACE.read_text().splitlines()
        text[3] = text[3].replace(",", ',"', 1)
        return ("\n".join(text) + "\n").encode()

    def short_row() -> bytes:
        return ddf(insert_row(ddf_rows(), 3, ["31", "c", "percent", "2017"]))

    def unknown_areas(n: int, path) -> bytes:
        rows = ddf_rows(path)
        for at in range(1, n + 1):
            rows = edit(rows, at, ddf_col("geo_area", path), "999")
        return ddf(rows)

    return [
        c("empty-file", "file", lambda: b"", Refused(("file is empty",))),
        c("header-only", "file", lambda: ddf(ddf_rows()[:1]), Refused(("a header but no rows",), row=1)),
        c("html-error-page-as-csv", "file", lambda: HTML_ERROR_PAGE, Refused(("not a CSV file", "HTML"))),
        c("workbook-saved-as-csv", "file", lambda: xlsx({"Sheet1": ddf_rows()}), Refused(("a zip archive",))),
        # Cut in the middle of a line: the last row lacks its value and is rejected, not read as a figure.
        c("truncated-csv", "file", lambda: truncated(SZTRACE.read_bytes()),
          Loaded({"the row has 4 cells, the header 5": 1}, added=22 - 45, column=value)),
        c("iso-8859-1-read-as-utf-8", "file", latin1, Refused(("not UTF-8", "0xe9"))),
        c("utf-16", "file", lambda: SZTRACE.read_text().encode("utf-16"), Refused(("not UTF-8: UTF-16", "byte-order mark"))),
        c("utf-16-without-bom", "file", lambda: utf16_without_bom(SZTRACE.read_text()), Refused(NO_BOM_UTF16)),
        c("byte-order-mark", "file", lambda: b"\xef\xbb\xbf" + SZTRACE.read_bytes(), Loaded()),
        c("lone-cr-line-ends", "file", lambda: lone_cr(SZTRACE.read_text()), Loaded()),
        c("missing-units-column", "layout", lambda: ddf(drop_col(ddf_rows(), ddf_col("units"))),
          Refused(("required column(s) missing: units",), row=1, column="units")),
        c("renamed-area-column", "layout", lambda: ddf(edit(ddf_rows(HOMICIDE), 0, 0, "country")),
          Refused(("required column(s) missing: geo_area",), row=1, column="geo_area"), base="sdg_homicide_ddf"),
        c("renamed-value-column", "layout", lambda: ddf(edit(ddf_rows(), 0, ddf_col(value), "value")),
          Refused(("no value column named after an SDG series",), row=1)),
        c("duplicated-column", "layout", lambda: ddf(dup_col(ddf_rows(), ddf_col("year"))),
          Refused(("'year' appears twice",), row=1, column="year")),
        c("two-series-in-one-file", "layout", lambda: ddf([r + [x] for r, x in zip(ddf_rows(), ["vc_ihr_psrc"] + ["1"] * 45)]),
          Refused(("several value columns",), row=1, column="vc_ihr_psrc")),
        c("header-moved-down", "layout", lambda: ddf(insert_row(ddf_rows(), 0, ["SDG 16.4.2, arms traced"])),
          Refused(("required column(s) missing",), row=1)),
        c("reordered-columns", "layout", lambda: ddf(reverse_cols(ddf_rows())), Loaded()),
        # The layout comes from the header: a file saved under another series' name is still read.
        c("saved-under-another-series-name", "layout", lambda: SUD_TREAT.read_bytes(),
          Loaded(check=warns("the header is followed")), base="sdg_sud_treat_ddf",
          filename=SZTRACE.name),
        c("unclosed-quote", "row", unclosed_quote, Refused(("a quote opened on this line is never closed",), row=4)),
        c("short-row", "row", short_row, Loaded({"the row has 4 cells": 1}, added=1, column=value)),
        c("unknown-area-code", "row", lambda: ddf_edit("geo_area", "999"),
          Loaded({"unknown M49 area code": 1}, column="geo_area")),
        c("area-code-not-numeric", "row", lambda: ddf_edit("geo_area", "ALB"), Loaded({"not an M49 numeric code": 1})),
        c("year-in-the-future", "row", lambda: ddf_edit("year", "2099"), Loaded({"impossible year": 1}, column="year")),
        c("year-before-1900", "row", lambda: ddf_edit("year", "1899"), Loaded({"impossible year": 1})),
        c("year-1013", "row", lambda: ddf_edit("year", "1013"), Loaded({"impossible year": 1})),
        c("year-2O20", "row", lambda: ddf_edit("year", "2O20"), Loaded({"year is not a whole number": 1})),
        c("value-not-a-number", "row", lambda: ddf_edit(value, "n/a"), Loaded({"value is not a number": 1}, column=value)),
        c("value-empty", "row", lambda: ddf_edit(value, ""), Loaded({"value is empty": 1}, column=value)),
        c("value-nan", "row", lambda: ddf_edit(value, "NaN"), Loaded({"value is not a number": 1})),
        c("value-inf", "row", lambda: ddf_edit(value, "inf"), Loaded({"value is not a number": 1})),
        c("value-1e309", "row", lambda: ddf_edit(value, "1e309"), Loaded({"value is not a number": 1})),
        c("censored-value", "row", lambda: ddf_edit(value, ">95"), Loaded({"value is not a number": 1})),
        c("footnote-glued-to-number", "row", lambda: ddf_edit(value, "10.71a"), Loaded({"value is not a number": 1})),
        c("negative-value-kept", "row", lambda: ddf_edit(value, "-10.71"), Loaded(check=negative_kept)),
        c("formula-as-label", "row", lambda: ddf_edit("nature", FORMULA),
          Loaded({"label looks like a spreadsheet formula": 1}, column="nature")),
        c("formula-as-area", "row", lambda: ddf_edit("geo_area", "=1+1"), Loaded({"not an M49 numeric code": 1})),
        c("duplicate-row", "row", lambda: ddf(append(ddf_rows(HOMICIDE), ddf_rows(HOMICIDE)[1])),
          Loaded(added=1, check=duplicates_counted), base="sdg_homicide_ddf"),
        # 5 of 80 rows rejected (6.3%): over the build's limit of 5%, as `inspect` says.
        c("reject-rate-over-the-limit", "row", lambda: unknown_areas(5, SUD_TREAT),
          Loaded({"unknown M49 area code": 5}, blocking=("sdg_reject_rate",), check=facts("not_specified_cells", 80)),
          base="sdg_sud_treat_ddf"),
        c("every-row-rejected", "row", lambda: unknown_areas(45, SZTRACE),
          Loaded({"unknown M49 area code": 45}, blocking=("every_row_rejected",))),
        c("1-mb-cell", "hostile", lambda: ddf_edit("nature", "A" * (1024 * 1024), at=2),
          Refused(("field larger than field limit",), row=3)),
        c("over-50-mb", "hostile", lambda: SZTRACE.read_bytes() + b"8,c,percent,2020,1\n" * (3 * 1024 * 1024),
          Refused(("over the", "limit"))),
    ]


def _api_cases() -> list[Case]:
    def c(name, level, make, expect):
        return Case(FAMILY, "sdg_sztrace_api", name, level, make, expect)

    def missing_page() -> bytes:
        doc = api_series()
        doc["pages"] = doc["pages"][:1]
        return api(doc)

    def without(key: str) -> bytes:
        rows = [{k: v for k, v in r.items() if k != key} for r in api_rows()]
        return api(api_series(rows))

    def one_more(extra) -> bytes:
        rows = api_rows()
        return api(api_series(rows[:5] + [extra] + rows[5:]))

    def another_series() -> bytes:
        rows = api_rows()
        rows[4]["series"] = "VC_IHR_PSRC"
        return api(api_series(rows))

    def nested(depth: int) -> bytes:
        return api_text_sub('"dimensions": {}', '"dimensions": {"Deep": ' + "[" * depth + "]" * depth + "}")

    return [
        c("empty-file", "file", lambda: b"", Refused(("file is empty",))),
        c("html-error-page-as-json", "file", lambda: HTML_ERROR_PAGE, Refused(("not JSON", "HTML or XML page"))),
        c("truncated-json", "file", lambda: truncated(api()), Refused(("not JSON:", "line 1, column"))),
        c("utf-16", "file", lambda: api().decode().encode("utf-16"), Refused(("UTF-16", "byte-order mark", "save it as UTF-8"))),
        c("utf-16-without-bom", "file", lambda: utf16_without_bom(api().decode()), Refused(NO_BOM_UTF16)),
        c("byte-order-mark", "file", lambda: b"\xef\xbb\xbf" + api(), Loaded()),
        c("error-message-instead-of-data", "file", lambda: b'{"message": "An error has occurred."}',
          Refused(("no `data` array",))),
        c("series-with-no-observations", "file", lambda: api(api_series([], total=0)), Refused(("holds no observations",))),
        # A short document would pass for the whole series and replace it.
        c("stored-series-missing-a-page", "layout", missing_page, Refused(("pages hold 30 observations", "incomplete"))),
        c("json-array-not-object", "layout", lambda: json.dumps(api_rows()).encode(), Refused(("JSON object expected",))),
        c("no-observation-has-a-year", "layout", lambda: without("timePeriodStart"),
          Refused(("no observation has timePeriodStart",), column="timePeriodStart")),
        c("value-nan-literal", "row", lambda: api_text_sub('"value": "10.71"', '"value": NaN'),
          Loaded({"value is not a number": 1}, column="value")),
        c("value-number-not-text", "row", lambda: api_text_sub('"value": "10.71"', '"value": 10.71'), Loaded()),
        c("year-not-whole", "row", lambda: api_edit("timePeriodStart", 2016.5),
          Loaded({"year is not a whole number": 1}, column="timePeriodStart")),
        c("year-in-the-future", "row", lambda: api_edit("timePeriodStart", 2099.0),
          Loaded({"impossible year": 1}, column="timePeriodStart")),
        c("unknown-area-code", "row", lambda: api_edit("geoAreaCode", "998"),
          Loaded({"unknown M49 area code": 1}, column="geoAreaCode")),
        c("bound-not-a-number", "row", lambda: api_edit("lowerBound", "low"),
          Loaded({"lower bound is not a number": 1}, column="lowerBound")),
        c("observation-not-an-object", "row", lambda: one_more("not an observation"),
          Loaded({"not a JSON object": 1}, added=1, column="data")),
        c("observation-of-another-series", "row", another_series,
          Loaded({"an observation of series VC_IHR_PSRC in the stored series VC_ARM_SZTRACE": 1}, column="series")),
        c("formula-as-footnote", "row", lambda: api_edit("footnotes", [FORMULA]),
          Loaded({"spreadsheet formula": 1}, column="footnotes")),
        c("duplicate-observation", "row", lambda: one_more(api_rows()[0]), Loaded(added=1, check=duplicates_counted)),
        # Hostile: what a crafted answer could do to a reader that trusts it.
        c("nesting-bomb", "hostile", lambda: nested(100_000), Refused(("nested too deeply",))),
        c("lone-surrogate-in-a-name", "hostile", lambda: api_text_sub('"geoAreaName": "Albania"', '"geoAreaName": "\\ud800"'),
          Loaded({"not valid Unicode": 1}, column="geoAreaName")),
        c("value-of-5000-digits", "hostile", lambda: api_text_sub('"value": "10.71"', '"value": 1' + "0" * 5000),
          Loaded({"value is not a number": 1}, check=quoted_short)),
        c("total-of-5000-digits", "hostile", lambda: api_text_sub('"totalElements": 45', '"totalElements": 1' + "0" * 5000),
          Refused(("totalElements is not a whole number of at most 18 digits", "(5001 characters)"))),
    ]


CASES: list[Case] = _ddf_cases() + _api_cases()
