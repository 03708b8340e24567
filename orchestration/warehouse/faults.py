"""Crash points for the reliability tests (RELIABILITY.md lists them)."""
from __future__ import annotations

import os
import signal

from sources.settings import settings


def fault(point: str) -> None:
    """Crash tests: `UNODC_FAULT=<point>` makes the build kill itself with SIGKILL at that point,
    so a crash at an exact moment of publishing can be reproduced (RELIABILITY.md lists the points)."""
    if settings().fault == point:
        kill_build()


def kill_build() -> None:
    """SIGKILL the whole build: under `unodc-indicators run` the build is a child of the command's
    own process (cli.run_in_child), and a fault point stands for the whole build killed."""
    if os.environ.get("UNODC_RUN_CHILD") == "1":
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os.kill(os.getpid(), signal.SIGKILL)
