"""Every case of the bad-input corpus: a real reference file, one mutation, the outcome it must get.

An outcome is either `Refused` (the file cannot be used: a SourceError whose message names the
file, and the sheet, row and column where they apply) or `Loaded` (the file loads; the rows named
in `rejected` are rejected with those reasons, rows in = accepted + rejected + not available (rows
that hold only `..`), and the rows in differ from the unmutated file's by `added`).
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path
from typing import Callable

from sources.iati.template import COLUMNS as TEMPLATE_COLUMNS

from .build import (COCA_ANNEX, COCA_COMPILED, HOMICIDE, HTML_ERROR_PAGE, IATI_SAMPLE, PRISONS, SEIZURES,
                    SINGLE_CONVENTION_XML, UNTOC_CSV, Serial, Text, big_cell_xlsx, csv_rows, csv_text,
                    declare_dimension, far_cell_xlsx, hostile_xml, rows_of, truncated, xlsx)
from .corpus import (FORMULA, LATIN1_NAME, NO_BOM_UTF16, Case, Loaded, Refused, accepted_value, append, drop_col,
                     dup_col, edit, insert_row, lone_cr, reverse_cols, summary, summary_has, swap_cols, utf16_without_bom)


# --------------------------------------------------------------------------- the real files

def untoc_rows() -> list[list[str]]:
    return csv_rows(UNTOC_CSV)


def untoc(rows: list[list[str]]) -> bytes:
    return csv_text(rows).encode()


def vi15_text() -> str:
    return SINGLE_CONVENTION_XML.read_bytes().decode("iso-8859-1")


def vi15(text: str, encoding: str = "iso-8859-1") -> bytes:
    return text.encode(encoding)


CTS_SHEET = "data_cts_prisons_and_prisoners"
CTS_HEADER = 2          # index of the header row in the real file's first rows


def cts_rows() -> list[list]:
    return rows_of(PRISONS, 40)


def cts(rows: list[list], sheet: str = CTS_SHEET, before: dict | None = None) -> bytes:
    return xlsx({**(before or {}), sheet: rows})


def cts_col(name: str) -> int:
    return cts_rows()[CTS_HEADER].index(name)


SEIZURE_HEADER = 3


def seizure_rows() -> list[list]:
    return rows_of(SEIZURES, 40)


def seizures(rows: list[list]) -> bytes:
    return xlsx({"seizures": rows})


def seizure_col(name: str) -> int:
    return seizure_rows()[SEIZURE_HEADER].index(name)


ANNEX_YEARS = 2       # index of the year header in the real table's rows (title, blank, years)


def annex_rows() -> list[list]:
    return rows_of(COCA_ANNEX, 40)


def annex(rows: list[list], before: dict | None = None) -> bytes:
    return xlsx({**(before or {}), "6.1.1": rows})


def annex_row(rows: list[list], label: str) -> int:
    return next(i for i, r in enumerate(rows) if r[0] and r[0].strip().startswith(label))


def compiled_rows() -> list[list[str]]:
    return csv_rows(COCA_COMPILED)


def compiled(rows: list[list[str]]) -> bytes:
    return csv_text(rows).encode()


def iati_text() -> str:
    return IATI_SAMPLE.read_text(encoding="utf-8")


def iati_body() -> str:
    """The sample without its declaration and comment: what an attacker wraps."""
    text = re.sub(r"^<\?xml[^>]*\?>\s*", "", iati_text())
    return re.sub(r"<!--.*?-->\s*", "", text, count=1, flags=re.S)


PRI_SHEET = "PRI Prison reform"
RAT_SHEET = "RAT Ratification and implementa"


def template_sheets(pri_rows: list[list] | None = None, header: list | None = None, above: int = 0,
                    first: dict | None = None) -> dict:
    rows = pri_rows if pri_rows is not None else template_rows()
    head = header if header is not None else list(TEMPLATE_COLUMNS)
    pri = [[f"Prison reform: report one row per country, indicator and year."]] + [[]] * above + [head] + rows
    rat = [["Ratification and implementation: report one row per country, indicator and year."],
           list(TEMPLATE_COLUMNS), ["Ghana", "RAT.R1.I1", 2010, 1, "GHA-RAT-3", None]]
    return {**(first or {}), "Instructions": [["How to fill this template"]], PRI_SHEET: pri, RAT_SHEET: rat}


def template_rows() -> list[list]:
    return [["Kenya", "PRI.R2.I1", 2010, 120, "KEN-PRISON-7", None],
            ["Nigeria", "PRI.R2.I1", 2011, 35, None, "two prisons"],
            ["KEN", "PRI.R3.I1", 2009, 4, None, None],
            ["Ghana", "PRI.R2.I1", 2012, 18, None, None]]


def template(**kw) -> bytes:
    return xlsx(template_sheets(**kw))


BASES: dict[str, tuple[str, str, Callable[[], bytes]]] = {
    "untoc_csv": ("ratification", "18-12.csv", lambda: UNTOC_CSV.read_bytes()),
    "vi15_xml": ("ratification", "VI-15.en.xml", lambda: SINGLE_CONVENTION_XML.read_bytes()),
    "prisons": ("crime_statistics", "data_cts_prisons_and_prisoners.xlsx", lambda: cts(cts_rows())),
    "seizures": ("crime_statistics", "7.1_-_Drug_seizures_2016-2020.xlsx", lambda: seizures(seizure_rows())),
    "coca_annex": ("crop_surveys", COCA_ANNEX.name, lambda: COCA_ANNEX.read_bytes()),
    "coca_compiled": ("crop_surveys", COCA_COMPILED.name, lambda: COCA_COMPILED.read_bytes()),
    "iati": ("project_outputs", "iati_activities.xml", lambda: IATI_SAMPLE.read_bytes()),
    "template": ("project_outputs", "template_pri_2010.xlsx", lambda: template()),
}


# --------------------------------------------------------------------------- mutations of these files

def cts_edit(col: str, value, at: int = CTS_HEADER + 1) -> bytes:
    return cts(edit(cts_rows(), at, cts_col(col), value))


def seizure_edit(col: str, value, at: int = SEIZURE_HEADER + 1) -> bytes:
    return seizures(edit(seizure_rows(), at, seizure_col(col), value))


def untoc_edit(row: int, col: int, value: str) -> bytes:
    return untoc(edit(untoc_rows(), row, col, value))


def vi15_sub(old: str, new: str) -> bytes:
    text = vi15_text()
    assert old in text, old
    return vi15(text.replace(old, new, 1))


def annex_edit(label: str, col: int, value) -> bytes:
    rows = annex_rows()
    return annex(edit(rows, annex_row(rows, label), col, value))


def compiled_edit(row: int, col: str, value: str) -> bytes:
    rows = compiled_rows()
    return compiled(edit(rows, row, rows[0].index(col), value))


def iati_sub(old: str, new: str, count: int = 1) -> bytes:
    text = iati_text()
    assert old in text, old
    return text.replace(old, new, count).encode("utf-8")


def template_edit(row: int, col: int, value) -> bytes:
    return template(pri_rows=edit(template_rows(), row, col, value))


def kosovo_read_as(parse, column: str = "country_iso3") -> Callable[[dict, bytes], None]:
    """Issue 20, defect 11: Kosovo, as IATI and UN files write it, is read as Kosovo (XKX)."""
    def check(report: dict, data: bytes) -> None:
        values = parse(data)[column].to_list()
        assert "XKX" in values, values[:10]
    return check


def cts_accepted(data: bytes):
    from sources.crime.cts import parse_cts

    return parse_cts(data, filename="x.xlsx").accepted


def seizures_accepted(data: bytes):
    from sources.crime.wdr_seizures import parse_wdr_seizures

    return parse_wdr_seizures(data, filename="x.xlsx").accepted.rename({"iso3": "country_iso3"})


def compiled_accepted(data: bytes):
    from sources.crops.compiled import parse_compiled

    return parse_compiled(data, filename="x.csv").accepted


def annex_accepted(data: bytes):
    from sources.crops.wdr_annex import parse_wdr_annex

    return parse_wdr_annex(data, filename="x.xlsx").accepted


def _ratification() -> list[Case]:
    def c(base, name, level, make, expect, **kw):
        return Case("ratification", base, name, level, make, expect, **kw)

    def latin1_declared_utf8() -> bytes:
        text = vi15_text().replace('encoding="iso-8859-1"', 'encoding="utf-8"', 1)
        return text.replace("<Entry>Chile</Entry>", f"<Entry>{LATIN1_NAME}</Entry>", 1).encode("iso-8859-1")

    def utf8_declared_latin1() -> bytes:
        return vi15_text().replace("<Entry>Turkey</Entry>", "<Entry>Türkiye</Entry>", 1).encode("utf-8")

    xml_body = re.sub(r"^<\?xml[^>]*\?>\s*", "", vi15_text())
    return [
        c("untoc_csv", "empty-file", "file", lambda: b"", Refused(("file is empty",))),
        c("untoc_csv", "header-only", "file", lambda: untoc(untoc_rows()[:1]), Refused(("no participant rows",))),
        c("vi15_xml", "truncated-xml", "file", lambda: truncated(SINGLE_CONVENTION_XML.read_bytes()),
          Refused(("ill-formed XML",))),
        c("vi15_xml", "html-error-page-as-xml", "file", lambda: HTML_ERROR_PAGE, Refused(("an HTML page",))),
        c("untoc_csv", "iso-8859-1-read-as-utf-8", "file", lambda: UNTOC_CSV.read_text().encode("iso-8859-1"),
          Refused(("not UTF-8", "0xf4"), row=next(i for i, r in enumerate(untoc_rows(), 1) if r[0] == LATIN1_NAME))),
        c("vi15_xml", "iso-8859-1-declared-utf-8", "file", latin1_declared_utf8,
          Refused(("cannot decode as declared encoding 'utf-8'",))),
        c("vi15_xml", "utf-8-declared-iso-8859-1", "file", utf8_declared_latin1,
          Refused(("declares ISO-8859-1", "UTF-8"))),
        c("untoc_csv", "byte-order-mark", "file", lambda: b"\xef\xbb\xbf" + UNTOC_CSV.read_bytes(), Loaded()),
        c("vi15_xml", "byte-order-mark", "file", lambda: b"\xef\xbb\xbf" + SINGLE_CONVENTION_XML.read_bytes(), Loaded()),
        c("untoc_csv", "utf-16", "file", lambda: UNTOC_CSV.read_text().encode("utf-16"), Refused(("not UTF-8",))),
        # Issue 20, defect 12: a misleading byte offset, or a multi-line parser message with no row.
        c("untoc_csv", "utf-16-without-bom", "file", lambda: utf16_without_bom(UNTOC_CSV.read_text()), Refused(NO_BOM_UTF16)),
        c("untoc_csv", "utf-16-be-without-bom", "file", lambda: utf16_without_bom(UNTOC_CSV.read_text(), "be"),
          Refused(NO_BOM_UTF16 + ("big-endian",))),
        c("untoc_csv", "lone-cr-line-ends", "file", lambda: lone_cr(UNTOC_CSV.read_text()), Loaded()),
        c("untoc_csv", "100-mb-cell", "file", lambda: UNTOC_CSV.read_bytes() + b"A" * (100 * 1024 * 1024) + b",,\n",
          Refused(("over the", "limit"))),
        c("untoc_csv", "1-mb-cell", "file", lambda: untoc_edit(3, 0, "A" * (1024 * 1024)),
          Refused(("cell",), row=4)),
        c("vi15_xml", "empty-document", "file", lambda: b"<Document/>", Refused(("not an MTDSG status file",))),
        c("untoc_csv", "missing-participant-column", "layout", lambda: untoc(drop_col(untoc_rows(), 0)),
          Refused(("expected 'Participant'",), row=1, column="Signature")),
        c("untoc_csv", "renamed-action-column", "layout",
          lambda: untoc(edit(untoc_rows(), 0, 2, "Ratified")), Refused(("unknown action column",), row=1, column="Ratified")),
        c("untoc_csv", "duplicated-column", "layout", lambda: untoc(dup_col(untoc_rows(), 1)),
          Refused(("appears twice",), row=1, column="Signature")),
        c("untoc_csv", "reordered-columns", "layout", lambda: untoc(swap_cols(untoc_rows(), 1, 2)), Loaded()),
        c("untoc_csv", "header-moved-down", "layout", lambda: untoc(insert_row(untoc_rows(), 0, ["UNTOC status", "", ""])),
          Refused(("expected 'Participant'",), row=1)),
        c("vi15_xml", "duplicated-column", "layout",
          lambda: vi15_sub('<Entry colname="2">Signature</Entry>',
                           '<Entry colname="2">Signature</Entry><Entry colname="2">Signature</Entry>'),
          Refused(("appears twice",), column="Signature")),
        c("untoc_csv", "unknown-participant", "row", lambda: untoc(append(untoc_rows(), ["Atlantis", "1 Jan 2001", "1 Jan 2002"])),
          Loaded(added=1, check=summary("unmapped participant names", ["Atlantis"]), blocking=("participants_mapped",))),
        c("untoc_csv", "kosovo-as-participant", "row", lambda: untoc(append(untoc_rows(), ["Kosovo", "", "1 Jan 2010"])),
          Loaded(added=1, check=summary("unmapped participant names", []))),
        c("untoc_csv", "date-in-the-future", "row", lambda: untoc_edit(1, 2, "24 Sep 2099"),
          Loaded({"after": 1}, column="Ratification")),
        c("untoc_csv", "date-before-1900", "row", lambda: untoc_edit(1, 2, "24 Sep 1899"), Loaded({"before 1900": 1})),
        c("untoc_csv", "year-1013", "row", lambda: untoc_edit(1, 2, "24 Sep 1013"), Loaded({"before 1900": 1})),
        c("vi15_xml", "date-in-the-future", "row", lambda: vi15_sub("<Entry>7 Feb 1968</Entry>", "<Entry>7 Feb 2968</Entry>"),
          Loaded({"after": 1})),
        c("untoc_csv", "duplicate-row", "row", lambda: untoc(append(untoc_rows(), untoc_rows()[1])),
          Loaded({"listed twice": 1}, added=1)),
        c("vi15_xml", "duplicate-row", "row",
          lambda: vi15_sub("<Row>\n                <Entry>Chile</Entry>",
                           "<Row><Entry>Chile</Entry><Entry>30 Mar 1961</Entry><Entry>7 Feb 1968</Entry></Row>"
                           "<Row>\n                <Entry>Chile</Entry>"),
          Loaded({"listed twice": 1}, added=1)),
        c("untoc_csv", "footnote-glued-to-date", "row", lambda: untoc_edit(1, 2, "24 Sep 20031"),
          Loaded({"not a date with an action letter": 1})),
        c("untoc_csv", "formula-as-participant", "row", lambda: untoc_edit(1, 0, FORMULA),
          Loaded({"spreadsheet formula": 1}, column="Participant")),
        c("untoc_csv", "negative-date", "row", lambda: untoc_edit(1, 2, "-24 Sep 2003"),
          Loaded({"not a date with an action letter": 1})),
        c("vi15_xml", "external-entity", "hostile", lambda: hostile_xml("external_entity", "Document", xml_body),
          Refused(("DTD or entities",))),
        c("vi15_xml", "billion-laughs", "hostile", lambda: hostile_xml("billion_laughs", "Document", xml_body),
          Refused(("DTD or entities",))),
        c("vi15_xml", "dtd-fetching-a-url", "hostile", lambda: hostile_xml("remote_dtd", "Document", xml_body),
          Refused(("DTD or entities",))),
    ]


def _crime() -> list[Case]:
    def c(base, name, level, make, expect, **kw):
        return Case("crime_statistics", base, name, level, make, expect, **kw)

    def extra_sheet_unnamed() -> bytes:
        return xlsx({"Notes": [["About this file"], ["Figures as reported by Member States"]], "Sheet1": cts_rows()})

    def latin1_csv() -> bytes:
        rows = edit(cts_rows(), CTS_HEADER + 1, cts_col("Country"), LATIN1_NAME)
        return csv_text(rows).encode("iso-8859-1")

    def text_and_censored() -> bytes:
        rows = edit(cts_rows(), CTS_HEADER + 1, cts_col("VALUE"), "<5")
        return cts(edit(rows, CTS_HEADER + 2, cts_col("VALUE"), "1,282"))

    def both(report, data):
        assert report["summary"]["censored_values"] == 1 and report["summary"]["thousands_separated"] == 1

    def duplicates(report, data):
        assert report["summary"]["duplicate_key_rows"] == 2 and any("natural keys" in w for w in report["warnings"])

    return [
        c("prisons", "empty-file", "file", lambda: b"", Refused(("file is empty",))),
        c("prisons", "header-only", "file", lambda: cts(cts_rows()[: CTS_HEADER + 1]),
          Refused(("no data rows",), sheet=CTS_SHEET)),
        c("prisons", "truncated-xlsx", "file", lambda: truncated(HOMICIDE.read_bytes()), Refused(("damaged or truncated",))),
        c("prisons", "html-error-page-as-xlsx", "file", lambda: HTML_ERROR_PAGE, Refused(("an HTML page",))),
        c("prisons", "xlsx-without-zip-signature", "file", lambda: PRISONS.read_bytes()[4:], Refused(("no ZIP signature",))),
        c("prisons", "decompression-bomb", "file", lambda: big_cell_xlsx(), Refused(("decompression bomb",))),
        c("prisons", "decompression-bomb-with-false-sizes", "file", lambda: big_cell_xlsx(false_sizes=True),
          Refused(("declares",))),
        # Issue 20, defect 1: a 5 KB workbook made the reader abort the process (exit 134).
        c("prisons", "cell-at-xfd1048576", "file", lambda: far_cell_xlsx(cts_rows()[CTS_HEADER]),
          Refused(("cells, over the", "refused before reading"))),
        c("prisons", "dimension-declares-the-whole-sheet", "file",
          lambda: declare_dimension(cts(cts_rows()), "A1:XFD1048576"), Refused(("dimension element",))),
        c("prisons", "csv-iso-8859-1-read-as-utf-8", "file", latin1_csv, Refused(("not UTF-8",)),
          filename="data_cts_prisons_and_prisoners.csv"),
        c("prisons", "csv-byte-order-mark", "file", lambda: b"\xef\xbb\xbf" + csv_text(cts_rows()).encode(), Loaded(),
          filename="data_cts_prisons_and_prisoners.csv"),
        c("prisons", "csv-utf-16-without-bom", "file", lambda: utf16_without_bom(csv_text(cts_rows())), Refused(NO_BOM_UTF16),
          filename="data_cts_prisons_and_prisoners.csv"),
        c("prisons", "csv-lone-cr-line-ends", "file", lambda: lone_cr(csv_text(cts_rows())), Loaded(),
          filename="data_cts_prisons_and_prisoners.csv"),
        c("prisons", "missing-column", "layout", lambda: cts(drop_col(cts_rows(), cts_col("Sex"))),
          Refused(("missing: Sex",), sheet=CTS_SHEET, row=CTS_HEADER + 1, column="Sex")),
        # Issue 20, defect 2: a release without Indicator loaded, and as the newest release it hid every row.
        c("prisons", "missing-indicator-column", "layout", lambda: cts(drop_col(cts_rows(), cts_col("Indicator"))),
          Refused(("missing: Indicator",), sheet=CTS_SHEET, column="Indicator")),
        c("prisons", "renamed-column", "layout", lambda: cts(edit(cts_rows(), CTS_HEADER, cts_col("Year"), "Yr")),
          Refused(("missing: Year",), sheet=CTS_SHEET, column="Year")),
        c("prisons", "duplicated-column", "layout", lambda: cts(dup_col(cts_rows(), cts_col("Year"))),
          Refused(("appears twice",), sheet=CTS_SHEET, row=CTS_HEADER + 1, column="Year")),
        c("prisons", "reordered-columns", "layout", lambda: cts(reverse_cols(cts_rows())), Loaded()),
        c("prisons", "header-moved-down", "layout", lambda: cts(insert_row(cts_rows(), CTS_HEADER, ["Note: provisional"])),
          Loaded(check=summary("header_row", CTS_HEADER + 2))),
        c("prisons", "extra-sheet-first", "layout",
          lambda: cts(cts_rows(), before={"About": [["About this file"]]}), Loaded()),
        c("prisons", "extra-sheet-first-no-data-name", "layout", extra_sheet_unnamed, Loaded()),
        c("prisons", "unknown-country", "row", lambda: cts_edit("Iso3_code", "XYZ"),
          Loaded({"unknown reporting unit": 1}, column="Iso3_code")),
        c("prisons", "year-in-the-future", "row", lambda: cts_edit("Year", "2099"), Loaded({"impossible year": 1}, column="Year")),
        c("prisons", "year-before-1900", "row", lambda: cts_edit("Year", "1899"), Loaded({"impossible year": 1})),
        c("prisons", "year-1013", "row", lambda: cts_edit("Year", "1013"), Loaded({"impossible year": 1})),
        c("prisons", "kosovo-as-kos", "row", lambda: cts_edit("Iso3_code", "KOS"), Loaded(check=kosovo_read_as(cts_accepted))),
        c("prisons", "kosovo-as-xkx", "row", lambda: cts_edit("Iso3_code", "XKX"), Loaded(check=kosovo_read_as(cts_accepted))),
        c("seizures", "kosovo-as-kos", "row", lambda: seizure_edit("ISO3", "KOS"),
          Loaded(check=kosovo_read_as(seizures_accepted))),
        c("seizures", "kosovo-as-xk", "row", lambda: seizure_edit("ISO3", "XK"),
          Loaded(check=kosovo_read_as(seizures_accepted))),
        c("prisons", "value-not-available", "row", lambda: cts_edit("VALUE", ".."), Loaded(not_available=1)),
        c("prisons", "negative-count", "row", lambda: cts_edit("VALUE", "-173"), Loaded({"negative": 1}, column="VALUE")),
        # Issue 20, defect 6: 1e309 was stored as inf.
        c("prisons", "value-1e309", "row", lambda: cts_edit("VALUE", "1e309"), Loaded({"finite number": 1}, column="VALUE")),
        c("prisons", "value-nan", "row", lambda: cts_edit("VALUE", "NaN"), Loaded({"not a number": 1})),
        c("prisons", "censored-and-thousands", "row", text_and_censored, Loaded(check=both)),
        c("prisons", "duplicate-row", "row", lambda: cts(append(cts_rows(), cts_rows()[CTS_HEADER + 1])),
          Loaded(added=1, check=duplicates)),
        c("prisons", "footnote-glued-to-number", "row", lambda: cts_edit("VALUE", "173a"), Loaded({"not a number": 1})),
        c("prisons", "formula-as-label", "row", lambda: cts_edit("Country", FORMULA),
          Loaded({"spreadsheet formula": 1}, column="Country")),
        c("seizures", "header-only", "file", lambda: seizures(seizure_rows()[: SEIZURE_HEADER + 1]),
          Refused(("no data rows",), sheet="seizures")),
        c("seizures", "missing-column", "layout", lambda: seizures(drop_col(seizure_rows(), seizure_col("KgEquivalent"))),
          Refused(("missing: KgEquivalent",), sheet="seizures", column="KgEquivalent")),
        c("seizures", "duplicated-column", "layout", lambda: seizures(dup_col(seizure_rows(), seizure_col("DrugName"))),
          Refused(("appears twice",), sheet="seizures", column="DrugName")),
        c("seizures", "unknown-country", "row", lambda: seizure_edit("ISO3", "XYZ"), Loaded({"unknown country code": 1})),
        c("seizures", "year-1013", "row", lambda: seizure_edit("Year", "1013"), Loaded({"impossible or missing year": 1})),
        c("seizures", "negative-quantity", "row", lambda: seizure_edit("KgEquivalent", "-5"), Loaded({"negative": 1})),
        c("seizures", "censored-value", "row", lambda: seizure_edit("KgEquivalent", "<5"), Loaded({"not a number": 1})),
        c("seizures", "kg-1e309", "row", lambda: seizure_edit("KgEquivalent", "1e309"), Loaded({"finite number": 1})),
        c("seizures", "thousands-separator", "row", lambda: seizure_edit("KgEquivalent", "1,282"), Loaded()),
    ]


def _crops() -> list[Case]:
    def c(base, name, level, make, expect, **kw):
        return Case("crop_surveys", base, name, level, make, expect, **kw)

    def mixed_year_headers() -> bytes:
        rows = annex_rows()
        years = rows[ANNEX_YEARS]
        for i, cell in enumerate(years):
            if cell and cell[:4].isdigit():
                year = int(cell[:4])
                # text, a number or a date serial, in turn
                years[i] = [Text(str(year)), year, Serial((year - 1900) * 365 + 100)][i % 3]
        return annex(rows)

    def years_are(report, data):
        assert report["summary"]["years"] == list(range(2009, 2021)), report["summary"]["years"]

    def latin1_compiled() -> bytes:
        rows = compiled_rows()
        rows = edit(rows, 1, rows[0].index("series_note"), "Pérou: superficie nette")
        return csv_text(rows).encode("iso-8859-1")

    def both_annex() -> bytes:
        rows = annex_rows()
        rows = edit(rows, annex_row(rows, "Bolivia"), 1, "<5")
        return annex(edit(rows, annex_row(rows, "Colombia"), 1, "73,000"))

    def both_compiled() -> bytes:
        rows = compiled_rows()
        col = rows[0].index("hectares")
        return compiled(edit(edit(rows, 1, col, "<5"), 2, col, "31,000"))

    def future_header() -> bytes:
        rows = annex_rows()
        years = rows[ANNEX_YEARS]
        years[years.index("2020")] = "2099"
        return annex(rows)

    def method_column(keep_labels: bool = True) -> bytes:
        """The eradication tables' long layout (label | Method | years …) with the label column's
        header blank, as the coca table leaves it; without its labels the table cannot be read."""
        rows = annex_rows()
        out = []
        for i, r in enumerate(rows):
            figures = i > ANNEX_YEARS and any(c not in (None, "") for c in r[1:])
            label = r[0] if keep_labels or not figures else None
            extra = "Method" if i == ANNEX_YEARS else ("manual" if figures else None)
            out.append([label, extra] + list(r[1:]))
        return annex(out)

    def labels_and_blocks(report, data):
        years_are(report, data)
        assert report["rows_accepted"] == 5 and report["summary"]["layout"]["label_column"] == 1, report["summary"]["layout"]

    def not_available_row(label: str) -> bytes:
        rows = annex_rows()
        at = annex_row(rows, label)
        return annex(edit(rows, at, slice(1, None), [".." if c not in (None, "") else c for c in rows[at][1:]]))

    def compiled_not_available() -> bytes:
        rows = compiled_rows()
        rows = edit(rows, 1, rows[0].index("hectares"), "..")
        return compiled(edit(rows, 1, rows[0].index("production_t"), ".." if rows[1][rows[0].index("production_t")] else ""))

    def every_row_rejected() -> bytes:
        rows = compiled_rows()
        return compiled([rows[0]] + [[("XYZ" if h == "iso3" else c) for h, c in zip(rows[0], r)] for r in rows[1:4]])

    compiled_year = lambda value: compiled_edit(1, "year", value)  # noqa: E731
    return [
        c("coca_annex", "empty-file", "file", lambda: b"", Refused(("file is empty",))),
        c("coca_annex", "header-only", "file", lambda: annex(annex_rows()[: ANNEX_YEARS + 1]),
          Refused(("no figures",), sheet="6.1.1")),
        c("coca_annex", "truncated-xlsx", "file", lambda: truncated(COCA_ANNEX.read_bytes()), Refused(("damaged or truncated",))),
        c("coca_annex", "html-error-page-as-xlsx", "file", lambda: HTML_ERROR_PAGE, Refused(("an HTML page",))),
        c("coca_annex", "xlsx-without-zip-signature", "file", lambda: COCA_ANNEX.read_bytes()[4:], Refused(("no ZIP signature",))),
        c("coca_annex", "cell-at-xfd1048576", "file", lambda: far_cell_xlsx(annex_rows()[ANNEX_YEARS]),
          Refused(("cells, over the",))),
        c("coca_annex", "100-mb-cell", "file", lambda: big_cell_xlsx(), Refused(("decompression bomb",))),
        c("coca_compiled", "empty-file", "file", lambda: b"", Refused(("file is empty",))),
        c("coca_compiled", "header-only", "file", lambda: compiled(compiled_rows()[:1]), Refused(("no rows",))),
        c("coca_compiled", "iso-8859-1-read-as-utf-8", "file", latin1_compiled, Refused(("not UTF-8", "0xe9"))),
        c("coca_compiled", "utf-16", "file", lambda: COCA_COMPILED.read_text().encode("utf-16"), Refused(("not UTF-8",))),
        c("coca_compiled", "utf-16-without-bom", "file", lambda: utf16_without_bom(COCA_COMPILED.read_text()),
          Refused(NO_BOM_UTF16)),
        c("coca_compiled", "lone-cr-line-ends", "file", lambda: lone_cr(COCA_COMPILED.read_text()), Loaded()),
        c("coca_compiled", "byte-order-mark", "file", lambda: b"\xef\xbb\xbf" + COCA_COMPILED.read_bytes(), Loaded()),
        c("coca_compiled", "missing-column", "layout", lambda: compiled(drop_col(compiled_rows(), compiled_rows()[0].index("hectares"))),
          Refused(("missing: hectares",), row=1, column="hectares")),
        c("coca_compiled", "renamed-column", "layout", lambda: compiled(edit(compiled_rows(), 0, 3, "Year")),
          Refused(("missing: year",), row=1, column="year")),
        c("coca_compiled", "duplicated-column", "layout", lambda: compiled(dup_col(compiled_rows(), 3)),
          Refused(("appears twice",), row=1, column="year")),
        c("coca_compiled", "reordered-columns", "layout", lambda: compiled(reverse_cols(compiled_rows())), Loaded()),
        c("coca_annex", "header-moved-down", "layout", lambda: annex(insert_row(annex_rows(), ANNEX_YEARS, [None])),
          Loaded(check=years_are)),
        c("coca_annex", "extra-sheet-first", "layout", lambda: annex(annex_rows(), before={"Contents": [["Table 6.1.1"]]}),
          Loaded(check=years_are)),
        c("coca_annex", "year-headers-text-numbers-serials", "layout", mixed_year_headers, Loaded(check=years_are)),
        # Issue 20, defect 8: a blank label header beside a named column made every row "maps to no
        # country: 'manual'", and the file passed having contributed nothing.
        c("coca_annex", "blank-label-header-beside-a-named-column", "layout", method_column, Loaded(check=labels_and_blocks)),
        c("coca_annex", "labels-lost-beside-a-named-column", "layout", lambda: method_column(keep_labels=False),
          Refused(("no column left of the years holds country names", "'Method'"), sheet="6.1.1", row=ANNEX_YEARS + 1,
                  column="Method")),
        c("coca_annex", "year-header-in-the-future", "layout", future_header, Refused(("2099", "future"), sheet="6.1.1")),
        c("coca_annex", "unknown-country", "row", lambda: annex_edit("Bolivia", 0, "Atlantis"),
          Loaded({"maps to no country": 1})),
        # Issue 20, defect 9: a row of only `..` was neither accepted nor rejected, so the file did
        # not reconcile and the build stopped.
        c("coca_annex", "row-of-only-not-available", "row", lambda: not_available_row("Bolivia"),
          Loaded(not_available=1)),
        c("coca_annex", "negative-area", "row", lambda: annex_edit("Colombia", 3, "-64000"), Loaded({"negative": 1})),
        c("coca_annex", "censored-and-thousands", "row", both_annex, Loaded({"not a number": 1})),
        c("coca_annex", "duplicate-row", "row",
          lambda: annex(insert_row(annex_rows(), annex_row(annex_rows(), "Colombia"), annex_rows()[annex_row(annex_rows(), "Colombia")])),
          Loaded({"duplicate": 1}, added=1)),
        c("coca_annex", "footnote-glued-to-number", "row", lambda: annex_edit("Colombia", 5, "48000a"),
          Loaded({"not a number": 1})),
        c("coca_annex", "figure-1e309", "row", lambda: annex_edit("Colombia", 3, "1e309"), Loaded({"finite number": 1})),
        c("coca_annex", "formula-as-label", "row", lambda: annex_edit("Bolivia", 0, "=SUM(B7:B9)"),
          Loaded({"maps to no country": 1})),
        c("coca_compiled", "unknown-country", "row", lambda: compiled_edit(1, "iso3", "XYZ"),
          Loaded({"does not match the country": 1}, column="iso3")),
        c("coca_compiled", "year-in-the-future", "row", lambda: compiled_year("2099"), Loaded({"impossible": 1}, column="year")),
        c("coca_compiled", "year-before-1900", "row", lambda: compiled_year("1899"), Loaded({"impossible": 1})),
        c("coca_compiled", "year-1013", "row", lambda: compiled_year("1013"), Loaded({"impossible": 1})),
        # Issue 20, defect 10: `inspect` said exit 0 for what the build refuses.
        c("coca_compiled", "every-row-rejected", "row", every_row_rejected,
          Loaded({"does not match the country": 3}, added=3 - (len(compiled_rows()) - 1), blocking=("every_row_rejected",))),
        c("coca_compiled", "row-of-only-not-available", "row", compiled_not_available, Loaded(not_available=1)),
        c("coca_compiled", "kosovo-as-kos", "row", lambda: compiled(edit(edit(compiled_rows(), 1, 0, "KOS"), 1, 1, "Kosovo")),
          Loaded(check=kosovo_read_as(compiled_accepted))),
        c("coca_annex", "kosovo-as-label", "row", lambda: annex_edit("Bolivia", 0, "  Kosovo"),
          Loaded(check=kosovo_read_as(annex_accepted))),
        c("coca_compiled", "negative-area", "row", lambda: compiled_edit(1, "hectares", "-30900"), Loaded({"negative": 1})),
        c("coca_compiled", "censored-and-thousands", "row", both_compiled, Loaded({"not a number": 1})),
        c("coca_compiled", "duplicate-row", "row", lambda: compiled(append(compiled_rows(), compiled_rows()[1])),
          Loaded({"duplicate": 1}, added=1)),
        c("coca_compiled", "hectares-nan", "row", lambda: compiled_edit(1, "hectares", "nan"), Loaded({"not a finite number": 1})),
        c("coca_compiled", "hectares-1e309", "row", lambda: compiled_edit(1, "hectares", "1e309"),
          Loaded({"not a finite number": 1})),
        c("coca_compiled", "formula-as-label", "row", lambda: compiled_edit(1, "country", "=1+1"),
          Loaded({"does not match the country": 1})),
    ]


def _project_outputs() -> list[Case]:
    def c(base, name, level, make, expect, **kw):
        return Case("project_outputs", base, name, level, make, expect, **kw)

    def t(name, level, make, expect):
        return Case("project_outputs", "template", name, level, make, expect, via="template")

    def duplicate_activity() -> bytes:
        text = iati_text()
        first = re.search(r"<iati-activity .*?</iati-activity>", text, re.S).group(0)
        return text.replace("</iati-activities>", first + "\n</iati-activities>").encode()

    def one_more_duplicate(report, data):
        assert report["summary"]["duplicate_activities"] == 2, report["summary"]["duplicate_activities"]

    def title_kept(report, data):
        from sources.iati.activities import parse_iati

        # Kept as text, never evaluated: exports neutralise it.
        assert parse_iati(data, filename="x.xml").accepted["title"][0] == FORMULA

    def latin1_declared_utf8() -> bytes:
        return iati_text().replace("Forensic laboratory support", f"Forensic support in {LATIN1_NAME}", 1).encode("iso-8859-1")

    def moved_down() -> bytes:
        return template(above=1)

    return [
        c("iati", "empty-file", "file", lambda: b"", Refused(("file is empty",))),
        c("iati", "truncated-xml", "file", lambda: truncated(IATI_SAMPLE.read_bytes()), Refused(("ill-formed XML",))),
        c("iati", "html-error-page-as-xml", "file", lambda: HTML_ERROR_PAGE, Refused(("an HTML page",))),
        c("iati", "iso-8859-1-declared-utf-8", "file", latin1_declared_utf8, Refused(("ill-formed XML",))),
        c("iati", "byte-order-mark", "file", lambda: b"\xef\xbb\xbf" + IATI_SAMPLE.read_bytes(), Loaded()),
        c("iati", "version-1", "layout", lambda: iati_sub('version="2.03"', 'version="1.05"'), Refused(("only 2.0x",))),
        c("iati", "not-iati", "layout", lambda: b"<Document><Treaty/></Document>", Refused(("root element is <Document>",))),
        c("iati", "activity-without-identifier", "row",
          lambda: iati_sub("<iati-identifier>XX-ILLUSTRATIVE-SAMPLE-001</iati-identifier>", "<iati-identifier/>"),
          Loaded({"without an iati-identifier": 1}, added=0)),
        c("iati", "unknown-recipient-country", "row", lambda: iati_sub('<recipient-country code="AF"', '<recipient-country code="XX"'),
          Loaded({"not an ISO 3166-1 country code": 1}, added=1)),
        c("iati", "kosovo-as-xk", "row", lambda: iati_sub('<recipient-country code="AF"', '<recipient-country code="XK"'),
          Loaded(check=summary_has("recipient_countries", "XKX"))),
        c("iati", "thousands-in-actual", "row", lambda: iati_sub('<actual value="14">', '<actual value="1,282">'),
          Loaded({"not a decimal number": 1}, added=1)),
        c("iati", "censored-actual", "row", lambda: iati_sub('<actual value="14">', '<actual value="&lt;5">'),
          Loaded({"not a decimal number": 1}, added=1)),
        c("iati", "negative-actual", "row", lambda: iati_sub('<actual value="14">', '<actual value="-14">'),
          Loaded({"negative": 1}, added=1)),
        # Issue 20, defect 6: a 400-digit actual was stored as inf, a percentage of NaN accepted.
        c("iati", "actual-of-400-digits", "row", lambda: iati_sub('<actual value="14">', '<actual value="' + "9" * 400 + '">'),
          Loaded({"finite number": 1}, added=1)),
        c("iati", "percentage-nan", "row", lambda: iati_sub('<recipient-country code="AF" percentage="33.33"',
                                                            '<recipient-country code="AF" percentage="NaN"'),
          Loaded({"percentage 'NaN' is not a decimal number": 1}, added=1)),
        c("iati", "percentage-over-100", "row", lambda: iati_sub('<sector vocabulary="1" code="16063" percentage="100"',
                                                                 '<sector vocabulary="1" code="16063" percentage="250"'),
          Loaded({"not between 0 and 100": 1}, added=1)),
        c("iati", "budget-inf", "row", lambda: iati_sub('value-date="2008-03-01">1734000<',
                                                        'value-date="2008-03-01">1' + "0" * 400 + '<'),
          Loaded({"finite number": 1}, added=1)),
        c("iati", "actual-period-in-the-future", "row",
          lambda: iati_sub('<period-end iso-date="2009-06-30"/>', '<period-end iso-date="2099-06-30"/>'),
          Loaded({"future": 3}, added=3)),
        c("iati", "period-in-year-1013", "row",
          lambda: iati_sub('<period-end iso-date="2009-06-30"/>', '<period-end iso-date="1013-06-30"/>'),
          Loaded({"impossible date": 6}, added=6)),
        c("iati", "duplicate-activity", "row", duplicate_activity, Loaded(added=1, check=one_more_duplicate)),
        c("iati", "formula-as-title", "row",
          lambda: iati_sub("<title><narrative>Forensic laboratory support (illustrative)</narrative></title>",
                           f"<title><narrative>{FORMULA.replace('&', '&amp;').replace('<', '&lt;')}</narrative></title>"),
          Loaded(check=title_kept)),
        c("iati", "external-entity", "hostile", lambda: hostile_xml("external_entity", "iati-activities", iati_body()),
          Refused(("DTD or entities",))),
        c("iati", "billion-laughs", "hostile", lambda: hostile_xml("billion_laughs", "iati-activities", iati_body()),
          Refused(("DTD or entities",))),
        c("iati", "dtd-fetching-a-url", "hostile", lambda: hostile_xml("remote_dtd", "iati-activities", iati_body()),
          Refused(("DTD or entities",))),
        t("empty-file", "file", lambda: b"", Refused(("file is empty",))),
        t("header-only", "file", lambda: template(pri_rows=[]), Loaded(added=-4)),
        t("truncated-xlsx", "file", lambda: truncated(template()), Refused(("damaged or truncated",))),
        t("html-error-page-as-xlsx", "file", lambda: HTML_ERROR_PAGE, Refused(("an HTML page",))),
        t("xlsx-without-zip-signature", "file", lambda: template()[4:], Refused(("no ZIP signature",))),
        t("cell-at-xfd1048576", "file", lambda: far_cell_xlsx(list(TEMPLATE_COLUMNS)), Refused(("cells, over the",))),
        t("decompression-bomb", "file", lambda: big_cell_xlsx(false_sizes=True), Refused(("declares",))),
        t("missing-column", "layout", lambda: template(header=TEMPLATE_COLUMNS[:3] + TEMPLATE_COLUMNS[4:]),
          Refused(("no header row",), sheet=PRI_SHEET)),
        t("renamed-column", "layout", lambda: template(header=["Country", "Indicator", "Year", "Value"]),
          Refused(("no header row",), sheet=PRI_SHEET)),
        t("duplicated-column", "layout", lambda: template(header=["Country", "Indicator code", "Year", "Year", "Value"]),
          Refused(("no header row",), sheet=PRI_SHEET)),
        t("reordered-columns", "layout", lambda: template(header=["Indicator code", "Country", "Year", "Value"]),
          Refused(("no header row",), sheet=PRI_SHEET)),
        t("header-moved-down", "layout", moved_down, Loaded()),
        t("extra-sheet-first", "layout", lambda: template(first={"Cover": [["Submitted by the Nairobi office"]]}), Loaded()),
        t("unknown-country", "row", lambda: template_edit(0, 0, "Atlantis"), Loaded({"unknown country": 1}, column="Country")),
        t("kosovo-as-xk", "row", lambda: template_edit(0, 0, "XK"), Loaded(check=accepted_value("country_iso3", "XKX"))),
        t("kosovo-as-name", "row", lambda: template_edit(0, 0, "Kosovo"), Loaded(check=accepted_value("country_iso3", "XKX"))),
        t("indicator-of-another-area", "row", lambda: template_edit(0, 1, "RAT.R1.I1"), Loaded({"belongs to result area RAT": 1})),
        t("year-in-the-future", "row", lambda: template_edit(0, 2, 2099), Loaded({"year must be": 1}, column="Year")),
        t("year-before-1900", "row", lambda: template_edit(0, 2, 1899), Loaded({"year must be": 1})),
        t("year-1013", "row", lambda: template_edit(0, 2, 1013), Loaded({"year must be": 1})),
        t("negative-count", "row", lambda: template_edit(0, 3, -120), Loaded({"cannot be negative": 1}, column="Value")),
        t("censored-value", "row", lambda: template_edit(0, 3, "<5"), Loaded({"not a number": 1})),
        t("thousands-separator", "row", lambda: template_edit(0, 3, "1,282"), Loaded(check=accepted_value("value", 1282.0))),
        t("duplicate-row", "row", lambda: template(pri_rows=append(template_rows(), template_rows()[0])),
          Loaded({"duplicate of row": 1}, added=1)),
        t("value-nan", "row", lambda: template_edit(0, 3, "nan"), Loaded({"not a number": 1})),
        t("value-inf", "row", lambda: template_edit(0, 3, "inf"), Loaded({"not a number": 1})),
        t("footnote-glued-to-number", "row", lambda: template_edit(0, 3, "120a"), Loaded({"not a number": 1})),
        t("formula-as-label", "row", lambda: template_edit(0, 0, FORMULA), Loaded({"spreadsheet formula": 1}, column="Country")),
    ]


CASES: list[Case] = _ratification() + _crime() + _crops() + _project_outputs()

# A family added later brings its corpus in a module of its own, `family_<family name>.py`, defining
# `BASES` and `CASES` as above: found here, so that no shared file is edited for it.
FAMILY_MODULE = "family_"


def family_modules() -> dict[str, object]:
    """Family name -> its corpus module, every `family_<name>.py` of this folder, in name order."""
    found = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith(FAMILY_MODULE))
    return {name[len(FAMILY_MODULE):]: importlib.import_module(f"{__package__}.{name}") for name in found}


FAMILY_MODULES = family_modules()
for _family, _module in FAMILY_MODULES.items():
    _clash = sorted(set(_module.BASES) & set(BASES))
    assert not _clash, f"{_module.__name__}: base name(s) {_clash} already used by another family's corpus"
    _strangers = sorted({c.id for c in _module.CASES if c.family != _family or c.base not in _module.BASES})
    assert not _strangers, f"{_module.__name__}: cases of another family or of a base it does not define: {_strangers}"
    BASES.update(_module.BASES)
    CASES.extend(_module.CASES)
