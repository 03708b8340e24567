from __future__ import annotations

import hashlib
import os
import shutil
import stat
from pathlib import Path

import pytest
import yaml

from sources.catalog import import_bundled
from sources.errors import SnapshotConflict
from sources.snapshots import SnapshotStore, bundled_sidecars, safe_name

from .conftest import BUNDLED, UNTC_XML

META = {"dataset": "untc_status", "family": "ratification", "format": "untc_xml", "item": "VI-15",
        "version": "2026-01-01", "filename": "VI-15.en.xml", "licence": "© United Nations", "url": "http://x"}


def test_bundled_snapshots_carry_provenance_and_match_their_checksums(tmp_path):
    store = SnapshotStore(tmp_path)
    snaps = import_bundled(store, "ratification")
    assert len(snaps) == len(bundled_sidecars(BUNDLED, "ratification")) == 20
    for snap in snaps:
        assert snap.licence and snap.producer and snap.url.startswith("https://treaties.un.org/")
        assert snap.as_of and snap.upstream["commit"]
        assert len(snap.sha256) == 64 and snap.size == os.path.getsize(snap.path)
        assert not os.stat(snap.path).st_mode & stat.S_IWUSR, "stored bytes are read-only"
    # Importing again is a no-op, not a second copy.
    assert [s.snapshot_id for s in import_bundled(store, "ratification")] == [s.snapshot_id for s in snaps]


def test_same_name_with_other_bytes_is_refused(tmp_path):
    store = SnapshotStore(tmp_path)
    first = store.put(b"<a/>", META)
    assert store.put(b"<a/>", META) == first
    with pytest.raises(SnapshotConflict, match="refusing other bytes"):
        store.put(b"<b/>", META)
    with pytest.raises(SnapshotConflict, match="other metadata"):
        store.put(b"<a/>", {**META, "licence": "CC0"})
    assert store.read_bytes(first) == b"<a/>"
    assert store.put(b"<b/>", {**META, "version": "2026-01-02"}).sha256 != first.sha256


def test_metadata_is_part_of_the_snapshot_identity(tmp_path):
    store = SnapshotStore(tmp_path)
    a = store.put(b"<a/>", META)
    b = store.put(b"<a/>", {**META, "version": "2026-02-01", "licence": "CC BY 3.0 IGO"})
    assert a.sha256 == b.sha256 and a.snapshot_id != b.snapshot_id


def test_an_edited_bundled_file_is_refused(tmp_path):
    copy = tmp_path / "bundle"
    shutil.copytree(UNTC_XML, copy)
    os.chmod(copy / "VI-15.en.xml", 0o644)
    (copy / "VI-15.en.xml").write_bytes((copy / "VI-15.en.xml").read_bytes().replace(b"Afghanistan", b"Afghanistan "))
    with pytest.raises(SnapshotConflict, match="does not match its sidecar"):
        SnapshotStore(tmp_path / "store").import_bundled(copy / "VI-15.en.xml.snapshot.yaml")


def test_tampered_stored_bytes_are_detected(tmp_path):
    store = SnapshotStore(tmp_path)
    snap = store.put(b"<a/>", META)
    os.chmod(snap.path, 0o644)
    with open(snap.path, "wb") as fh:
        fh.write(b"<evil/>")
    with pytest.raises(SnapshotConflict, match="no longer match"):
        store.read_bytes(snap)


@pytest.mark.parametrize("bad", ["../etc", "a/b", "", ".hidden", "x" * 200, "a..b"])
def test_names_cannot_escape_the_store(tmp_path, bad):
    with pytest.raises(ValueError, match="not a safe name"):
        safe_name(bad, "dataset")
    with pytest.raises(ValueError):
        SnapshotStore(tmp_path).put(b"x", {**META, "version": bad or "."})


def test_every_sidecar_names_its_licence_and_upstream():
    for sidecar in bundled_sidecars(BUNDLED):
        meta = yaml.safe_load(sidecar.read_text())
        for key in ("dataset", "producer", "accessed", "licence", "sha256", "size", "upstream"):
            assert meta.get(key), f"{sidecar.name} lacks {key}"
        assert meta.get("url") or meta["upstream"].get("document"), f"{sidecar.name} says nowhere where it is from"


def test_a_snapshot_write_killed_before_its_rename_is_cleared_by_the_next_publish(tmp_path):
    from orchestration.warehouse.publish import recover
    from sources.settings import Paths

    paths = Paths(tmp_path)
    store = SnapshotStore(paths.snapshots)
    kept = store.put(b"<a/>", META)
    partial = store._blob("ab" * 32).parent / ".tmp-killed"
    partial.parent.mkdir(parents=True, exist_ok=True)
    partial.write_bytes(b"<half")
    paths.warehouse_dir.mkdir(parents=True)
    done = recover(paths)
    assert not partial.exists() and any(".tmp-killed" in d for d in done)
    assert store.read_bytes(kept) == b"<a/>"


def _bundle_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "bundle"
    shutil.copytree(UNTC_XML, copy)
    os.chmod(copy / "VI-15.en.xml", 0o644)
    return copy


def test_an_unchanged_bundled_file_is_not_read_again(tmp_path, monkeypatch):
    copy = _bundle_copy(tmp_path)
    store = SnapshotStore(tmp_path / "store")
    sidecar = copy / "VI-15.en.xml.snapshot.yaml"
    first = store.import_bundled(sidecar)
    hashed = []
    real = hashlib.sha256
    monkeypatch.setattr("sources.snapshots.hashlib.sha256", lambda data=b"": hashed.append(len(data)) or real(data))
    again = store.import_bundled(sidecar)
    assert again == first
    # Only the sidecar's provenance was digested (a few hundred bytes), never the file's bytes.
    assert all(n < 10_000 for n in hashed) and (copy / "VI-15.en.xml").stat().st_size > 10_000


def test_a_bundled_file_edited_after_its_import_is_read_again_and_refused(tmp_path):
    copy = _bundle_copy(tmp_path)
    store = SnapshotStore(tmp_path / "store")
    path = copy / "VI-15.en.xml"
    store.import_bundled(copy / "VI-15.en.xml.snapshot.yaml")
    before = path.stat()
    data = path.read_bytes()
    # Same size, and the modification time set back: only the change time (which no user can set) tells.
    path.write_bytes(data.replace(b"Afghanistan", b"AfghanistaN", 1))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    with pytest.raises(SnapshotConflict, match="does not match its sidecar"):
        store.import_bundled(copy / "VI-15.en.xml.snapshot.yaml")


def test_a_sidecar_edited_after_its_import_is_read_again_and_refused(tmp_path):
    copy = _bundle_copy(tmp_path)
    store = SnapshotStore(tmp_path / "store")
    sidecar = copy / "VI-15.en.xml.snapshot.yaml"
    store.import_bundled(sidecar)
    os.chmod(sidecar, 0o644)
    meta = yaml.safe_load(sidecar.read_text())
    sidecar.write_text(yaml.safe_dump({**meta, "licence": "another licence"}))
    with pytest.raises(SnapshotConflict, match="other metadata"):
        store.import_bundled(sidecar)
