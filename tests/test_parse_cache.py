"""A snapshot's parse is kept between builds (sources/parse_cache.py): read back exactly, reused by
the next load, parsed again when its family's parser changes, when the entry is damaged or half
written, and never kept for a file its parser refuses."""
from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from sources.catalog import import_bundled
from sources.errors import SourceError
from sources.family import SOURCES, family, with_raw_tables
from sources.ingest import ingest, parse_snapshot
from sources.parse_cache import ParseCache, family_version, parser_files, parser_modules, version_of
from sources.parsing import REJECT_SCHEMA, FrameResult
from sources.snapshots import SnapshotStore

FAMILIES = [f.name for f in with_raw_tables()]


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> SnapshotStore:
    """Every bundled snapshot of every family with raw tables."""
    store = SnapshotStore(tmp_path_factory.mktemp("parse-cache") / "snapshots")
    for name in FAMILIES:
        import_bundled(store, name)
    return store


def snaps_of(store: SnapshotStore, name: str):
    return [s for s in store.list() if s.family == name]


def assert_same_result(fresh: FrameResult, back: FrameResult) -> None:
    assert_frame_equal(fresh.accepted, back.accepted, check_exact=True)
    assert_frame_equal(fresh.rejects, back.rejects, check_exact=True)
    assert fresh.tables.keys() == back.tables.keys()
    for name in fresh.tables:
        assert_frame_equal(fresh.tables[name], back.tables[name], check_exact=True)
    for field in ("file", "rows_in", "header", "facts", "warnings", "rows_not_available", "counted"):
        # repr: a date stays a date, a tuple a tuple, an int key an int.
        assert repr(getattr(fresh, field)) == repr(getattr(back, field)), field


def load(name: str, store: SnapshotStore, cache: ParseCache | None) -> tuple[dict, list[pl.DataFrame]]:
    """A family's load as the build runs it: its tables, and the frames it hands over file by file."""
    handed = []
    tables = ingest(family(name), store, snaps_of(store, name), lambda _, frame, __: handed.append(frame), cache)
    return tables, handed


@pytest.mark.parametrize("name", FAMILIES)
def test_a_kept_parse_reads_back_exactly_for_every_format(name, store, tmp_path):
    declared = family(name)
    cache = ParseCache(tmp_path / "cache")
    one_per_format = {s.format: s for s in snaps_of(store, name)}
    assert one_per_format, name
    for snap in one_per_format.values():
        fresh = parse_snapshot(declared, store, snap)
        parse_snapshot(declared, store, snap, cache)
        back = cache.get(declared, snap)
        assert back is not None and back is not fresh
        assert_same_result(fresh, back)
    assert cache.counts[name].parsed == len(one_per_format)
    assert cache.counts[name].reused == len(one_per_format)


@pytest.mark.parametrize("name", FAMILIES)
def test_the_next_load_reuses_every_parse_and_writes_the_same_tables(name, store, tmp_path):
    plain, plain_handed = load(name, store, None)
    first = ParseCache(tmp_path / "cache")
    cold, cold_handed = load(name, store, first)
    n = len(family(name).usable(snaps_of(store, name)) if family(name).usable else snaps_of(store, name))
    assert (first.counts[name].parsed, first.counts[name].reused) == (n, 0)
    # A new build opens the cache afresh: every parse is read back, none is parsed.
    second = ParseCache(tmp_path / "cache")
    warm, warm_handed = load(name, store, second)
    assert (second.counts[name].parsed, second.counts[name].reused, second.counts[name].damaged) == (0, n, 0)
    for tables, handed in ((cold, cold_handed), (warm, warm_handed)):
        assert tables.keys() == plain.keys()
        for table in plain:
            assert_frame_equal(plain[table], tables[table], check_exact=True)
        assert len(handed) == len(plain_handed)
        for a, b in zip(plain_handed, handed):
            assert_frame_equal(a, b, check_exact=True)


def copy_of_sources(tmp_path: Path) -> Path:
    root = tmp_path / "sources"
    shutil.copytree(SOURCES, root, ignore=shutil.ignore_patterns("bundled", "__pycache__"))
    return root


def versions(root: Path) -> dict[str, str]:
    out = {}
    for f in with_raw_tables():
        files, libraries = parser_files(parser_modules(f), root / f.folder.name, root)
        out[f.name] = version_of(files, libraries, root)
    return out


def test_a_parser_version_changes_with_its_own_files_only(tmp_path):
    root = copy_of_sources(tmp_path)
    before = versions(root)
    # The version is of the files' content, not of where they are.
    assert before == {f.name: family_version(f) for f in with_raw_tables()}
    assert len(set(before.values())) == len(before)

    def changed_by(path: str) -> set[str]:
        nonlocal before
        with open(root / path, "a") as fh:
            fh.write("\n# an edit\n")
        after = versions(root)
        out = {name for name in after if after[name] != before[name]}
        before = after
        return out

    assert changed_by("crops/compiled.py") == {"crop_surveys"}
    assert changed_by("ratification/untc_xml.py") == {"ratification"}
    assert changed_by("crime/cts.py") == {"crime_statistics"}
    # The family's own data: its units, its datasets (the parse options such as single_indicator).
    assert changed_by("crime/seizure_units.csv") == {"crime_statistics"}
    assert changed_by("crime/datasets.yaml") == {"crime_statistics"}
    # The template parser reads the registry of another package.
    assert changed_by("strategy/registry.yaml") == {"project_outputs"}
    # Shared modules: every family that imports them.
    assert changed_by("parsing.py") == set(FAMILIES)
    assert changed_by("geography/codes.csv") == set(FAMILIES)
    assert changed_by("excel.py") == {"crime_statistics", "crop_surveys", "drug_use_and_markets", "project_outputs"}


def test_a_family_s_data_in_a_subfolder_of_its_folder_is_part_of_its_version_only(tmp_path):
    root = copy_of_sources(tmp_path)
    before = versions(root)
    (root / "crops" / "reference").mkdir()
    (root / "crops" / "reference" / "codes.csv").write_text("code,name\ncoca,Coca bush\n")
    after = versions(root)
    assert {name for name in after if after[name] != before[name]} == {"crop_surveys"}
    # Compiled bytecode is no data of the family.
    (root / "crops" / "reference" / "__pycache__").mkdir()
    (root / "crops" / "reference" / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\x00")
    assert versions(root) == after


def test_a_changed_parser_is_parsed_again_and_the_other_families_are_not(store, tmp_path):
    root = copy_of_sources(tmp_path)
    for name in ("ratification", "crop_surveys"):
        load(name, store, ParseCache(tmp_path / "cache", sources=root))
    old = {name: family_version(family(name), root) for name in ("ratification", "crop_surveys")}
    with open(root / "crops" / "wdr_annex.py", "a") as fh:
        fh.write("\n# a changed parser\n")
    changed = tmp_path / "changed"
    shutil.copytree(root, changed)
    cache = ParseCache(tmp_path / "cache", sources=changed)
    for name in ("ratification", "crop_surveys"):
        load(name, store, cache)
    crops, untc = cache.counts["crop_surveys"], cache.counts["ratification"]
    assert (crops.parsed, crops.reused) == (len(snaps_of(store, "crop_surveys")), 0)
    assert (untc.parsed, untc.reused) == (0, len(snaps_of(store, "ratification")))
    # Only the current version is kept.
    assert [p.name for p in (tmp_path / "cache" / "crop_surveys").iterdir()] == [
        family_version(family("crop_surveys"), changed)[:32]]
    assert family_version(family("crop_surveys"), changed) != old["crop_surveys"]
    assert [p.name for p in (tmp_path / "cache" / "ratification").iterdir()] == [old["ratification"][:32]]


def test_a_damaged_or_half_written_entry_is_parsed_again_and_written_again(store, tmp_path):
    name = "crop_surveys"
    declared = family(name)
    load(name, store, ParseCache(tmp_path / "cache"))
    folder = tmp_path / "cache" / name / family_version(declared)[:32]
    annex, compiled, other = sorted(snaps_of(store, name), key=lambda s: s.format == "crop_compiled")
    # One byte changed in place (a reader could take it for data), a file gone, a half entry of a
    # killed build, and an entry of an older parser version.
    target = folder / annex.snapshot_id / "accepted.parquet"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    (folder / compiled.snapshot_id / "meta.json").unlink()
    half = folder / ".tmp-killed"
    half.mkdir()
    (half / "meta.json").write_text("{")
    stale = tmp_path / "cache" / name / ("0" * 32)
    stale.mkdir()

    cache = ParseCache(tmp_path / "cache")
    tables, _ = load(name, store, cache)
    assert not half.exists() and not stale.exists()
    counts = cache.counts[name]
    assert (counts.damaged, counts.parsed, counts.reused) == (2, 2, 1)
    plain, _ = load(name, store, None)
    for table in plain:
        assert_frame_equal(plain[table], tables[table], check_exact=True)
    # Written again: the next load reads every entry back.
    again = ParseCache(tmp_path / "cache")
    load(name, store, again)
    assert (again.counts[name].reused, again.counts[name].parsed, again.counts[name].damaged) == (3, 0, 0)


def test_a_refused_file_is_never_kept_and_is_refused_again(tmp_path):
    store = SnapshotStore(tmp_path / "snapshots")
    snap = store.put(b"year,value\n2020,1\n", {
        "dataset": "crop_compiled_coca", "family": "crop_surveys", "format": "crop_compiled",
        "item": "crop_compiled_coca", "version": "2030-01-01", "as_of": "2030-01-01", "licence": "test",
        "filename": "coca_cultivation_ha_by_country_year.csv"})
    for _ in range(2):
        cache = ParseCache(tmp_path / "cache")
        with pytest.raises(SourceError, match="coca_cultivation_ha_by_country_year.csv"):
            ingest(family("crop_surveys"), store, [snap], cache=cache)
        assert cache.counts["crop_surveys"].parsed == 0 and cache.get(family("crop_surveys"), snap) is None


def test_facts_keep_their_types_and_a_value_the_cache_cannot_carry_is_not_kept(store, tmp_path):
    declared = family("crop_surveys")
    snap = snaps_of(store, "crop_surveys")[0]
    rejects = pl.DataFrame(schema=REJECT_SCHEMA)
    facts = {"on": date(2020, 1, 2), "at": datetime(2020, 1, 2, 3, 4), "pair": (1, "a"), "by_year": {2020: [1.5, None]},
             "nested": {"$t": "not a tag"}, "nan": float("nan")}
    result = FrameResult(file="x.csv", rows_in=0, accepted=pl.DataFrame({"v": [None]}), rejects=rejects,
                         facts=facts, counted=(0, 0))
    cache = ParseCache(tmp_path / "cache")
    cache.put(declared, snap, result)
    back = cache.get(declared, snap)
    assert repr(back.facts) == repr(facts) and back.counted == (0, 0)
    assert back.accepted.schema == {"v": pl.Null}

    odd = FrameResult(file="x.csv", rows_in=0, accepted=pl.DataFrame(), rejects=rejects, facts={"s": {1, 2}})
    other = snaps_of(store, "crop_surveys")[1]
    cache.put(declared, other, odd)
    assert cache.counts["crop_surveys"].not_kept == 1 and cache.get(declared, other) is None
