"""Open the published warehouse the way that never meets a build's swap.

    from orchestration.reader import connect
    con = connect()                       # the current release, read-only
    con.sql("select * from fct_indicator_values limit 5").show()

Why not simply `duckdb.connect("warehouse/indicators.duckdb", read_only=True)`: that path is
replaced (a rename) at every publish, and DuckDB reads a file by its path more than once while it
opens it, so an open that falls on the instant of the rename can fail with an IO error (measured:
about 1 open in 1,000 with a swap every 50 ms; RELIABILITY.md, "Readers and the swap"). Each
release is also kept as a file that never changes and is never renamed,
`warehouse/releases/<id>/indicators.duckdb`, and `warehouse/CURRENT` (replaced atomically, after
the release is kept) names the current one. `connect` reads that pointer once, opens that file
read-only, and if the open still fails with an IO error (the release was pruned between the two
steps) reads the pointer again and retries. It imports neither Dagster nor dbt.
"""
from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path

import duckdb

POINTER = "CURRENT"
_RELEASE_ID = re.compile(r"\d{8}T\d{6,12}Z")
log = logging.getLogger("unodc_indicators.reader")


def warehouse_dir(home: str | os.PathLike | None = None) -> Path:
    if home is not None:
        return Path(home) / "warehouse"
    from sources.settings import paths

    return paths().warehouse_dir


def current_file(warehouse: Path) -> Path:
    """The immutable file of the current release; a warehouse published before the pointer
    existed (no `CURRENT` yet) is read through its published path, as before."""
    try:
        release_id = (warehouse / POINTER).read_text().strip()
    except FileNotFoundError:
        return warehouse / "indicators.duckdb"
    if not _RELEASE_ID.fullmatch(release_id):
        raise ValueError(f"{warehouse / POINTER} does not name a release: {release_id[:40]!r}")
    return warehouse / "releases" / release_id / "indicators.duckdb"


def connect(home: str | os.PathLike | None = None, *, release: str | None = None, attempts: int = 10,
            wait: float = 0.05, config: dict | None = None) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the current release (or to `release`, an identifier or a tag).

    `home` is the project home (default: `UNODC_HOME`, else the checkout). The connection keeps
    reading the release it opened, whatever is published after, until it is closed.
    """
    warehouse = warehouse_dir(home)
    last: Exception | None = None
    for attempt in range(attempts):
        path = _named_release(warehouse, release) if release else current_file(warehouse)
        try:
            return duckdb.connect(str(path), read_only=True, config=config or {})
        except duckdb.IOException as exc:
            last = exc
            log.info("open of %s failed (%s); attempt %d of %d", path, str(exc).splitlines()[0] if str(exc) else "",
                     attempt + 1, attempts)
            time.sleep(wait * (attempt + 1))
    assert last is not None
    raise last


def _named_release(warehouse: Path, name: str) -> Path:
    import json

    tags_file = warehouse / "releases" / "tags.json"
    tags = json.loads(tags_file.read_text()) if tags_file.exists() else {}
    release_id = tags.get(name, name)
    if not _RELEASE_ID.fullmatch(release_id):
        raise ValueError(f"{name!r} is neither a release identifier nor a tag")
    return warehouse / "releases" / release_id / "indicators.duckdb"


def write_pointer(warehouse: Path, release_id: str) -> None:
    """Name `release_id` as current, atomically: a reader reads the old name or the new one."""
    if not _RELEASE_ID.fullmatch(release_id):
        raise ValueError(f"{release_id!r} is not a release identifier")
    tmp = warehouse / f".{POINTER}-{os.getpid()}.tmp"
    with open(tmp, "w") as fh:
        fh.write(release_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, warehouse / POINTER)
    fd = os.open(warehouse, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
