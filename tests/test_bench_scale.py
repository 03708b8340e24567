"""The benchmark's scaled copies are files the real parsers accept, with synthetic provenance."""
from pathlib import Path

import pytest
import yaml

from bench.scale import scale
from sources.catalog import import_bundled
from sources.crime.cts import parse_cts
from sources.crops.compiled import parse_compiled
from sources.iati.activities import parse_iati
from sources.ratification import parse_status_file
from sources.settings import BUNDLED_DIR
from sources.snapshots import SnapshotStore


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return scale(2, tmp_path_factory.mktemp("bundle_x2"))


def _sidecars(folder: Path) -> list[dict]:
    return [yaml.safe_load(p.read_text()) for p in sorted(folder.rglob("*.snapshot.yaml"))]


def test_cts_copies_parse_with_no_new_rejects(bundle):
    cts = [m for m in _sidecars(bundle / "crime_statistics") if m["format"] == "cts"]
    assert {m["dataset"] for m in cts} == {"cts_intentional_homicide", "cts_prisons_and_prisoners", "cts_glotip"}
    # One topic parsed in full (the smallest): the copies are made alike for every topic.
    for meta in (m for m in cts if m["dataset"] == "cts_glotip"):
        original = next(m for m in _sidecars(BUNDLED_DIR / "crime_statistics") if m["dataset"] == meta["dataset"])
        real = parse_cts((BUNDLED_DIR / "crime_statistics" / original["filename"]).read_bytes(),
                         filename=original["filename"])
        scaled = parse_cts((bundle / "crime_statistics" / meta["filename"]).read_bytes(), filename=meta["filename"])
        assert meta["filename"].endswith(".csv")
        assert scaled.rows_in == 2 * real.rows_in
        assert scaled.rows_rejected == 2 * real.rows_rejected
        assert scaled.facts["release_date"] == real.facts["release_date"]
        assert "Synthetic scaled copy" in meta["notes"]


def test_crop_iati_and_treaty_copies_parse(bundle):
    coca = bundle / "crop_surveys" / "coca_cultivation_ha_by_country_year.csv"
    real = parse_compiled((BUNDLED_DIR / "crop_surveys" / coca.name).read_bytes(), filename=coca.name)
    scaled = parse_compiled(coca.read_bytes(), filename=coca.name)
    assert scaled.rows_rejected == real.rows_rejected
    # Published totals are not copied: a moved copy has no total of its own.
    assert scaled.rows_accepted == real.rows_accepted + real.accepted.filter(~real.accepted["is_total"]).height
    assert set(scaled.accepted["country_iso3"].drop_nulls()) > set(real.accepted["country_iso3"].drop_nulls())

    xml = bundle / "project_outputs" / "illustrative_iati_activities.xml"
    sample = parse_iati((BUNDLED_DIR / "project_outputs" / xml.name).read_bytes(), filename=xml.name)
    doubled = parse_iati(xml.read_bytes(), filename=xml.name)
    assert doubled.facts["activities"] == 2 * sample.facts["activities"]
    assert not doubled.rejects.height

    vintage = next((bundle / "ratification").glob("untc_table_2015_s001/18-12.csv.snapshot.yaml"))
    meta = yaml.safe_load(vintage.read_text())
    result = parse_status_file(vintage.with_name(meta["filename"]).read_bytes(), filename=meta["filename"],
                               fmt=meta["format"], item=meta["item"], as_of=str(meta["as_of"]))
    assert result.accepted.height and not result.rejects.height
    assert meta["version"] < "2015-03-14" and "Synthetic" in meta["notes"]


def test_bundle_dir_option_imports_the_scaled_copies(bundle, tmp_path, monkeypatch):
    monkeypatch.setenv("UNODC_BUNDLE_DIR", str(bundle))
    snaps = import_bundled(SnapshotStore(tmp_path / "store"), "crime_statistics")
    assert {s.filename for s in snaps} == {m["filename"] for m in _sidecars(bundle / "crime_statistics")}
    assert all(s.filename.endswith("_x2.csv") for s in snaps if s.format == "cts")


def test_crop_copies_keep_one_figure_per_country_and_year_in_every_file(tmp_path):
    from bench.scale import scale_crops

    scale_crops(40, tmp_path)
    files = sorted((tmp_path / "crop_surveys").rglob("*_by_country_year.csv"))
    # Past the Member States left for new copies, a further edition goes to a file of its own.
    assert any(f.parent.name.startswith("compiled_e") for f in files)
    sidecars = [yaml.safe_load(f.with_name(f.name + ".snapshot.yaml").read_text()) for f in files]
    versions = [(m["dataset"], m["version"]) for m in sidecars]
    assert len(set(versions)) == len(versions)
    for f in files:
        parsed = parse_compiled(f.read_bytes(), filename=f.name).accepted
        key = ["country_iso3", "measure", "series", "year"]
        assert parsed.select(key).is_duplicated().sum() == 0, f


@pytest.mark.parametrize("family, dataset", [("crime_statistics", "cts_"), ("ratification", "untc_status")])
def test_each_step_of_a_changed_bundle_brings_one_new_snapshot_the_newest_of_its_item(tmp_path, family, dataset):
    """bench/changed.py: a night of one changed file is one new snapshot, which becomes its item's newest."""
    from bench.changed import changed_bundles
    from sources.catalog import latest_by_item
    from sources.snapshots import bundled_sidecars

    steps = changed_bundles(BUNDLED_DIR, family, tmp_path / "changed", times=2, dataset=dataset)
    store = SnapshotStore(tmp_path / "store")
    seen = {store.import_bundled(p).name for p in bundled_sidecars(BUNDLED_DIR, family)}
    for step in steps:
        snaps = [store.import_bundled(p) for p in bundled_sidecars(step, family)]
        new = {s.name for s in snaps} - seen
        assert len(new) == 1, new
        (name,) = new
        newest = latest_by_item([s for s in snaps if s.dataset.startswith(dataset)])
        assert any(s.name == name for s in newest.values()), name
        assert "bench/changed.py" in next(s for s in snaps if s.name == name).notes
        seen |= new
    # The original bundle is untouched (the copies are links, the new sidecars files of their own).
    assert not list((BUNDLED_DIR / family).rglob("next*"))
