"""Two published warehouses compared table for table and row for row.

    .venv/bin/python -m bench.compare_warehouses OLD.duckdb NEW.duckdb [--ignore schema.table.column ...]

Every table of the schemas main, raw and audit: a table only one file has, a column only one
table has, a column of another type or in another place, a table's or column's comment, and the
rows of one table that the other lacks (`except all` of each row's hash, both ways, so a repeated row counts). Prints one line per difference
and exits 1 if there is any, 0 if the two hold the same data.

Not compared, because they say when and by what a build ran, not what it holds:
  - `stored_at` of every table (when a snapshot was stored: raw.*_snapshots, main.dim_snapshot);
  - audit.check_results `run_id` and `checked_at`, and in its `details` how a check ran
    (`batches`, `snapshots_reused`, `snapshots_checked`: a build that reads back a snapshot's kept
    outcome finds what another build checked again);
  - audit.release `release_id`, `published_at` and `code_version`; its `manifest` is compared
    without the same three keys and `previous_release`, and the order of `required_checks`
    (the gate reads it as a set) is not compared.
A freshness check's `age_days` counts days to the build's date: compare builds of one day.

Two builds of the same code may differ in ways that are no change of data: a double summed in
another order differs in its last digits, and a JSON text written from an unordered group lists
its keys in another order. Rows that differ only so (doubles within a relative 1e-9, as release
diffs compare them; JSON texts with their keys sorted) are reported as a note, not as a difference.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import duckdb

from orchestration.warehouse.database import memory_limit

SCHEMAS = ("main", "raw", "audit")
IGNORED = {"*.*.stored_at", "audit.check_results.run_id", "audit.check_results.checked_at",
           "audit.release.release_id", "audit.release.published_at", "audit.release.code_version",
           "audit.release.manifest"}
MANIFEST_IGNORED = ("release_id", "published_at", "code_version", "previous_release")
# Columns compared through an expression: what they hold without what says how a build ran.
COMPARED_AS = {"audit.check_results.details":
               "json_merge_patch(\"details\", '{\"batches\": null, \"snapshots_reused\": null, "
               "\"snapshots_checked\": null}')"}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _path(path: str) -> str:
    if "'" in path:
        raise SystemExit(f"compare_warehouses: a path with a quote is refused: {path!r}")
    return path


def tables(con: duckdb.DuckDBPyConnection, db: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(schema, table) -> [(column, type)] in column order."""
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for schema, table, column, dtype in con.execute(
            "select c.schema_name, c.table_name, c.column_name, c.data_type from duckdb_columns() c "
            "join duckdb_tables() t using (database_name, schema_name, table_name) "
            "where c.database_name = ? and c.schema_name in (select unnest(?)) "
            "order by c.schema_name, c.table_name, c.column_index", [db, list(SCHEMAS)]).fetchall():
        out.setdefault((schema, table), []).append((column, dtype))
    return out


def comments(con: duckdb.DuckDBPyConnection, db: str) -> dict[tuple[str, str], dict[str, str]]:
    """(schema, table) -> {"": the table's comment, column: its comment}, the comments that are set."""
    out: dict[tuple[str, str], dict[str, str]] = {}
    for schema, table, comment in con.execute(
            "select schema_name, table_name, comment from duckdb_tables() where database_name = ? "
            "and schema_name in (select unnest(?)) and coalesce(comment, '') <> ''", [db, list(SCHEMAS)]).fetchall():
        out.setdefault((schema, table), {})[""] = comment
    for schema, table, column, comment in con.execute(
            "select c.schema_name, c.table_name, c.column_name, c.comment from duckdb_columns() c "
            "join duckdb_tables() t using (database_name, schema_name, table_name) "
            "where c.database_name = ? and c.schema_name in (select unnest(?)) and coalesce(c.comment, '') <> ''",
            [db, list(SCHEMAS)]).fetchall():
        out.setdefault((schema, table), {})[column] = comment
    return out


def ignored(schema: str, table: str, column: str, extra: set[str]) -> bool:
    rules = IGNORED | extra
    return any(r in rules for r in (f"{schema}.{table}.{column}", f"*.*.{column}", f"{schema}.*.{column}"))


RELATIVE_TOLERANCE = 1e-9


def _normal(value):
    """A text as a tolerant comparison sees it: JSON with its keys sorted."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.dumps(json.loads(value), sort_keys=True)
        except ValueError:
            return value
    return value


def _close(a: tuple, b: tuple) -> bool:
    return all(x == y or (x is not None and y is not None
                          and abs(x - y) <= RELATIVE_TOLERANCE * max(abs(x), abs(y))) for x, y in zip(a, b))


def same_when_normal(con, target: str, cols: str, limit: int = 100_000) -> bool:
    """Whether the rows one side lacks pair up with the other's when doubles may differ by a relative
    1e-9 and JSON texts in their key order: rows are grouped by everything but their doubles, and
    within a group the doubles are paired in order."""
    sides = []
    for a, b in (("old_db", "new_db"), ("new_db", "old_db")):
        rows = con.execute(f"select {cols} from {a}.{target} except all select {cols} from {b}.{target} "
                           f"limit {limit + 1}").fetchall()
        if len(rows) > limit:
            return False
        groups: dict[str, list[tuple]] = {}
        for row in rows:
            key = json.dumps([None if isinstance(v, float) else _normal(v) for v in row], default=str)
            groups.setdefault(key, []).append(tuple(v for v in row if isinstance(v, float)))
        sides.append(groups)
    old, new = sides
    if {k: len(v) for k, v in old.items()} != {k: len(v) for k, v in new.items()}:
        return False
    key = lambda t: tuple((x is None, x or 0.0) for x in t)  # noqa: E731
    return all(_close(a, b) for k in old for a, b in zip(sorted(old[k], key=key), sorted(new[k], key=key)))


def differing_rows(con: duckdb.DuckDBPyConnection, target: str, expressions: list[str]) -> dict[str, int]:
    """How many rows of each side the other lacks (a repeated row counts), by a 64-bit hash of each
    row's compared values: `except all` of the rows themselves held two copies of a 19-million-row
    table (about 20 GB at ×100, or as much spilled to disk), their hashes a few hundred MB. Two
    different rows share a hash with a chance of about 2^-64 each; the rows of a table that differs
    are then compared whole (`same_when_normal`)."""
    row = f"hash({', '.join(expressions)})"
    counts = {}
    for label, a, b in (("OLD", "old_db", "new_db"), ("NEW", "new_db", "old_db")):
        counts[label] = con.execute(f"select count(*) from (select {row} from {a}.{target} except all "
                                    f"select {row} from {b}.{target})").fetchone()[0]
    return counts


def manifest(con: duckdb.DuckDBPyConnection, db: str) -> list[dict]:
    out = []
    for (text,) in con.execute(f"select manifest from {db}.audit.release").fetchall():
        data = json.loads(text) if text else {}
        for key in MANIFEST_IGNORED:
            data.pop(key, None)
        if isinstance(data.get("required_checks"), list):
            data["required_checks"] = sorted(data["required_checks"])
        out.append(data)
    return sorted(out, key=lambda m: json.dumps(m, sort_keys=True))


def compare(old: Path, new: Path, extra_ignored: set[str] = frozenset(),
            notes: list[str] | None = None) -> list[str]:
    # Within the build's memory limit, spilling to a temporary folder if it must (rows are compared by
    # their hashes first: `differing_rows`).
    with tempfile.TemporaryDirectory(prefix="compare-warehouses-") as spill:
        con = duckdb.connect(config={"memory_limit": memory_limit(), "temp_directory": spill})
        try:
            return _compare(con, old, new, extra_ignored, notes)
        finally:
            con.close()


def _compare(con: duckdb.DuckDBPyConnection, old: Path, new: Path, extra_ignored: set[str],
             notes: list[str] | None) -> list[str]:
    con.execute(f"attach '{_path(str(old))}' as old_db (read_only)")
    con.execute(f"attach '{_path(str(new))}' as new_db (read_only)")
    before, after = tables(con, "old_db"), tables(con, "new_db")
    found = [f"{s}.{t}: only in {label}" for label, one, other in (("OLD", before, after), ("NEW", after, before))
             for s, t in sorted(set(one) - set(other))]
    said_old, said_new = comments(con, "old_db"), comments(con, "new_db")
    for schema, table in sorted(set(before) & set(after)):
        name = f"{schema}.{table}"
        one, other = said_old.get((schema, table), {}), said_new.get((schema, table), {})
        for part in sorted(k for k in set(one) | set(other) if one.get(k) != other.get(k)):
            found.append(f"{name}: {'its' if part == '' else f'column {part}'} comment differs")
        cols_old, cols_new = dict(before[(schema, table)]), dict(after[(schema, table)])
        for column in [c for c in cols_old if c not in cols_new]:
            found.append(f"{name}: column {column} only in OLD")
        for column in [c for c in cols_new if c not in cols_old]:
            found.append(f"{name}: column {column} only in NEW")
        common = [c for c in cols_old if c in cols_new]
        for column in common:
            if cols_old[column] != cols_new[column]:
                found.append(f"{name}: column {column} is {cols_old[column]} in OLD, {cols_new[column]} in NEW")
        if [c for c in cols_old if c in cols_new] != [c for c in cols_new if c in cols_old]:
            found.append(f"{name}: columns in another order")
        compared = [c for c in common if not ignored(schema, table, c, extra_ignored)]
        if not compared:
            continue
        expressions = [COMPARED_AS.get(f"{name}.{c}", _quoted(c)) for c in compared]
        cols = ", ".join(f"{e} as {_quoted(c)}" for e, c in zip(expressions, compared))
        target = f"{_quoted(schema)}.{_quoted(table)}"
        counts = differing_rows(con, target, expressions)
        rows_old = con.execute(f"select count(*) from old_db.{target}").fetchone()[0]
        rows_new = con.execute(f"select count(*) from new_db.{target}").fetchone()[0]
        if (counts["OLD"] or counts["NEW"]) and same_when_normal(con, target, cols):
            if notes is not None:
                notes.append(f"{name}: {counts['OLD']} row(s) differ only in a double's last digits or a JSON "
                             "text's key order")
        elif counts["OLD"] or counts["NEW"]:
            found.append(f"{name}: {counts['OLD']} row(s) only in OLD, {counts['NEW']} only in NEW "
                         f"({rows_old} and {rows_new} rows)")
    if ("audit", "release") in set(before) & set(after) and "audit.release.manifest" not in extra_ignored:
        if manifest(con, "old_db") != manifest(con, "new_db"):
            old_m, new_m = manifest(con, "old_db"), manifest(con, "new_db")
            keys = sorted({k for m in old_m + new_m for k in m
                           if [x.get(k) for x in old_m] != [x.get(k) for x in new_m]})
            found.append(f"audit.release: the manifests differ in {', '.join(keys) or 'their number'}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.compare_warehouses", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--ignore", action="append", default=[], metavar="SCHEMA.TABLE.COLUMN",
                        help="another column not to compare (* for any schema or table)")
    args = parser.parse_args(argv)
    for path in (args.old, args.new):
        if not path.is_file():
            print(f"compare_warehouses: no such file: {path}", file=sys.stderr)
            return 2
    notes: list[str] = []
    found = compare(args.old, args.new, set(args.ignore), notes)
    for line in notes:
        print(f"note: {line}")
    for line in found:
        print(line)
    if not found:
        shown = sorted((IGNORED | set(args.ignore)) - {"audit.release.manifest"})
        print(f"same tables, same columns, same rows: {args.old} and {args.new} "
              f"(not compared: {', '.join(shown)}; the manifest without {', '.join(MANIFEST_IGNORED)})")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
