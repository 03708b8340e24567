"""Drug prices and purities (WDR table 8.1): long tables, one row per country, drug, level of sale
and year.

Prices keep typical, minimum and maximum with the unit and currency the row states, never
converted: a price per gram in euros and one per kilogram in national currency are not
comparable, and nothing here makes them so. The currency is also given as a code (USD, EUR, CHF,
or `national` for "National currency (not EUR, USD or CHF)", which does not say which); the level
of sale as published (Street, Retail, Wholesale) and as `retail` or `wholesale`.

Purity: the column says '% (percent)' but most rows write a fraction (0.15) and some percent
points (20.007, 100): a row whose figures are all at most 1 is read as fractions, a row with one
above 1 as percent points, and the scale read is kept with every row (`purity_scale`); the
fraction is given beside the figures as published. Purity in mg per tablet is no fraction: its
figures are kept, its fractions empty.
"""
from __future__ import annotations

from .cells import Bad, label, number, place, survey_years, text
from .table import Sheet, read_rows

CURRENCIES = {"usd": "USD", "usa": "USD", "us$": "USD", "united states dollar": "USD", "us dollar": "USD",
              "eur": "EUR", "euro": "EUR", "chf": "CHF", "swiss franc": "CHF"}
LEVELS = {"street": "retail", "retail": "retail", "wholesale": "wholesale"}


def currency_code(published: str | None) -> str | None:
    value = (published or "").strip().lower()
    if value.startswith("national currency"):
        return "national"
    return CURRENCIES.get(value)


def unit_normalised(published: str | None) -> str | None:
    """'Grams' -> 'gram', '5 gram' -> '5 gram', 'Kilograms' -> 'kilogram': spelling only, no conversion."""
    value = " ".join((published or "").lower().split())
    if not value:
        return None
    words = value.split(" ")
    if len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def _common(sheet: Sheet, col: dict, row: list, carried: dict, excel_row: int) -> dict:
    def cell(name, what):
        i = col[name]
        if i is None or i >= len(row):
            return None
        try:
            return label(row[i], what)
        except Bad as bad:
            raise Bad(bad.reason, what, text(row[i])) from None

    try:
        kind, iso3, parent = place(row[col["country/territory"]])
    except Bad as bad:
        raise Bad(bad.reason, "Country/Territory", text(row[col["country/territory"]])) from None
    try:
        first, _ = survey_years(row[col["year"]])
    except Bad as bad:
        reason = "no year" if bad.reason == "no survey year" else bad.reason.replace("survey year", "year")
        raise Bad(reason, "Year", text(row[col["year"]])) from None
    level_text = cell("levelofsale", "LevelOfSale")
    level = LEVELS.get((level_text or "").lower())
    if level is None:
        raise Bad(f"unknown level of sale: {level_text or '(empty)'} (Street, Retail or Wholesale expected)",
                  "LevelOfSale", level_text)
    drug, group = cell("drug", "Drug"), cell("druggroup", "DrugGroup")
    if drug is None and group is None:
        raise Bad("no drug and no drug group", "Drug")
    return {"source_row": excel_row, "sheet": sheet.name, "source": cell("source", "Source"),
            "region": cell("region", "Region"), "subregion": cell("subregion", "SubRegion"),
            "country_name": text(row[col["country/territory"]]), "area_kind": kind, "country_iso3": iso3,
            "parent_iso3": parent, "drug_group": group, "drug": drug,
            "drug_state": cell("drugstate", "DrugState"), "level_of_sale": level_text, "level": level, "year": first}


def _figures(row, col, names: tuple[str, str, str], whats: tuple[str, str, str]) -> tuple:
    out = []
    for name, what in zip(names, whats):
        i = col[name]
        try:
            out.append(number(row[i], what) if i is not None and i < len(row) else None)
        except Bad as bad:
            raise Bad(bad.reason, what, text(row[i])) from None
    return tuple(out)


def _columns(sheet: Sheet, names: tuple[str, ...]) -> dict:
    return {n: sheet.column(n) for n in ("source", "region", "subregion", "country/territory", "druggroup", "drug",
                                          "drugstate", "levelofsale", "year", *names)}


def prices(sheet: Sheet) -> None:
    col = _columns(sheet, ("typical price", "minimum price", "maximum price", "unit", "currency"))

    def read(row, carried, excel_row):
        base = _common(sheet, col, row, carried, excel_row)
        typical, low, high = _figures(row, col, ("typical price", "minimum price", "maximum price"),
                                      ("Typical price", "Minimum price", "Maximum price"))
        if typical is None and low is None and high is None:
            raise Bad("no price: typical, minimum and maximum are all empty", "Typical price")
        if low is not None and high is not None and low > high:
            raise Bad(f"minimum price ({low}) above maximum ({high})", "Minimum price", text(row[col["minimum price"]]))
        unit = text(row[col["unit"]])
        currency = text(row[col["currency"]])
        if unit is None:
            raise Bad("no unit: a price without its unit cannot be read", "Unit")
        if currency is None:
            raise Bad("no currency: a price without its currency cannot be read", "Currency")
        code = currency_code(currency)
        if code is None:
            raise Bad(f"unknown currency: {currency}", "Currency", currency)
        return [{**base, "typical": typical, "minimum": low, "maximum": high, "unit": unit,
                 "unit_normalised": unit_normalised(unit), "currency": currency, "currency_code": code}]

    read_rows(sheet, sheet.header_idx + 1, {}, {col["country/territory"]}, read)


def purities(sheet: Sheet) -> None:
    col = _columns(sheet, ("typical purity", "minimum purity", "maximum purity", "purity"))

    def read(row, carried, excel_row):
        base = _common(sheet, col, row, carried, excel_row)
        figures = _figures(row, col, ("typical purity", "minimum purity", "maximum purity"),
                           ("Typical purity", "Minimum purity", "Maximum purity"))
        if all(f is None for f in figures):
            raise Bad("no purity: typical, minimum and maximum are all empty", "Typical purity")
        unit = text(row[col["purity"]])
        if unit is None:
            raise Bad("no purity unit: a purity without its unit cannot be read", "Purity")
        plain_unit = unit.lower().replace(" ", "")
        if plain_unit.startswith("%") or "percent" in plain_unit:
            scale = "percent" if any(f is not None and f > 1 for f in figures) else "fraction"
            fractions = [None if f is None else (f / 100 if scale == "percent" else f) for f in figures]
            if any(f is not None and f > 1 for f in fractions):
                raise Bad(f"purity above 100 percent: {max(f for f in figures if f is not None)}", "Typical purity")
        elif plain_unit in ("mg/tablet", "mgpertablet"):
            scale, fractions = "mg per tablet", [None, None, None]
        else:
            raise Bad(f"unknown purity unit: {unit} (% (percent) or mg/tablet expected)", "Purity", unit)
        return [{**base, "typical": figures[0], "minimum": figures[1], "maximum": figures[2], "purity_unit": unit,
                 "purity_scale": scale, "typical_fraction": fractions[0], "minimum_fraction": fractions[1],
                 "maximum_fraction": fractions[2]}]

    read_rows(sheet, sheet.header_idx + 1, {}, {col["country/territory"]}, read)
