"""Every publish is a release: kept under warehouse/releases/<id>/ (a hard link to the published,
read-only file, so the current release costs no space twice) with a manifest; the last N are kept,
tagged ones always; any two can be compared.
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import duckdb

from sources.settings import Paths

from .database import sql_text

RELEASE_ID = re.compile(r"^\d{8}T\d{6,12}Z$")
TAG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

# What a diff compares: table, key columns, value columns. The indicator values are every family's;
# each family declares the marts of its own that a diff compares (`diffs`, sources/family.py), as
# the crime statistics, whose source values are matched by their natural key and their order
# within it (the official files repeat keys).
INDICATOR_VALUES = {
    "fct_indicator_values": (["indicator_code", "ref_area_type", "ref_area_code", "year", "disaggregation"],
                             ["value", "obs_status", "lower_bound", "upper_bound"]),
}
# Measured values: two releases that sum the same figures in another order differ in the last bit
# (305.87733 against 305.87733000000003); such a difference is no revision.
NUMERIC = {"value", "lower_bound", "upper_bound", "quantity", "kg_equivalent"}
RELATIVE_TOLERANCE = 1e-9


def diffed() -> dict[str, tuple[list[str], list[str]]]:
    """Every table a diff compares, with its key and value columns."""
    from sources.family import families

    return {**INDICATOR_VALUES, **{table: (list(d.keys), list(d.values))
                                   for f in families() for table, d in f.diffs.items()}}


def numbered() -> set[str]:
    """Tables whose natural key repeats in the source: rows are paired by their order within the key."""
    from sources.family import families

    return {table for f in families() for table, d in f.diffs.items() if d.numbered}


def releases_dir(paths: Paths) -> Path:
    return paths.warehouse_dir / "releases"


def check_release_id(release_id: str) -> str:
    if not isinstance(release_id, str) or not RELEASE_ID.fullmatch(release_id):
        raise ValueError(f"{release_id!r} is not a release identifier (like 20261128T013325579844Z)")
    return release_id


def release_path(paths: Paths, release_id_or_tag: str) -> Path:
    """A release's file, by identifier or by tag."""
    release_id = resolve(paths, release_id_or_tag)
    path = releases_dir(paths) / release_id / "indicators.duckdb"
    if not path.exists():
        raise FileNotFoundError(f"release {release_id} is not kept (see `unodc-indicators releases`)")
    return path


def resolve(paths: Paths, name: str) -> str:
    tags = read_tags(paths)
    if name in tags:
        # tags.json can be edited by hand: what it points to becomes a path, so check it too.
        return check_release_id(tags[name])
    return check_release_id(name)


def read_tags(paths: Paths) -> dict[str, str]:
    file = releases_dir(paths) / "tags.json"
    return json.loads(file.read_text()) if file.exists() else {}


def keep_release(paths: Paths, published_file: Path, manifest: dict) -> Path:
    """Link the new release's file into releases/<id>/ and write its manifest beside it."""
    folder = releases_dir(paths) / check_release_id(manifest["release_id"])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "indicators.duckdb"
    try:
        os.link(published_file, target)
    except OSError:
        shutil.copy2(published_file, target)
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str))
    return target


def list_releases(paths: Paths) -> list[dict]:
    base = releases_dir(paths)
    tags = read_tags(paths)
    by_id = {}
    for tag, rid in tags.items():
        by_id.setdefault(rid, []).append(tag)
    out = []
    for folder in sorted(base.iterdir()) if base.exists() else []:
        if folder.is_dir() and RELEASE_ID.match(folder.name) and (folder / "manifest.json").exists():
            manifest = json.loads((folder / "manifest.json").read_text())
            out.append({"release_id": folder.name, "published_at": manifest.get("published_at"),
                        "code_version": manifest.get("code_version"), "tags": sorted(by_id.get(folder.name, []))})
    return out


def tag_release(paths: Paths, release_id: str, tag: str) -> None:
    if not TAG.match(tag or "") or RELEASE_ID.match(tag):
        raise ValueError(f"{tag!r} is not a tag name (letters, digits, '.', '_', '-'; not a release identifier)")
    check_release_id(release_id)
    if not (releases_dir(paths) / release_id / "manifest.json").exists():
        raise FileNotFoundError(f"release {release_id} is not kept")
    tags = read_tags(paths)
    tags[tag] = release_id
    file = releases_dir(paths) / "tags.json"
    tmp = file.with_suffix(".tmp")
    tmp.write_text(json.dumps(tags, indent=2, sort_keys=True))
    os.replace(tmp, file)


def prune(paths: Paths, keep: int, current: str) -> list[str]:
    """Remove releases beyond the newest `keep`, never a tagged one, never the current one."""
    tagged = set(read_tags(paths).values())
    ids = [r["release_id"] for r in list_releases(paths)]
    removable = [rid for rid in ids[:-keep] if rid not in tagged and rid != current] if keep > 0 else []
    for rid in removable:
        shutil.rmtree(releases_dir(paths) / rid)
    return removable


def diff_sql(table: str, old: str, new: str, only: tuple[str, list] | None = None) -> str:
    """Added, removed and revised rows of `table` between two attached databases; `only`: a key
    column and its values, the rows compared (the others known to be the same on both sides)."""
    keys, values = diffed()[table]
    where = ""
    if only is not None:
        column, among = only
        if column not in keys:
            raise ValueError(f"{table}: {column} is not a key column of its diff")
        texts = [v for v in among if v is not None]
        held = [f"{column}::varchar in ({', '.join(sql_text(str(v)) for v in texts)})"] if texts else []
        held += [f"{column} is null"] if None in among else []
        where = " where " + (" or ".join(held) or "false")

    def side(db: str) -> str:
        if table in numbered():
            natural = ", ".join(k for k in keys if k != "occurrence")
            return (f"select *, row_number() over (partition by {natural} order by source_row) as occurrence "
                    f"from {db}.main.{table}{where}")
        return f"select * from {db}.main.{table}{where}"

    on = " and ".join(f"o.{k} is not distinct from n.{k}" for k in keys)
    def distinct(v: str) -> str:
        if v not in NUMERIC:
            return f"o.{v} is distinct from n.{v}"
        return (f"(o.{v} is distinct from n.{v} and (o.{v} is null or n.{v} is null or abs(o.{v}::double - n.{v}::double)"
                f" > {RELATIVE_TOLERANCE} * greatest(abs(o.{v}::double), abs(n.{v}::double))))")

    differ = " or ".join(distinct(v) for v in values)
    key_json = "json_object(" + ", ".join(f"'{k}', coalesce(n.{k}, o.{k})" for k in keys) + ")"
    old_json = "json_object(" + ", ".join(f"'{v}', o.{v}" for v in values) + ")"
    new_json = "json_object(" + ", ".join(f"'{v}', n.{v}" for v in values) + ")"
    first = keys[0]
    return f"""
        select '{table}' as table_name, {key_json} as row_key,
               case when o.{first} is null and n.{first} is not null then 'added'
                    when n.{first} is null then 'removed' else 'revised' end as change,
               case when o.{first} is null then null else {old_json} end as old_values,
               case when n.{first} is null then null else {new_json} end as new_values
        from ({side(old)}) as o full outer join ({side(new)}) as n on {on}
        where o.{first} is null or n.{first} is null or {differ}"""


def changed_by_snapshot(con: duckdb.DuckDBPyConnection, table: str, column: str, old: str, new: str) -> list:
    """The values of `column` held by rows of the snapshots one side of `table` has and the other
    lacks: a table whose rows are a pure function of their snapshot differs only there."""
    target = f"main.{table}"
    return [v for (v,) in con.execute(f"""
        with o as (select distinct snapshot_id from {old}.{target}),
             n as (select distinct snapshot_id from {new}.{target}),
             changed as ((select * from o except select * from n) union all (select * from n except select * from o))
        select distinct {column} from {old}.{target} where snapshot_id in (select snapshot_id from changed)
        union
        select distinct {column} from {new}.{target} where snapshot_id in (select snapshot_id from changed)
        order by 1""").fetchall()]


def diff_releases(old_file: Path, new_file: Path) -> duckdb.DuckDBPyRelation:
    con = duckdb.connect()
    con.execute(f"attach '{_quote_free(old_file)}' as old_release (read_only)")
    con.execute(f"attach '{_quote_free(new_file)}' as new_release (read_only)")
    # A table one of the two releases lacks (an older release) is left out rather than failing the diff.
    both = [t for t in diffed() if all(con.execute(
        "select count(*) from duckdb_tables() where database_name = ? and schema_name = 'main' and table_name = ?",
        [db, t]).fetchall()[0][0] for db in ("old_release", "new_release"))]
    return con, con.sql(" union all ".join(diff_sql(t, "old_release", "new_release") for t in both))


def _quote_free(path: Path) -> str:
    text = str(path)
    if "'" in text:
        raise ValueError(f"path {text!r} contains a quote")
    return text
