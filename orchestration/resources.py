from __future__ import annotations

from pathlib import Path

import dagster as dg

from sources.settings import Paths, paths
from sources.snapshots import SnapshotStore


class PipelineResource(dg.ConfigurableResource):
    """Where the pipeline keeps its files, and whether this run fetches live data."""

    home: str | None = None
    fetch: bool = False
    max_reject_rate: float = 0.05

    def paths(self) -> Paths:
        return Paths(Path(self.home).resolve()) if self.home else paths()

    def store(self) -> SnapshotStore:
        return SnapshotStore(self.paths().snapshots)
