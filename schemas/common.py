"""What every family shares: the snapshot list, the files table's counts and the rejects table, and
the columns that tie a row to its file."""
from __future__ import annotations

from dataclasses import replace

import polars as pl

from .tables import Column, Table, row_rule

ISO3_PATTERN = r"^[A-Z]{3}$"
SHA256_PATTERN = r"^[0-9a-f]{64}$"
M49_PATTERN = r"^\d{3}$"

SNAPSHOT_ID = Column("snapshot_id", pl.Utf8,
                     "The source file's snapshot (sha256 of its bytes and sidecar): the family's snapshots table "
                     "says which file, from where and when.", pattern=SHA256_PATTERN)
DATASET = Column("dataset", pl.Utf8, "The source dataset the file belongs to (its family's sources/<package>/datasets.yaml).")
FORMAT = Column("format", pl.Utf8, "The file's format, which chose its parser.")
SOURCE_FILE = Column("source_file", pl.Utf8, "The name of the source file the row was read from.")
IS_ILLUSTRATIVE = Column("is_illustrative", pl.Boolean,
                         "True where the row rests on the generated, illustrative IATI sample, not on real data.")
FACTS = Column("facts", pl.Utf8, "JSON: what the parser found in the file besides its rows (title, unit, footnotes, ...).")
WARNINGS = Column("warnings", pl.Utf8,
                  "JSON list: what the parser noticed and kept (repeated keys, unknown units, totals that differ).")
HEADER_FINGERPRINT = Column("header_fingerprint", pl.Utf8, "Hash of the header row: a changed layout shows here.",
                            pattern=r"^[0-9a-f]{16}$")


def source_row(ge: int = 1) -> Column:
    """The row a value was read from; `ge`: the first row data can be on (under a header)."""
    return Column("source_row", pl.Int64,
                  "The row of the source file (as a spreadsheet numbers it, header included) the value was read from.",
                  ge=ge)


Snapshots = Table("snapshots", "The provenance of every snapshot a build read (raw.<family>_snapshots).", [
    Column("snapshot_id", pl.Utf8, "The snapshot's id: sha256 of the file's and its sidecar's sha256 together.",
           unique=True, pattern=SHA256_PATTERN),
    Column("name", pl.Utf8, "The snapshot's name in the store: dataset/version/filename."),
    Column("dataset", pl.Utf8, "The source dataset (its family's sources/<package>/datasets.yaml).", pattern=r"^[a-z0-9_]+$"),
    Column("family", pl.Utf8, "The source family the snapshot belongs to."),
    Column("format", pl.Utf8, "The file's format, which chooses its parser."),
    Column("item", pl.Utf8, "The item of the dataset the file is (a treaty, a workbook)."),
    Column("version", pl.Utf8, "The version of the file (its release, edition or fetch date)."),
    Column("filename", pl.Utf8, "The file's name."),
    Column("sha256", pl.Utf8, "sha256 of the file's bytes.", pattern=SHA256_PATTERN),
    Column("meta_sha256", pl.Utf8, "sha256 of the provenance sidecar: an edit to it makes a new snapshot."),
    Column("size", pl.Int64, "The file's size in bytes.", gt=0),
    Column("producer", pl.Utf8, "Who publishes the file.", nullable=True),
    Column("title", pl.Utf8, "The file's title.", nullable=True),
    Column("url", pl.Utf8, "Where the file was (or is) fetched from.", nullable=True),
    Column("accessed", pl.Utf8, "When the file was fetched or copied.", nullable=True),
    Column("published", pl.Utf8, "When its producer published it, where known.", nullable=True),
    Column("as_of", pl.Utf8, "The date the file's contents are as of (YYYY-MM-DD).", pattern=r"^\d{4}-\d{2}-\d{2}$"),
    Column("licence", pl.Utf8, "The terms the file is used under.", min_length=3),
    Column("upstream", pl.Utf8, "JSON: where a bundled copy came from (repository and commit, or document).", nullable=True),
    Column("notes", pl.Utf8, "What to know about the file.", nullable=True),
    Column("stored_at", pl.Utf8, "When the snapshot went into the store."),
    Column("is_stale", pl.Boolean, "True where the newest fetch failed and this last good snapshot was used."),
    Column("last_fetch_error", pl.Utf8, "Why the newest fetch failed, on a stale snapshot.", nullable=True),
    Column("last_fetch_at", pl.Utf8, "When the item was last fetched, where it ever was.", nullable=True),
])

REJECT_COLUMNS = [
    Column("file", pl.Utf8, "The file the rejected row is in.", min_length=1),
    Column("sheet", pl.Utf8, "The sheet of a workbook the row is in.", nullable=True),
    Column("row", pl.Int64, "The row of the file (as a spreadsheet numbers it).", nullable=True, ge=1),
    Column("column", pl.Utf8, "The column of the bad value.", nullable=True),
    Column("value", pl.Utf8, "The bad value as the file holds it.", nullable=True),
    Column("reason", pl.Utf8, "Why the row was rejected.", min_length=3),
    Column("dataset", pl.Utf8, "The source dataset the file belongs to (its family's sources/<package>/datasets.yaml)."),
    Column("snapshot_id", pl.Utf8, "The snapshot of the file the row is in.", pattern=SHA256_PATTERN),
]
LOCATED = row_rule("located", "a rejected row names its row or its column",
                   pl.col("row").is_not_null() | pl.col("column").is_not_null())

Rejects = Table("rejects", "Every rejected row keeps its file, its place and its reason.", REJECT_COLUMNS, [LOCATED])

# A files table's counts: every row read is accepted, rejected, or holds no figure at all.
COUNT_COLUMNS = [
    Column("rows_in", pl.Int64, "Data rows read.", ge=0),
    Column("rows_accepted", pl.Int64, "Rows loaded.", ge=0),
    Column("rows_rejected", pl.Int64, "Rows rejected (their reasons are in the family's rejects table).", ge=0),
    Column("rows_not_available", pl.Int64, "Rows of only `..`: neither a figure nor an error.", ge=0),
]
RECONCILES = row_rule("reconciles", "rows in = accepted + rejected + not available",
                      pl.col("rows_in") == pl.col("rows_accepted") + pl.col("rows_rejected") + pl.col("rows_not_available"))


def files_table(name: str, description: str, columns: list[Column]) -> Table:
    """A family's table of the files it read: its own columns, which must include the counts and
    the snapshot; rows in reconcile with what became of them."""
    columns = [replace(c, unique=True) if c.name == "snapshot_id" else c for c in columns]
    missing = {c.name for c in COUNT_COLUMNS} - {c.name for c in columns}
    if missing or "snapshot_id" not in {c.name for c in columns}:
        raise ValueError(f"files table {name} lacks {sorted(missing) or ['snapshot_id']}")
    return Table(name, description, columns, [RECONCILES])


# The shape every files table shares; each family's table adds its own columns (files_table).
SourceFiles = files_table("source_files", "One line per source file read.",
                          [SNAPSHOT_ID, DATASET, FORMAT, SOURCE_FILE, HEADER_FINGERPRINT, *COUNT_COLUMNS, FACTS])


# --------------------------------------------------------------------------- rule checks
# Plain functions of a raw table and the check's context (orchestration/checks.py RuleContext):
# each returns (passed, details); the Dagster wrapper shows lists and dicts as JSON.

def file_reject_rate(rejects: pl.DataFrame, ctx) -> tuple[bool, dict]:
    """No file of the family rejects more than the configured share of its rows (a layout change).

    Files under `ctx.rate_min_rows` rows (a filled template, an annex table) are not rated: a few
    bad rows there are rejected and reported while the rest loads, and a changed layout stops such
    a file with its own error. A file of any size whose every row was rejected fails the check.
    """
    every = ctx.table(ctx.family.files)
    # A file whose every row was rejected contributed nothing, whatever its size: unusable.
    empty = every.filter((pl.col("rows_in") > 0) & (pl.col("rows_accepted") == 0))
    files = every.filter(pl.col("rows_in") >= ctx.rate_min_rows).with_columns(
        (pl.col("rows_rejected") / pl.col("rows_in").clip(1)).alias("rate")).sort(["rate", "source_file"],
                                                                               descending=[True, False])
    worst = float(files["rate"][0]) if files.height else 0.0
    reasons = (rejects.with_columns(pl.col("reason").str.replace(r":.*$", "")).group_by("reason").len()
               .sort(["len", "reason"], descending=[True, False]).to_dicts() if rejects.height else [])
    meta = {"every_row_rejected": ", ".join(f"{f} ({n} of {n} rows rejected)" for f, n in
                                            empty.select("source_file", "rows_in").iter_rows())} if empty.height else {}
    return worst <= ctx.max_reject_rate and empty.is_empty(), {
        **meta, "rows_in": int(files["rows_in"].sum()), "rows_rejected": int(files["rows_rejected"].sum()),
        "worst_file": files.head(1).select("source_file", "rate").to_dicts(),
        "max_reject_rate": ctx.max_reject_rate, "files_rated_from_rows": ctx.rate_min_rows,
        "by_reason": reasons}
