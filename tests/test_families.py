"""A source family is declared once (sources/<package>/family.py and datasets.yaml): the declarations
are found, hold together, and cover the bundled snapshots."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sources.family import SOURCES, Family, datasets_files, families, family, with_raw_tables

from .conftest import BUNDLED, ROOT


def test_families_finds_every_declared_family():
    declared = {p.parent.name for p in SOURCES.glob("*/family.py")}
    found = families()
    assert {f.package.rsplit(".", 1)[-1] for f in found} == declared
    assert {f.name for f in found} >= {"strategy", "ratification", "crime_statistics", "crop_surveys",
                                       "project_outputs"}
    assert [f.order for f in found] == sorted(f.order for f in found)
    assert family("crop_surveys").package == "sources.crops"
    with pytest.raises(KeyError, match="no source family 'nope'"):
        family("nope")


def test_every_dataset_of_the_datasets_files_belongs_to_a_declared_family():
    from sources.catalog import datasets

    files = {p.parent for p in SOURCES.glob("*/datasets.yaml")}
    # A datasets file outside a family folder would be read by nobody.
    assert files == set(datasets_files()) and files <= {f.folder for f in families()}
    assert not (SOURCES / "datasets.yaml").exists()
    names = {f.name for f in families()}
    declared = datasets()
    for folder, content in datasets_files().items():
        (owner,) = [f for f in families() if f.folder == folder]
        for name in content.get("datasets") or {}:
            assert declared[name]["family"] == owner.name, name
    assert {cfg["family"] for cfg in declared.values()} <= names
    # Every dataset with a live URL has its variable, and every family's freshness names days and why.
    for name, cfg in declared.items():
        assert cfg["url"] and cfg["url_env"].startswith("UNODC_") and cfg["title"], name
    for f in families():
        for prefix, (days, why) in f.freshness().items():
            assert days > 0 and len(why) > 10, (f.name, prefix)


def test_a_dataset_declared_by_two_families_is_refused(monkeypatch):
    import sources.catalog as catalog

    twice = (family("crime_statistics"), Family(name="other", title="x", package="sources.crime"))
    monkeypatch.setattr(catalog, "families", lambda: twice)
    catalog.datasets.cache_clear()
    try:
        with pytest.raises(ValueError, match="dataset .cts_intentional_homicide. is declared by crime_statistics and by other"):
            catalog.datasets()
    finally:
        catalog.datasets.cache_clear()


def test_each_dataset_url_is_a_setting_of_its_own():
    from sources.catalog import datasets
    from sources.settings import every_setting

    by_name = {s.name: s for s in every_setting()}
    for name, cfg in datasets().items():
        setting = by_name[cfg["url_env"]]
        assert setting.default is None and setting.meaning.startswith(f"URL of {cfg['title']}"), name
    assert "{chapter}, {item}" in by_name["UNODC_UNTC_URL"].meaning


def bundled_sidecars() -> list[tuple[Path, dict]]:
    return [(p, yaml.safe_load(p.read_text())) for p in sorted(BUNDLED.rglob("*.snapshot.yaml"))]


def test_every_family_parses_the_formats_of_its_bundled_snapshots():
    sidecars = bundled_sidecars()
    assert sidecars
    names = {f.name for f in families()}
    covered = set()
    for path, meta in sidecars:
        # A bundled file sits in its family's folder and names a declared family.
        assert path.relative_to(BUNDLED).parts[0] == meta["family"] and meta["family"] in names, path
        declared = family(meta["family"])
        if declared.snapshots is None:
            continue                  # a reference family: another asset reads its snapshot
        assert meta["format"] in declared.parsers, (path, meta["format"], sorted(declared.parsers))
        covered.add(declared.name)
    assert covered == {f.name for f in with_raw_tables()}


def test_the_declared_tables_checks_and_hooks_hold_together():
    for f in with_raw_tables():
        tables = {t.name for t in f.tables}
        assert f.files in tables and f.rejects in tables and f.rows is not None, f.name
        assert f.tables_asset and f.snapshots.name.endswith("_snapshots"), f.name
        for t in (f.snapshots, *f.tables):
            assert t.model().name == t.name                # its metadata, under its own name
            assert not (t.by_parts and t.make), t.name
        for check in f.checks:
            assert check.table in tables and callable(check.function()), check.name
        # Its metadata module lists exactly the tables it declares; their dbt sources go to its staging folder.
        assert {t.schema.split(".")[0] for t in (f.snapshots, *f.tables)} == {f.schemas}, f.name
        assert {t.name for t in (f.snapshots, *f.tables)} == {t.name for t in _tables_of(f.schemas)}, f.name
        assert f.dbt.staging and (ROOT / "dbt_project" / "models" / "staging" / f.dbt.staging).is_dir(), f.name
    names = [c.name for f in families() for c in f.checks]
    assert len(names) == len(set(names)), "a check name is used twice"
    diffed = [t for f in families() for t in f.diffs]
    assert len(diffed) == len(set(diffed))


def _tables_of(module: str) -> list:
    import importlib

    return importlib.import_module(f"schemas.{module}").TABLES


def test_the_registry_answers_lines_only_by_families_that_answer_indicators():
    from schemas.registry import FAMILIES

    assert FAMILIES == [f.name for f in families() if f.answers_indicators]
    assert "strategy" not in FAMILIES and "ratification" in FAMILIES


def test_the_landing_folder_sensor_watches_the_folders_the_families_declare(tmp_path, monkeypatch):
    """The sensor once named the template and IATI folders by hand: a family added with a
    `collect` of its own would have had its files ignored until the nightly run."""
    import dataclasses

    import sources.family as declared
    from orchestration.nightly import landing_files
    from sources.family import LandingFolder, landing_folders

    collecting = [f for f in families() if f.collect]
    assert collecting and all(f.landing for f in collecting)
    assert [(d.name, d.suffix) for d in landing_folders()] == [("templates", ".xlsx"), ("iati", ".xml")]
    for folder, name in ((LandingFolder("templates", ".xlsx"), "a.xlsx"), (LandingFolder("iati", ".xml"), "b.xml"),
                         (LandingFolder("returns", ".csv"), "c.csv"), (LandingFolder("iati", ".xlsx"), "d.xlsx")):
        folder.path(tmp_path).mkdir(parents=True, exist_ok=True)
        (folder.path(tmp_path) / name).write_bytes(name.encode())
    assert [name for name, _ in landing_files(tmp_path)] == ["templates/a.xlsx", "iati/b.xml"]

    # One family more, declared with a landing folder of its own: watched with no other edit.
    more = dataclasses.replace(family("crop_surveys"), name="crop_returns", collect=lambda store, home: [],
                               landing=(LandingFolder("returns", ".csv"),))
    monkeypatch.setattr(declared, "families", lambda: (*families(), more))
    assert [name for name, _ in landing_files(tmp_path)] == ["templates/a.xlsx", "iati/b.xml", "returns/c.csv"]


@pytest.mark.parametrize("change, says", [
    ({"landing": ()}, "`collect` and `landing`"),
    ({"collect": None}, "`collect` and `landing`"),
    ({"name": "twin"}, "landing folders declared twice or reserved: iati, templates"),
])
def test_landing_folders_are_declared_with_collect_and_once(change, says):
    import dataclasses

    from sources.family import _check_landing

    outputs = family("project_outputs")
    found = [outputs, dataclasses.replace(outputs, **change)] if "name" in change else [dataclasses.replace(outputs, **change)]
    with pytest.raises(ValueError, match=says.replace("(", r"\(")):
        _check_landing(found)


@pytest.mark.parametrize("declared", with_raw_tables(), ids=lambda f: f.name)
def test_a_family_without_snapshots_builds_empty_tables(declared, tmp_path):
    """A family none of whose files is there yet (a new family's first night, a bundle without its
    folder) writes its tables empty, with their declared columns, and they pass their schemas."""
    import duckdb

    from orchestration.warehouse.database import write_table
    from schemas import validate
    from sources.ingest import ingest
    from sources.snapshots import SnapshotStore

    tables = ingest(declared, SnapshotStore(tmp_path / "store"), [])
    con = duckdb.connect(str(tmp_path / "build.duckdb"))
    try:
        con.execute("create schema raw")
        for t in declared.tables:
            if t.by_parts or t.make:
                continue
            frame = tables[t.name]
            assert frame.height == 0 and frame.columns == t.model().column_names, t.name
            assert validate(t.model(), frame)[0], t.name
            write_table(con, "raw", t.name, frame)
            assert con.execute(f"select count(*) from raw.{t.name}").fetchone()[0] == 0
    finally:
        con.close()
