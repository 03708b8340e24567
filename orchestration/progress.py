"""A quiet terminal for `unodc-indicators run`: one line per step (what, rows, seconds), a counter
while dbt builds, and the whole Dagster and dbt log in a file under var/log/.

The CLI points the process's stdout and stderr at the log file for the length of the run (dbt's
own output included) and gives this module the terminal. `-v` or UNODC_VERBOSE=1 keeps the full
log on the terminal instead.
"""
from __future__ import annotations

import logging
import os
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import TextIO

import dagster as dg

from sources.settings import settings

# Where step lines go while a quiet run is on; None: nowhere (dagster dev, verbose runs, tests).
TERMINAL: TextIO | None = None
# The engine's word on steps skipped after a failure (the summary after the run says what failed):
# true, and no help to the person running a build.
QUIET_MESSAGES = ("Dependencies for step",)


def _rows(event) -> int | None:
    data = getattr(event, "event_specific_data", None)
    materialization = getattr(data, "materialization", None)
    metadata = getattr(materialization, "metadata", None) or {}
    rows = metadata.get("dagster/row_count")
    return getattr(rows, "value", rows)


class StepLines(logging.Handler):
    """Turns Dagster events into the lines a person reads: a step's end with its rows and time, the
    dbt counter, and every warning and error message."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.started: dict[str, float] = {}
        self.rows: dict[str, int] = {}
        self.dbt_done = 0
        self.dbt_shown = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        out = TERMINAL
        meta = getattr(record, "dagster_meta", None)
        if out is None or meta is None:
            return
        event, step = meta.get("dagster_event"), meta.get("step_key") or ""
        kind = getattr(getattr(event, "event_type", None), "value", None)
        if kind == "STEP_START":
            self.started[step] = time.monotonic()
        elif kind == "ASSET_MATERIALIZATION":
            rows = _rows(event)
            if step == "dbt_models":
                self.dbt_done += 1
                self._dbt_counter(out)
            elif rows is not None:
                self.rows[step] = self.rows.get(step, 0) + int(rows)
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE"):
            seconds = time.monotonic() - self.started.pop(step, time.monotonic())
            rows = f"{self.rows[step]:>10,} rows" if step in self.rows else " " * 15
            if step == "dbt_models":
                rows = f"{self.dbt_done:>10} models"
                self._clear(out)
            mark = "ok    " if kind == "STEP_SUCCESS" else "FAILED"
            out.write(f"  {mark} {step:<36}{rows} {seconds:>7.1f} s\n")
            out.flush()
        elif record.levelno >= logging.WARNING and event is None:
            # A message an asset logged itself (a failed fetch, say); the engine's own events about
            # skipped steps and the failed run are said once, in the summary after the run.
            text = (meta.get("orig_message") or record.getMessage()).strip().splitlines()
            if text and not text[0].startswith(QUIET_MESSAGES):
                self._clear(out)
                level = "error" if record.levelno >= logging.ERROR else "warning"
                out.write(f"  {level}: {step + ': ' if step else ''}{text[0][:200]}\n")
                out.flush()

    def _dbt_counter(self, out: TextIO) -> None:
        # On a terminal the counter rewrites one line; in a file it would be noise, so it is left out.
        if _is_terminal(out) and time.monotonic() - self.dbt_shown > 0.2:
            out.write(f"\r  ...    dbt_models: {self.dbt_done} models and seeds built")
            out.flush()
            self.dbt_shown = time.monotonic()

    def _clear(self, out: TextIO) -> None:
        if _is_terminal(out) and self.dbt_shown:
            out.write("\r" + " " * 72 + "\r")
            self.dbt_shown = 0.0


def _is_terminal(out: TextIO) -> bool:
    # A build run as a child of `unodc-indicators run` writes through a pipe that ends on a terminal.
    return out.isatty() or bool(settings().terminal)


@dg.logger(description="One line per step (rows, seconds) and every warning, on the terminal of a quiet run.")
def step_lines(_init_context) -> logging.Logger:
    logger = logging.Logger("unodc_step_lines", level=logging.DEBUG)
    logger.addHandler(StepLines())
    return logger


def verbose_wanted(flag: bool) -> bool:
    return flag or bool(settings().verbose)


@contextmanager
def quiet_terminal(log_dir: Path):
    """Everything written to stdout and stderr (Dagster's log, dbt's output) goes to a new file under
    `log_dir`; step lines go to the terminal. Yields the log file's path and the terminal."""
    global TERMINAL
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / f"build-{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%SZ')}.log"
    sys.stdout.flush()
    sys.stderr.flush()
    saved_out, saved_err = os.dup(1), os.dup(2)
    terminal = os.fdopen(os.dup(2), "w", buffering=1)
    with open(path, "ab", buffering=0) as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        TERMINAL = terminal
        try:
            yield path, terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            TERMINAL = None
            os.dup2(saved_out, 1)
            os.dup2(saved_err, 2)
            os.close(saved_out)
            os.close(saved_err)
            terminal.close()
