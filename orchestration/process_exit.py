"""Ending a process that has done its work without the interpreter's teardown."""
from __future__ import annotations

import os
import sys


def status_of(stop: SystemExit) -> int:
    """The exit status Python gives a SystemExit: none is 0, a number is itself, anything else (a
    message) is printed to stderr and is 1."""
    if stop.code is None or isinstance(stop.code, int):
        return stop.code or 0
    print(stop.code, file=sys.stderr)
    return 1


def leave(code: int | None, before_exit=None) -> None:
    """Exit with `code` at once. After a build, a process holds Dagster's definitions, dbt's
    manifest and every library; freeing them object by object took 1.6 s of each `run` and 0.6 s of
    each dbt build, after the last line was printed (BENCHMARKS.md). Nothing is left to do by then
    but what the exit handlers do (temporary folders, Dagster's instance), so they run first, then
    the logs and the standard streams are flushed. Files are written and closed by the code that
    writes them, never left to the teardown. `before_exit`, if given, is called last (dbt started
    ahead tells its status then: orchestration/dbt_ahead.py)."""
    import atexit
    import logging

    try:
        atexit._run_exitfuncs()     # what a normal exit runs before it frees the modules
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        if before_exit is not None:
            before_exit()
    finally:
        os._exit(0 if code is None else int(code))
