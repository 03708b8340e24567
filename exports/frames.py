"""A table definition, read from one release, as a tidy frame: one row per cell of the table."""
from __future__ import annotations

import duckdb
import polars as pl

from .definitions import DefinitionError, TableDef, check_ident

# The tidy columns every table has, in this order; a long table adds its own columns after them.
TIDY = ["table_number", "band", "area_code", "area_name", "label", "series", "footnotes", "is_total", "year",
        "value", "value_text", "obs_status", "lower_bound", "upper_bound", "unit", "is_illustrative",
        "in_annex_table", "snapshot_id", "source_file", "source_rows"]


def catalogue(con: duckdb.DuckDBPyConnection) -> dict[str, set[str]]:
    rows = con.execute("""select table_name, column_name from duckdb_columns()
                          where schema_name = 'main' and database_name = current_database()""").fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def _checked(tdef: TableDef, cat: dict[str, set[str]], older: bool) -> None:
    if tdef.table not in cat:
        raise DefinitionError(f"{tdef.file}: table {tdef.table!r} is not in this release; "
                              f"public tables: {', '.join(sorted(cat))}")
    # An older release compared with may lack a column the table has gained since: it reads as empty,
    # and a filter on it is left out (the release predates what the filter tells apart, such as a
    # second edition of table 7.1).
    optional = set(tdef.columns.values()) | set(tdef.where) if older else set()
    missing = [c for c in tdef.identifiers()[1:] if c not in cat[tdef.table] and c not in optional]
    if missing:
        raise DefinitionError(f"{tdef.file}: {tdef.table} has no column(s) {', '.join(sorted(set(missing)))}")
    for what, (table, key, value) in tdef.lookups().items():
        if table not in cat or not {key, value} <= cat[table]:
            raise DefinitionError(f"{tdef.file}: {what}_lookup names {table}.{key} and {table}.{value}, "
                                  "which this release does not have")


def _where(filters: dict[str, list], params: list) -> list[str]:
    clauses = []
    for column, values in filters.items():
        check_ident(column, "filter column")
        clauses.append(f't."{column}" in ({", ".join("?" for _ in values)})')
        params.extend(values)
    return clauses


def table_frame(con: duckdb.DuckDBPyConnection, tdef: TableDef, older: bool = False) -> pl.DataFrame:
    """Read the table's cells. Identifiers were validated by pattern and are checked here against the
    release's catalogue; values are bound parameters. `older`: the release compared with, where a
    column of the table's own that the release lacks reads as empty."""
    cat = catalogue(con)
    _checked(tdef, cat, older)
    f = {name: f't."{check_ident(col, "column")}"' for name, col in tdef.fields.items()}
    has_country = "dim_country" in cat
    area_name = "c.country_name" if has_country else "null"
    region = "c.m49_region_name" if has_country else "null"
    params: list = []
    total = " and ".join(_where(tdef.total_when, params)) if tdef.total_when else None
    apart = " and ".join(_where(tdef.set_apart, params)) if tdef.set_apart else None
    select = [
        "? as table_number",
        f"{f['band']}::varchar as band" if "band" in f else f"{region} as band",
        f"{f['area']}::varchar as area_code",
        f"coalesce({area_name}, {f.get('label', 'null')}::varchar, {f['area']}::varchar) as area_name",
        f"coalesce({f['label']}::varchar, {area_name}, {f['area']}::varchar) as label" if "label" in f
        else f"coalesce({area_name}, {f['area']}::varchar) as label",
        f"{f['series']}::varchar as series" if "series" in f else "null::varchar as series",
        f"{f['footnotes']}::varchar as footnotes" if "footnotes" in f else "null::varchar as footnotes",
        (f"coalesce({f['is_total']}, false)" if "is_total" in f else f"coalesce(({total}), false)" if total
         else "false") + " as is_total",
        f"{f['year']}::bigint as year",
        f"{f['value']}::double as value",
        f"{f['value_text']}::varchar as value_text" if "value_text" in f else "null::varchar as value_text",
        f"{f['obs_status']}::varchar as obs_status" if "obs_status" in f else "null::varchar as obs_status",
        f"{f['lower_bound']}::double as lower_bound" if "lower_bound" in f else "null::double as lower_bound",
        f"{f['upper_bound']}::double as upper_bound" if "upper_bound" in f else "null::double as upper_bound",
        "? as unit",
        f"coalesce({f['is_illustrative']}, false) as is_illustrative" if "is_illustrative" in f else "false as is_illustrative",
        f"not coalesce(({apart}), false) as in_annex_table" if apart else "true as in_annex_table",
        f"{f['snapshot_id']}::varchar as snapshot_id" if "snapshot_id" in f else "null::varchar as snapshot_id",
        f"{f['source_file']}::varchar as source_file" if "source_file" in f else "null::varchar as source_file",
        f"{f['source_rows']}::varchar as source_rows" if "source_rows" in f else "null::varchar as source_rows",
    ]
    # The `?` of the select list, in their order: number, total_when, unit, set_apart.
    n_total = sum(len(v) for v in tdef.total_when.values())
    params = [tdef.number, *params[:n_total], tdef.unit, *params[n_total:]]
    for header, column in tdef.columns.items():
        check_ident(column, "column")
        select.append(f't."{column}" as "{_header_alias(header)}"' if column in cat[tdef.table]
                      else f'null::varchar as "{_header_alias(header)}"')
    where = _where({c: v for c, v in tdef.where.items() if c in cat[tdef.table]} if older else tdef.where, params)
    lo, hi = tdef.years
    if lo is not None:
        where.append(f"{f['year']} >= ?")
        params.append(lo)
    if hi is not None:
        where.append(f"{f['year']} <= ?")
        params.append(hi)
    join = f"left join main.dim_country c on c.iso3 = {f['area']}::varchar" if has_country else ""
    sql = (f"select {', '.join(select)} from main.\"{tdef.table}\" t {join}"
           + (f" where {' and '.join(where)}" if where else ""))
    frame = pl.from_arrow(con.sql(sql, params=params).to_arrow_table())
    frame = order(frame.rename({_header_alias(h): h for h in tdef.columns}), tdef)
    for what, (table, key, value) in tdef.lookups().items():
        names = dict(con.execute(f'select "{key}"::varchar, "{value}"::varchar from main."{table}"').fetchall())
        frame = frame.with_columns(pl.col(what).replace(names))
    return frame


def _header_alias(header: str) -> str:
    return "col_" + "".join(ch if ch.isalnum() else "_" for ch in header.lower())


def order(frame: pl.DataFrame, tdef: TableDef) -> pl.DataFrame:
    """Bands in order, totals last, then label, series, the long table's own columns, year."""
    # A long table lists a reported total beside the rows of its group, as the source does.
    keys = (["band", "label", *tdef.columns, "year", "is_total"] if tdef.layout == "long"
            else ["is_total", "band", "label", "series", *tdef.columns, "year"])
    return frame.sort(keys, nulls_last=True, maintain_order=True)
