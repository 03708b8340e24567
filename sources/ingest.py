"""One ingest loop for every family: each current snapshot is read and parsed by the parser of its
format, its rows go to the family's raw tables tagged with their snapshot, its rejected rows keep
their reasons, and each file gets one row of counts (rows in = accepted + rejected + not
available), header fingerprint, facts and warnings.

What is a family's own comes from its declaration (sources/<package>/family.py): its parsers,
how a parse becomes rows of its tables (`rows`), and the layout of its files table (`file_row`).
A table declared `by_parts` is handed to `sink` file by file and never held whole: at ×100 the
UN-CTS files hold 19 million rows, about 1.7 KiB each while parsed. A table no file gives a row
is written empty with the columns its metadata declares (schemas/).

Given a parse cache (sources/parse_cache.py), a snapshot parsed by an earlier build with the same
parser version is read back from it instead of parsed again.
"""
from __future__ import annotations

import json
from typing import Callable

import polars as pl

from .errors import SourceError
from .family import Family
from .parse_cache import ParseCache
from .parsing import FrameResult
from .snapshots import Snapshot, SnapshotStore


def parse_snapshot(family: Family, store: SnapshotStore, snap: Snapshot,
                   cache: ParseCache | None = None) -> FrameResult:
    """The snapshot parsed by its format's parser (or its parse kept in `cache`); a file that cannot
    be read at all stops the load, its error naming the snapshot (no silent gap), and is never kept."""
    if cache is not None:
        kept = cache.get(family, snap)
        if kept is not None:
            return kept
    try:
        parser = family.parsers.get(snap.format)
        if parser is None:
            raise SourceError(f"no parser for format {snap.format!r}", file=snap.filename)
        result = parser(store.read_bytes(snap), snap)
    except SourceError as exc:
        raise SourceError(f"{exc.reason} (snapshot {snap.name})", file=exc.file, sheet=exc.sheet, row=exc.row,
                          column=exc.column) from None
    # Kept before the family's `rows` sees it: rows may add to its facts and warnings.
    if cache is not None:
        cache.put(family, snap, result)
    return result


def tag(snap: Snapshot) -> list[pl.Expr]:
    """The columns that tie a row to its snapshot and file."""
    return [pl.lit(snap.snapshot_id).alias("snapshot_id"), pl.lit(snap.dataset).alias("dataset"),
            pl.lit(snap.filename).alias("source_file")]


def file_row(result: FrameResult, snap: Snapshot) -> dict:
    """The file's row of the family's files table, before the family lays it out its own way."""
    return {
        "snapshot_id": snap.snapshot_id, "dataset": snap.dataset, "format": snap.format,
        "source_file": snap.filename, "header_fingerprint": result.header_fingerprint,
        "rows_in": result.rows_in, "rows_accepted": result.rows_accepted, "rows_rejected": result.rows_rejected,
        "rows_not_available": result.rows_not_available,
        "facts": json.dumps(result.facts, default=str), "warnings": json.dumps(result.warnings),
    }


def read_snapshots(family: Family, snaps: list[Snapshot]) -> list[Snapshot]:
    """The snapshots a build reads of the family's (`usable` chooses among all of them)."""
    return family.usable(snaps) if family.usable else snaps


def ingest(family: Family, store: SnapshotStore, snaps: list[Snapshot],
           sink: Callable[[str, pl.DataFrame, Snapshot], None] | None = None,
           cache: ParseCache | None = None, held: frozenset[str] = frozenset()) -> dict[str, pl.DataFrame]:
    """Every raw table of the family (but those handed to `sink`) from its snapshots, by name.

    `held`: ids of snapshots whose rows the tables hold already; they are not read, and the tables
    returned have the rows of the other snapshots read (the lists a family makes itself whole)."""
    declared = {t.name: t for t in family.tables}
    parts: dict[str, list[pl.DataFrame]] = {name: [] for name in declared}
    files = []
    read = read_snapshots(family, snaps)
    for snap in read:
        if snap.snapshot_id in held:
            continue
        result = parse_snapshot(family, store, snap, cache)
        # The family's rows first: they may add to the file's facts and warnings (a date taken
        # from the snapshot, say), which its files row then records.
        for name, frame in family.rows(result, snap, tag(snap)).items():
            if name not in declared or name in (family.files, family.rejects) or declared[name].make:
                raise ValueError(f"family {family.name}: its rows go to no raw table {name!r} of its own")
            if declared[name].by_parts:
                sink(name, frame, snap)
            else:
                parts[name].append(frame)
        parts[family.rejects].append(result.rejects.with_columns(
            pl.lit(snap.dataset).alias("dataset"), pl.lit(snap.snapshot_id).alias("snapshot_id")))
        row = file_row(result, snap)
        files.append(family.file_row(row, result, snap) if family.file_row else row)
    out = {}
    for name, table in declared.items():
        if table.by_parts:
            continue
        if table.make:
            out[name] = table.make()
        elif name == family.files and files:
            # Typed by the table's metadata: a column every file leaves empty keeps its type.
            out[name] = pl.DataFrame(files, infer_schema_length=None,
                                     schema_overrides={c.name: c.dtype for c in table.model().columns})
        elif parts[name]:
            out[name] = pl.concat(parts[name], how="diagonal_relaxed")
        else:
            out[name] = table.model().empty()
    # The loop makes the rejects rows itself: they take the table's declared columns in order.
    out[family.rejects] = out[family.rejects].select(declared[family.rejects].model().column_names)
    if cache is not None:
        cache.keep_only(family, read)
    return out
