"""Bad inputs of the drug_use_and_markets family: the real WDR workbooks (1.2 national prevalence,
1.1 regional and global estimates, 8.1 prices and purities), one mutation each, the outcome owed.

The bases are real rows: three sheets of table 1.2 whole (a drug's layout, the Tranquillizers
layout, the NPS layout), table 1.1 as published, and the first rows of both sheets of table 8.1.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sources.excel import read_sheet_as_text

from .build import truncated, xlsx
from .corpus import Case, Loaded, Refused

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "sources" / "bundled" / "drug_use_and_markets"
NATIONAL = BUNDLED / "1.2_-_Prevalence_of_drug_use_in_the_general_population_including_NPS_national_data.xlsx"
REGIONAL = BUNDLED / "1.1_-_Prevalence_of_drug_use_in_the_general_population_regional_and_global_estimates.xlsx"
MARKETS = BUNDLED / "8.1_-_Prices_and_purities_of_drugs.xlsx"

FAMILY = "drug_use_and_markets"
NATIONAL_SHEETS = ("Cannabis", "Tranquillizers and sedatives", "NPS")
NATIONAL_FILE = "wdr_1.2_national_prevalence.xlsx"
REGIONAL_FILE = REGIONAL.name
MARKETS_FILE = "wdr_8.1_prices_and_purities.xlsx"
HEADER = 2           # index of the header row in a 1.2 sheet (two title rows above it)
MARKET_ROWS = 60     # rows of each 8.1 sheet in the base, header included


@lru_cache(maxsize=None)
def _sheet(path: Path, sheet: str) -> tuple[tuple, ...]:
    _, frame = read_sheet_as_text(path.read_bytes(), path.name, sheet)
    return tuple(tuple(r) for r in frame.drop("excel_row").iter_rows())


def sheet(path: Path, name: str, n: int | None = None) -> list[list]:
    rows = [list(r) for r in _sheet(path, name)]
    return rows if n is None else rows[:n]


def national(**changed: list[list]) -> bytes:
    sheets = {name: sheet(NATIONAL, name) for name in NATIONAL_SHEETS}
    sheets.update(changed)
    return xlsx(sheets)


def markets(prices: list[list] | None = None, purities: list[list] | None = None) -> bytes:
    return xlsx({"prices": prices if prices is not None else sheet(MARKETS, "prices", MARKET_ROWS),
                 "purities": purities if purities is not None else sheet(MARKETS, "purities", MARKET_ROWS)})


def col(rows: list[list], name: str, header: int = HEADER) -> int:
    return [str(c).strip() if c is not None else None for c in rows[header]].index(name)


def cannabis_edit(column: str, value, at: int = HEADER + 1) -> bytes:
    rows = sheet(NATIONAL, "Cannabis")
    rows[at][col(rows, column)] = value
    return national(Cannabis=rows)


def price_edit(column: str, value, at: int = 1) -> bytes:
    rows = sheet(MARKETS, "prices", MARKET_ROWS)
    rows[at][col(rows, column, 0)] = value
    return markets(prices=rows)


def purity_edit(column: str, value, at: int = 1) -> bytes:
    rows = sheet(MARKETS, "purities", MARKET_ROWS)
    rows[at][col(rows, column, 0)] = value
    return markets(purities=rows)


def regional_rows() -> list[list]:
    return sheet(REGIONAL, "PrevAllDrugtypesPUBLISHABLEonly")


def regional(rows: list[list]) -> bytes:
    return xlsx({"PrevAllDrugtypesPUBLISHABLEonly": rows})


BASES = {
    "wdr_national_prevalence": (FAMILY, NATIONAL_FILE, national),
    "wdr_regional_prevalence": (FAMILY, REGIONAL_FILE, lambda: REGIONAL.read_bytes()),
    "wdr_prices_purities": (FAMILY, MARKETS_FILE, markets),
}


def _cases() -> list[Case]:
    def c(base, name, level, make, expect):
        return Case(FAMILY, base, name, level, make, expect, filename=BASES[base][1])

    def header_moved() -> bytes:
        rows = sheet(NATIONAL, "Cannabis")
        return national(Cannabis=[["World Drug Report 2022, statistical annex"], [], [], *rows])

    def columns_reversed() -> bytes:
        rows = sheet(NATIONAL, "Cannabis")
        width = len(rows[HEADER])
        return national(Cannabis=[r[:2] if i < HEADER else [r[j] if j < len(r) else None
                                                          for j in reversed(range(width))]
                                  for i, r in enumerate(rows)])

    def header_renamed(old: str, new: str | None) -> bytes:
        rows = sheet(NATIONAL, "Cannabis")
        rows[HEADER][col(rows, old)] = new
        return national(Cannabis=rows)

    def no_title() -> bytes:
        rows = sheet(NATIONAL, "Cannabis")
        return national(Cannabis=rows[HEADER:])

    def notes_sheet_first() -> bytes:
        sheets = {"Contents": [["Table 1.2"], ["Prevalence of drug use, national data"]]}
        sheets.update({name: sheet(NATIONAL, name) for name in NATIONAL_SHEETS})
        return xlsx(sheets)

    def footnote_added() -> bytes:
        rows = sheet(NATIONAL, "Cannabis")
        return national(Cannabis=rows + [[None], ["Note: " + "the estimates of this table are revised each year. " * 3]])

    def not_available_row() -> bytes:
        rows = regional_rows()
        at = next(i for i, r in enumerate(rows) if r[0] == "Melanesia")
        return regional(rows[:at + 1] + [["Micronesia and Polynesia"] + ["-"] * (len(rows[at]) - 1)] + rows[at + 1:])

    def regional_without_bounds() -> bytes:
        rows = regional_rows()
        at = next(i for i, r in enumerate(rows) if r[1] == "Best\nestimate")
        rows[at][2] = "Low"
        return regional(rows)

    def regional_without_year() -> bytes:
        rows = regional_rows()
        rows[0][0] = "Annual prevalence of the use of drugs by region and globally"
        return regional(rows)

    def market_without_currency() -> bytes:
        rows = sheet(MARKETS, "prices", MARKET_ROWS)
        at = col(rows, "Currency", 0)
        return markets(prices=[r[:at] + r[at + 1:] for r in rows])

    def warned(part: str):
        def check(report: dict, data: bytes) -> None:
            assert any(part in w for w in report["warnings"]), report["warnings"]
        return check

    def kept_reading(report: dict, data: bytes) -> None:
        assert report["summary"]["sheets"]["Cannabis"]["layout"] == "prevalence", report["summary"]["sheets"]

    national_base, regional_base, markets_base = "wdr_national_prevalence", "wdr_regional_prevalence", "wdr_prices_purities"
    return [
        # file: the bytes are no workbook
        c(national_base, "html_error_page", "file", lambda: b"<!DOCTYPE html><html><body>503</body></html>",
          Refused(("not an xlsx workbook", "HTML"))),
        c(national_base, "truncated", "file", lambda: truncated(national()), Refused(("truncated",))),
        c(national_base, "empty", "file", lambda: b"", Refused(("file is empty",))),
        c(markets_base, "csv_named_xlsx", "file", lambda: b"Source,Region,Country/Territory\nARQ,Africa,Kenya\n",
          Refused(("no ZIP signature",))),
        # layout: the header found wherever it stands and in any order; an unknown layout refused in one line
        c(national_base, "header_three_rows_lower", "layout", header_moved, Loaded()),
        c(national_base, "columns_reversed", "layout", columns_reversed, Loaded(check=kept_reading)),
        c(national_base, "contents_sheet_first", "layout", notes_sheet_first,
          Loaded(check=warned("'Contents' skipped"))),
        c(national_base, "footnote_paragraph_added", "layout", footnote_added, Loaded()),
        c(national_base, "best_column_renamed", "layout", lambda: header_renamed("Best", "Estimate"),
          Refused(("needs the column(s) best or total",), sheet="Cannabis", row=3, column="best or total")),
        c(national_base, "no_title_names_the_drug", "layout", no_title,
          Refused(("no title above the header names the drug",), sheet="Cannabis", row=1)),
        c(regional_base, "bounds_header_renamed", "layout", regional_without_bounds,
          Refused(("not followed by Lower and Upper",), row=4)),
        c(regional_base, "title_without_year", "layout", regional_without_year,
          Refused(("does not end with the year",))),
        c(markets_base, "currency_column_dropped", "layout", market_without_currency,
          Refused(("currency",), sheet="prices", row=1, column="currency")),
        c(regional_base, "row_of_dashes_added", "row", not_available_row, Loaded(added=1, not_available=12)),
        # row: one bad row is rejected with its reason, the rest loads
        c(national_base, "year_1013", "row", lambda: cannabis_edit("Year", "1013"),
          Loaded(rejected={"impossible survey year: 1013": 1}, column="Year")),
        c(national_base, "year_in_the_future", "row", lambda: cannabis_edit("Year", "2031"),
          Loaded(rejected={"impossible survey year: 2031": 1}, column="Year")),
        c(national_base, "no_year", "row", lambda: cannabis_edit("Year", None),
          Loaded(rejected={"no survey year": 1}, column="Year")),
        c(national_base, "decimal_comma", "row", lambda: cannabis_edit("Best", "1,2"),
          Loaded(rejected={"Best is not a number: 1,2": 1}, column="Best")),
        c(national_base, "prevalence_above_100", "row", lambda: cannabis_edit("Best", "150"),
          Loaded(rejected={"Best above 100 percent": 1}, column="Best")),
        c(national_base, "low_above_high", "row", lambda: cannabis_edit("Low", "9", at=HEADER + 2),
          Loaded(rejected={"Low (9.0) above High (4.0)": 1}, column="Low")),
        c(national_base, "unknown_country", "row", lambda: cannabis_edit("Country/Territory", "Atlantis"),
          Loaded(rejected={"unknown country or territory: Atlantis": 1}, column="Country/Territory")),
        c(national_base, "country_as_formula", "row",
          lambda: cannabis_edit("Country/Territory", '=HYPERLINK("http://attacker.example/x","Kenya")'),
          Loaded(rejected={"reads as a spreadsheet formula": 1}, column="Country/Territory")),
        c(markets_base, "unknown_currency", "row", lambda: price_edit("Currency", "Bitcoin"),
          Loaded(rejected={"unknown currency: Bitcoin": 1}, column="Currency")),
        c(markets_base, "minimum_above_maximum", "row", lambda: price_edit("Minimum price", "95000"),
          Loaded(rejected={"minimum price (95000.0) above maximum (90000.0)": 1}, column="Minimum price")),
        c(markets_base, "price_without_unit", "row", lambda: price_edit("Unit", None),
          Loaded(rejected={"no unit": 1}, column="Unit")),
        c(markets_base, "unknown_level_of_sale", "row", lambda: price_edit("LevelOfSale", "Farm-gate"),
          Loaded(rejected={"unknown level of sale: Farm-gate": 1}, column="LevelOfSale")),
        c(markets_base, "purity_above_100_percent", "row", lambda: purity_edit("Maximum purity", "150"),
          Loaded(rejected={"purity above 100 percent": 1}, column="Typical purity")),
        c(markets_base, "unknown_purity_unit", "row", lambda: purity_edit("Purity", "ppm"),
          Loaded(rejected={"unknown purity unit: ppm": 1}, column="Purity")),
    ]


CASES = _cases()
