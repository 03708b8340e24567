"""Table definitions: one YAML file per table in exports/tables/. Adding a table needs no Python.

Every name a definition gives (table, columns) is checked here against a strict pattern and later
against the release's own catalogue before it reaches SQL; filter values are bound as parameters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

TABLES_DIR = Path(__file__).resolve().parent / "tables"
IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.]{0,15}$")
FIELDS = {"area", "label", "band", "series", "year", "value", "value_text", "lower_bound", "upper_bound",
          "obs_status", "footnotes", "is_total", "is_illustrative", "snapshot_id", "source_file", "source_rows"}
REQUIRED_FIELDS = {"area", "year", "value"}
KEYS = {"number", "title", "unit", "decimals", "indicators", "source", "layout", "bands", "subtotals", "years",
        "footnote_texts", "notes", "sources", "label_lookup", "band_lookup", "row_header", "wdr_layout", "set_apart"}
SOURCE_KEYS = {"table", "where", "fields", "columns", "total_when"}


class DefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class TableDef:
    number: str
    title: str
    unit: str
    table: str
    fields: dict[str, str]
    where: dict[str, list] = field(default_factory=dict)
    total_when: dict[str, list] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    layout: str = "wide"
    bands: str = "m49_region"
    subtotals: bool = False
    years: tuple[int | None, int | None] = (None, None)
    decimals: int = 0
    indicators: tuple[str, ...] = ()
    footnote_texts: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    sources: str = ""
    label_lookup: tuple[str, str, str] | None = None
    band_lookup: tuple[str, str, str] | None = None
    row_header: str = "Country or area"
    # Lay the sheet out as the WDR workbook the figures come from (dim_annex_table), where the
    # release has it; rows matching `set_apart` (such as press-report figures) are not part of the
    # annex table and are shown apart, below it.
    wdr_layout: bool = False
    set_apart: dict[str, list] = field(default_factory=dict)
    file: str = ""

    @property
    def stem(self) -> str:
        words = re.sub(r"[^a-z0-9]+", "_", self.title.lower()).strip("_")
        if len(words) > 40:
            words = words[:40].rsplit("_", 1)[0]
        return f"{self.number}_{words}"

    def identifiers(self) -> list[str]:
        return [self.table, *self.fields.values(), *self.where, *self.total_when, *self.set_apart,
                *self.columns.values()]

    def lookups(self) -> dict[str, tuple[str, str, str]]:
        return {k: v for k, v in (("label", self.label_lookup), ("band", self.band_lookup)) if v}


def check_ident(name: str, what: str) -> str:
    if not isinstance(name, str) or not IDENT.fullmatch(name):
        raise DefinitionError(f"{what} {name!r} is not a plain lower-case identifier")
    return name


def _filters(raw, file: str, key: str) -> dict[str, list]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise DefinitionError(f"{file}: source.{key} must map columns to a value or a list of values")
    out = {}
    for column, value in raw.items():
        check_ident(column, f"{file}: source.{key} column")
        values = value if isinstance(value, list) else [value]
        if not values or not all(isinstance(v, (str, int, float, bool)) for v in values):
            raise DefinitionError(f"{file}: source.{key}.{column} must be a value or a list of plain values")
        out[column] = values
    return out


def _lookup(raw, file: str, key: str) -> tuple[str, str, str] | None:
    """`{table: dim_instrument, key: instrument_code, value: title}`: show a code by its name."""
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"table", "key", "value"}:
        raise DefinitionError(f"{file}: {key} is {{table: ..., key: ..., value: ...}}")
    return tuple(check_ident(raw[k], f"{file}: {key}.{k}") for k in ("table", "key", "value"))


def parse_definition(raw: dict, file: str) -> TableDef:
    if not isinstance(raw, dict):
        raise DefinitionError(f"{file}: a table definition is a mapping")
    unknown = set(raw) - KEYS
    if unknown:
        raise DefinitionError(f"{file}: unknown keys {sorted(unknown)}; allowed: {sorted(KEYS)}")
    for key in ("number", "title", "unit", "source"):
        if key not in raw:
            raise DefinitionError(f"{file}: '{key}' is required")
    number = str(raw["number"])
    if not NUMBER.fullmatch(number):
        raise DefinitionError(f"{file}: table number {number!r} must be letters, digits and dots")
    source = raw["source"]
    if not isinstance(source, dict) or set(source) - SOURCE_KEYS or "table" not in source:
        raise DefinitionError(f"{file}: source needs 'table' and may have {sorted(SOURCE_KEYS - {'table'})}")
    fields = source.get("fields") or {}
    if not isinstance(fields, dict) or set(fields) - FIELDS or REQUIRED_FIELDS - set(fields):
        raise DefinitionError(f"{file}: source.fields must name {sorted(REQUIRED_FIELDS)} and may name "
                              f"{sorted(FIELDS - REQUIRED_FIELDS)}; got {sorted(fields) if isinstance(fields, dict) else fields}")
    for name, column in fields.items():
        check_ident(column, f"{file}: source.fields.{name}")
    columns = source.get("columns") or {}
    if not isinstance(columns, dict):
        raise DefinitionError(f"{file}: source.columns maps a header to a column")
    for header, column in columns.items():
        if not isinstance(header, str) or not header.strip():
            raise DefinitionError(f"{file}: source.columns has an empty header")
        check_ident(column, f"{file}: source.columns[{header!r}]")
    layout = raw.get("layout", "wide")
    if layout not in ("wide", "long"):
        raise DefinitionError(f"{file}: layout is 'wide' (years as columns) or 'long', not {layout!r}")
    bands = raw.get("bands", "m49_region")
    if bands not in ("m49_region", "field", "none"):
        raise DefinitionError(f"{file}: bands is 'm49_region', 'field' (the band field) or 'none', not {bands!r}")
    if bands == "field" and "band" not in fields:
        raise DefinitionError(f"{file}: bands: field needs source.fields.band")
    years = raw.get("years") or {}
    if not isinstance(years, dict) or set(years) - {"from", "to"} or not all(
            isinstance(v, int) for v in years.values()):
        raise DefinitionError(f"{file}: years is {{from: YYYY, to: YYYY}}")
    decimals = raw.get("decimals", 0)
    if not isinstance(decimals, int) or not 0 <= decimals <= 6:
        raise DefinitionError(f"{file}: decimals must be a whole number from 0 to 6")
    texts = raw.get("footnote_texts") or {}
    if not isinstance(texts, dict) or not all(re.fullmatch(r"[a-z]{1,2}", str(k)) for k in texts):
        raise DefinitionError(f"{file}: footnote_texts maps footnote letters to their text")
    return TableDef(
        number=number, title=str(raw["title"]), unit=str(raw["unit"]), table=check_ident(source["table"], f"{file}: source.table"),
        fields=dict(fields), where=_filters(source.get("where"), file, "where"),
        total_when=_filters(source.get("total_when"), file, "total_when"), columns=dict(columns), layout=layout,
        bands=bands, subtotals=bool(raw.get("subtotals", False)), years=(years.get("from"), years.get("to")),
        decimals=decimals, indicators=tuple(str(i) for i in raw.get("indicators") or ()),
        footnote_texts={str(k): str(v) for k, v in texts.items()}, notes=tuple(str(n) for n in raw.get("notes") or ()),
        sources=str(raw.get("sources") or ""), label_lookup=_lookup(raw.get("label_lookup"), file, "label_lookup"),
        band_lookup=_lookup(raw.get("band_lookup"), file, "band_lookup"),
        row_header=str(raw.get("row_header") or "Country or area"), wdr_layout=bool(raw.get("wdr_layout", False)),
        set_apart=_filters(raw.get("set_apart"), file, "set_apart"), file=file)


def load_definitions(folder: Path = TABLES_DIR) -> dict[str, TableDef]:
    """Every definition in the folder, by table number, in the annex's order."""
    out: dict[str, TableDef] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise DefinitionError(f"{path.name}: not valid YAML: {exc}") from None
        table = parse_definition(raw, path.name)
        if table.number in out:
            raise DefinitionError(f"{path.name}: table {table.number} is also defined in {out[table.number].file}")
        out[table.number] = table
    return dict(sorted(out.items(), key=lambda kv: _number_key(kv[0])))


def _number_key(number: str) -> tuple:
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in number.split("."))


def select(definitions: dict[str, TableDef], wanted: list[str] | None) -> list[TableDef]:
    if not wanted:
        return list(definitions.values())
    unknown = [w for w in wanted if w not in definitions]
    if unknown:
        raise DefinitionError(f"unknown table(s) {', '.join(unknown)}; the tables are: {', '.join(definitions)}")
    return [definitions[w] for w in wanted]
