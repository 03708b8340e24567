"""Rebuild only when the data changed: the snapshots a build would read now against the snapshots
the published release was built from (its manifest lists every one with its sha256).

The same decision serves `unodc-indicators run --fetch --if-changed` and the Dagster sensor that
follows the nightly `refresh` run, so both skip, or rebuild, for the same reason.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sources.family import families
from sources.settings import Paths
from sources.snapshots import SnapshotStore

from .warehouse.publish import published_release


def built_families() -> set[str]:
    """The families whose snapshots the build reads; dim_snapshot (and so the manifest) lists them all."""
    return {f.name for f in families() if f.built}


@dataclass
class Decision:
    rebuild: bool
    reason: str
    release_id: str | None = None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    key: str = ""                     # digest of the snapshots seen now

    def __str__(self) -> str:
        lines = [("rebuild: " if self.rebuild else "no rebuild: ") + self.reason]
        lines += [f"  new or changed: {name}" for name in self.added[:50]]
        lines += [f"  no longer read: {name}" for name in self.removed[:50]]
        return "\n".join(lines)


def current_snapshots(where: Paths) -> dict[str, str]:
    """Every snapshot in the store that a build would read, by name, with its sha256."""
    built = built_families()
    return {s.name: s.sha256 for s in SnapshotStore(where.snapshots).list() if s.family in built}


def published_snapshots(where: Paths) -> tuple[str, dict[str, str]] | None:
    """The release id and snapshots of the published warehouse, or None when there is none."""
    found = published_release(where)
    if found is None:
        return None
    release_id, manifest = found
    return release_id, {s["name"]: s["sha256"] for s in manifest.get("snapshots", [])}


def decide(where: Paths) -> Decision:
    now = current_snapshots(where)
    key = hashlib.sha256(json.dumps(sorted(now.items())).encode()).hexdigest()
    published = published_snapshots(where)
    if published is None:
        return Decision(True, f"no release is published at {where.published_db} yet", key=key)
    release_id, before = published
    added = sorted(n for n, sha in now.items() if before.get(n) != sha)
    removed = sorted(n for n in before if n not in now)
    if not added and not removed:
        return Decision(False, f"the {len(now)} snapshots are those release {release_id} was built from "
                               "(same names, same sha256): nothing to rebuild or publish",
                        release_id, key=key)
    return Decision(True, f"{len(added)} snapshot(s) new or changed and {len(removed)} gone since release "
                          f"{release_id}", release_id, added, removed, key=key)


def landing_files(home) -> list[tuple[str, str]]:
    """(name, sha256) of every file in the landing folders the families declare."""
    from sources.errors import SourceError
    from sources.family import landing_folders
    from sources.iati.landing import entries, read_landing_file

    found = [p for folder in landing_folders() for p in entries(folder.path(home), folder.suffix)]
    out = []
    for p in found:
        try:
            data = read_landing_file(p)
        except (SourceError, OSError):
            data = p.name.encode()   # refused by the import too, which quarantines it: still a reason to run
        out.append((f"{p.parent.name}/{p.name}", hashlib.sha256(data).hexdigest()))
    return out


def pending_landing_files(home) -> list[tuple[str, str]]:
    """Landing files not yet stored as a snapshot (the landing import names a file's version after its checksum)."""
    stored = {s.sha256 for s in SnapshotStore(Paths(home).snapshots).list() if s.upstream and "landing_file" in s.upstream}
    return [(name, sha) for name, sha in landing_files(home) if sha not in stored]


def decide_without_refresh(where: Paths, fetch: bool) -> Decision | None:
    """The decision of a night that cannot bring anything new, taken without Dagster: nothing is
    fetched, no file waits in a landing folder and every bundled file is stored already, so the
    refresh run would store nothing and its decision is known now. None when the refresh run has
    work to do (or may fail and must say so): fetching, a landing file, a bundled file not stored,
    a bundled file that no longer matches its sidecar. A rebuild is also left to the refresh run,
    which then runs as before."""
    from sources.catalog import bundled_dir
    from sources.errors import SnapshotConflict, SourceError
    from sources.snapshots import bundled_sidecars

    if fetch or pending_landing_files(where.home):
        return None
    store = SnapshotStore(where.snapshots)
    stored = {s.name: s.sha256 for s in store.list()}
    for f in families():
        for sidecar in bundled_sidecars(bundled_dir(), f.name):
            try:
                # What the refresh run's import would store: already there means a no-op.
                snapshot = store.import_bundled(sidecar)
            except (SnapshotConflict, SourceError, OSError, ValueError):
                return None
            if stored.get(snapshot.name) != snapshot.sha256:
                return None
    decision = decide(where)
    return None if decision.rebuild else decision


def freshness_warnings(where: Paths) -> list[str]:
    """The refresh run's freshness warnings, from the snapshot store and the fetch log (no Dagster)."""
    from datetime import datetime, timezone

    from sources import fetch_log
    from sources.freshness import judged, warning
    from sources.snapshots import snapshot_frame

    today = datetime.now(timezone.utc).date()
    log = fetch_log.load(where.home)
    snaps = SnapshotStore(where.snapshots).list()
    out = []
    for f in families():
        if not f.snapshots:
            continue
        frame = fetch_log.mark_stale(snapshot_frame([s for s in snaps if s.family == f.name]), log)
        passed, details = judged(frame, today, f.freshness())
        if not passed:
            out.append(warning(f"{f.name}_fresh", details))
    return out


def refresh(defs, instance, where: Paths, fetch: bool, verbose: bool = True):
    """Run the `refresh` job in this process (the caller holds the build lock); its result.
    Not verbose: Dagster's log of it says only warnings and errors (the run history keeps it all)."""
    config = {"resources": {"pipeline": {"config": {"home": str(where.home), "fetch": fetch}}}}
    if not verbose:
        config["loggers"] = {"console": {"config": {"log_level": "WARNING"}}}
    result = defs.resolve_job_def("refresh").execute_in_process(instance=instance, run_config=config,
                                                                raise_on_error=False)
    for warning in _warnings(result):
        print(f"warning: {warning}")
    return result


def _warnings(result) -> list[str]:
    """Checks that warned during the refresh: overdue and stale sources."""
    import dagster as dg

    from sources.freshness import warning

    out = []
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            ev = event.event_specific_data
            if not ev.passed:
                meta = {k: getattr(v, "value", v) for k, v in (ev.metadata or {}).items()}
                out.append(warning(ev.check_name, meta))
    return out
