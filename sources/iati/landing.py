"""The landing folder: files that arrive by hand (filled submission templates, IATI files) become
snapshots, after they are checked.

A landing folder is written by people and scripts, so nothing in it is trusted: only regular files
are read (a symbolic link, a FIFO, a device or a folder is refused, judged by `lstat` and opened
with O_NOFOLLOW | O_NONBLOCK, so a FIFO never blocks and a link is never followed), each up to
MAX_FILE_BYTES and within a time limit. A file is parsed before it is stored: one that cannot be
used is moved to `var/landing/quarantine/` beside a `.reason.txt` that says why, so it never
becomes a snapshot and never blocks a later build; the build that met it fails, naming it.
"""
from __future__ import annotations

import hashlib
import os
import re
import stat
import time
from datetime import datetime, timezone
from pathlib import Path

from ..errors import LandingRefused, Refused, SourceError
from ..family import LandingFolder
from ..parsing import MAX_FILE_BYTES
from ..snapshots import Snapshot, SnapshotStore, safe_name

DATASET = "submission_templates"
READ_SECONDS = 60


TEMPLATES = LandingFolder("templates", ".xlsx")     # filled submission templates
IATI = LandingFolder("iati", ".xml")                # real IATI activity files
LANDING = (TEMPLATES, IATI)


def landing_dir(home: Path) -> Path:
    return TEMPLATES.path(home)


def iati_landing_dir(home: Path) -> Path:
    return IATI.path(home)


def quarantine_dir(home: Path) -> Path:
    return home / "var" / "landing" / "quarantine"


def import_landing(store: SnapshotStore, home: Path) -> list[Snapshot]:
    """Each filled template (.xlsx) and real IATI file (.xml) in the landing folders, checked and
    stored once (its checksum is its version). A real IATI file replaces the illustrative sample.
    Raises LandingRefused, after storing the good ones, when a file was quarantined."""
    refused: list[Refused] = []
    out = _import(store, home, landing_dir(home), TEMPLATES.suffix, DATASET, "submission_template",
                  "UNODC programme managers (submission template)", refused)
    out += _import(store, home, iati_landing_dir(home), IATI.suffix, "iati_activities", "iati_xml",
                   "IATI activity file dropped in by hand", refused)
    if refused:
        raise LandingRefused(refused)
    return out


def store_name(name: str) -> str:
    """'Kenya report (2).xlsx' -> 'Kenya_report_2_.xlsx': people name files freely; a snapshot name
    is a path part and keeps to letters, digits, '.', '_' and '-'."""
    stem, dot, suffix = name.rpartition(".")
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem if dot else name)
    stem = re.sub(r"\.{2,}", ".", stem).strip("._-")[:100] or "file"
    return f"{stem}.{re.sub(r'[^A-Za-z0-9]', '', suffix)}" if dot else stem


def entries(folder: Path, suffix: str) -> list[Path]:
    """The names in a landing folder that end with `suffix`, whatever they are (files, links, FIFOs)."""
    if not folder.is_dir():
        return []
    return sorted(folder / e.name for e in os.scandir(folder) if e.name.lower().endswith(suffix))


def read_landing_file(path: Path, limit: int = MAX_FILE_BYTES, seconds: float = READ_SECONDS) -> bytes:
    """The bytes of a regular file, never following a link nor blocking on a FIFO; SourceError else."""
    info = os.lstat(path)
    kind = _kind(info.st_mode)
    if kind != "regular file":
        raise SourceError(f"a {kind}, not a regular file: landing folders take regular files only", file=path.name)
    if info.st_size > limit:
        raise SourceError(f"file is {info.st_size} bytes, over the {limit}-byte limit", file=path.name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise SourceError(f"cannot be opened as a regular file: {exc.strerror}", file=path.name) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):      # replaced between lstat and open
            raise SourceError("not a regular file when opened", file=path.name)
        deadline, chunks, size = time.monotonic() + seconds, [], 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:
                raise SourceError(f"file grew over the {limit}-byte limit while read", file=path.name)
            if time.monotonic() > deadline:
                raise SourceError(f"reading took over {seconds:.0f} s", file=path.name)
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISREG, "regular file"), (stat.S_ISLNK, "symbolic link"), (stat.S_ISDIR, "folder"),
                       (stat.S_ISFIFO, "FIFO (named pipe)"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def _check(data: bytes, name: str, fmt: str) -> None:
    """Parse the file as the build will: a file that cannot be used raises SourceError here."""
    if fmt == "iati_xml":
        from .activities import parse_iati

        parsed = parse_iati(data, filename=name)
        if parsed.rejects.height and not parsed.accepted.height:
            raise SourceError(f"every activity rejected ({parsed.rejects.height}): {parsed.rejects['reason'][0]}",
                              file=name)
    else:
        from ..strategy.registry import load_registry
        from .template import parse_template

        result = parse_template(data, filename=name, registry=load_registry())
        if result.rows_in and not result.rows_accepted:
            # It would contribute nothing and fail the reject-rate check of every later build.
            raise SourceError(f"every row rejected ({result.rows_in}): {result.rejects['reason'][0]}", file=name)


def quarantine(home: Path, path: Path, reason: str) -> str | None:
    """Move a refused entry (the link itself, not what it names) out of the landing folder, with its reason."""
    folder = quarantine_dir(home)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = folder / f"{stamp}-{store_name(path.name)}"
    n = 1
    while os.path.lexists(target):
        n += 1
        target = folder / f"{stamp}-{n}-{store_name(path.name)}"
    try:
        os.rename(path, target)
    except OSError:
        return None
    (folder / f"{target.name}.reason.txt").write_text(f"{path.name}: {reason}\n", encoding="utf-8")
    return str(target)


def _import(store: SnapshotStore, home: Path, folder: Path, suffix: str, dataset: str, fmt: str, producer: str,
            refused: list[Refused]) -> list[Snapshot]:
    known = {(s.version, s.filename): s for s in store.list(dataset)}
    out = []
    for path in entries(folder, suffix):
        try:
            data = read_landing_file(path)
            sha = hashlib.sha256(data).hexdigest()
            name = safe_name(store_name(path.name), "file name")
            if (sha[:16], name) in known:
                out.append(known[(sha[:16], name)])
                continue
            _check(data, name, fmt)
        except SourceError as exc:
            reason = str(exc).replace(f"file {exc.file}", f"file {path.name}", 1)
            refused.append(Refused(path.name, reason, quarantine(home, path, reason)))
            continue
        now = datetime.now(timezone.utc)
        out.append(store.put(data, {
            "dataset": dataset, "family": "project_outputs", "format": fmt,
            "item": Path(name).stem, "version": sha[:16], "filename": name,
            "producer": producer, "title": f"{path.name} (landing folder)",
            "url": None, "accessed": now.isoformat(timespec="seconds"), "as_of": now.date().isoformat(),
            "licence": "Internal reporting to the warehouse", "published": None,
            "upstream": {"landing_file": path.name}, "notes": "dropped into the landing folder",
        }))
    return out
