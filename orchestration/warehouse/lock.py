"""One build at a time per home, and waiting for a dead build's process to let go of the database."""
from __future__ import annotations

import fcntl
from contextlib import contextmanager

import duckdb

from sources.settings import Paths

from .database import connect


def wait_for_build_db(paths: Paths, timeout: float = 900.0, log=print) -> None:
    """A build whose main process was killed alone leaves dbt running on with the build database
    open; the next build waits for it to finish instead of failing on DuckDB's file lock."""
    import time

    deadline = time.monotonic() + timeout
    said = False
    while True:
        try:
            with connect(paths.build_db):
                return
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            if not said:
                log(f"waiting for a dead build's process to release {paths.build_db}: {str(exc).splitlines()[-1]}")
                said = True
            time.sleep(2)


class BuildLocked(RuntimeError):
    """Another build of this home is running: a second one refuses at once."""


@contextmanager
def build_lock(paths: Paths):
    """One build at a time per home: a second build refuses at once instead of corrupting the first."""
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    fh = open(paths.lock_file, "a+")
    try:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        raise BuildLocked(f"another build holds {paths.lock_file}; not starting a second one") from None
    try:
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
