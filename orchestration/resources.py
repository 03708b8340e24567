from __future__ import annotations

import contextlib
import threading
from pathlib import Path

import dagster as dg

from sources.settings import Paths, paths

from .limits import MAX_REJECT_RATE
from sources.snapshots import SnapshotStore

# Lock files this thread holds: the CLI takes the lock before it starts a job in-process (in the
# same thread), and the resource of that job must not try again: a second flock would refuse itself.
_local = threading.local()


@contextlib.contextmanager
def build_lock_once(where: Paths):
    """The build lock (`var/build/build.lock`), taken once per process and held until the end."""
    from .warehouse.lock import build_lock

    held = _local.__dict__.setdefault("held", set())
    if where.lock_file in held:
        yield
        return
    with build_lock(where):
        held.add(where.lock_file)
        try:
            yield
        finally:
            held.discard(where.lock_file)


class PipelineResource(dg.ConfigurableResource):
    """Where the pipeline keeps its files, and whether this run fetches live data.

    Every run that uses it holds the build lock for its whole length, so a run the Dagster daemon
    launches (schedule, sensor, UI) and a `unodc-indicators run` never write the build at once.
    """

    home: str | None = None
    fetch: bool = False
    max_reject_rate: float = MAX_REJECT_RATE

    def paths(self) -> Paths:
        return Paths(Path(self.home).resolve()) if self.home else paths()

    def store(self) -> SnapshotStore:
        return SnapshotStore(self.paths().snapshots)

    @contextlib.contextmanager
    def yield_for_execution(self, context: dg.InitResourceContext):
        with build_lock_once(self.paths()):
            yield self
