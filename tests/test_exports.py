"""Table definitions and the export writers, without a build (the e2e tests export real releases)."""
from __future__ import annotations

import duckdb
import polars as pl
import pytest

from exports.definitions import DefinitionError, load_definitions, parse_definition
from exports.frames import table_frame
from exports.run import CHANGE_KEY, change_key, changes_against
from exports.sdmx import sdmx_id
from exports.tidy import neutralise

MINIMAL = {"number": "9.1", "title": "A table", "unit": "hectares",
           "source": {"table": "fct_x", "fields": {"area": "iso3", "year": "year", "value": "value"}}}


def test_the_shipped_definitions_cover_the_annex_tables():
    tables = load_definitions()
    assert {"6.1.1", "6.1.2", "6.2.1", "7.1", "H.1", "R.1"} <= set(tables)
    assert list(tables)[:3] == ["6.1.1", "6.1.2", "6.2.1"]
    assert all(t.stem.startswith(t.number + "_") and "/" not in t.stem for t in tables.values())


@pytest.mark.parametrize("change, message", [
    ({"source": {"table": "fct_x; drop table y", "fields": MINIMAL["source"]["fields"]}}, "not a plain lower-case identifier"),
    ({"source": {"table": "fct_x", "fields": {**MINIMAL["source"]["fields"], "value": "value\"--"}}}, "source.fields.value"),
    ({"source": {"table": "fct_x", "fields": MINIMAL["source"]["fields"], "where": {"a or 1=1": 1}}}, "source.where column"),
    ({"source": {"table": "fct_x", "fields": {"area": "iso3"}}}, "source.fields must name"),
    ({"colour": "red"}, "unknown keys ['colour']"),
    ({"number": "../../etc"}, "table number '../../etc'"),
    ({"number": "6.1\n"}, "table number '6.1\\n'"),
    ({"source": {"table": "fct_x\n", "fields": MINIMAL["source"]["fields"]}}, "not a plain lower-case identifier"),
    ({"layout": "pivot"}, "layout is 'wide'"),
    ({"label_lookup": {"table": "dim_x", "key": "k", "value": "v; --"}}, "label_lookup.value"),
])
def test_a_bad_definition_is_refused_before_any_sql(change, message):
    with pytest.raises(DefinitionError, match=None) as err:
        parse_definition({**MINIMAL, **change}, "bad.yaml")
    assert message in str(err.value) and str(err.value).startswith("bad.yaml")


def test_names_are_checked_against_the_release_itself(tmp_path):
    con = duckdb.connect(str(tmp_path / "release.duckdb"))
    con.execute("create table fct_x (iso3 varchar, year bigint, value double)")
    con.execute("insert into fct_x values ('AFG', 2010, 1.5), ('AFG', 2011, null)")
    frame = table_frame(con, parse_definition(MINIMAL, "ok.yaml"))
    assert frame.select("area_code", "year", "value").rows() == [("AFG", 2010, 1.5), ("AFG", 2011, None)]
    with pytest.raises(DefinitionError, match="fct_x has no column"):
        table_frame(con, parse_definition({**MINIMAL, "source": {**MINIMAL["source"], "where": {"crop": "coca"}}}, "w.yaml"))
    with pytest.raises(DefinitionError, match="table 'fct_y' is not in this release"):
        table_frame(con, parse_definition({**MINIMAL, "source": {**MINIMAL["source"], "table": "fct_y"}}, "t.yaml"))


def test_texts_that_excel_reads_as_formulas_are_neutralised():
    frame = pl.DataFrame({"label": ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx", "Peru", None]})
    assert neutralise(frame)["label"].to_list() == ["'=1+2", "'+SUM(A1)", "'-2+3", "'@cmd", "'\tx", "'\rx", "Peru", None]


def test_sdmx_codes_are_identifiers():
    assert sdmx_id("RAT.R1.D1") == "RAT_R1_D1" and sdmx_id("_T") == "_T"
    assert sdmx_id("Amphetamine-type stimulants (excluding “ecstasy”)") == "AMPHETAMINE_TYPE_STIMULANTS_EXCLUDING_ECSTASY"


LONG = {**MINIMAL, "layout": "long",
        "source": {"table": "fct_x", "fields": MINIMAL["source"]["fields"],
                   "columns": {"Drug": "drug", "Unit": "unit", "Kilogram equivalent": "kg"}}}


def test_changes_pair_cells_that_share_a_key_instead_of_multiplying_them(tmp_path):
    con = duckdb.connect(str(tmp_path / "release.duckdb"))
    con.execute("create table fct_x (iso3 varchar, year bigint, value double, drug varchar, unit varchar, kg double)")
    # Two seizures of one drug in one country-year, a third of another drug, and one in plants.
    con.execute("""insert into fct_x values ('AGO', 2016, 126, 'Cocaine', 'Gram', 0.126),
                   ('AGO', 2016, 7010, 'Cocaine', 'Gram', 7.01), ('AGO', 2016, 9749, 'Cannabis herb', 'Gram', 9.749),
                   ('AGO', 2016, 1859, 'Cannabis plants', 'Plants', 185.9)""")
    tdef = parse_definition(LONG, "long.yaml")
    before = table_frame(con, tdef)
    assert change_key(before) == CHANGE_KEY + ["Drug", "Unit"]
    assert changes_against(before, before).height == 0
    con.execute("update fct_x set value = 7100, kg = 7.1 where value = 7010")
    con.execute("delete from fct_x where drug = 'Cannabis plants'")
    con.execute("insert into fct_x values ('AGO', 2017, 5, 'Heroin', 'Gram', 0.005)")
    changes = changes_against(table_frame(con, tdef), before)
    assert changes.select("change", "year", "Drug", "old_value", "new_value").rows() == [
        ("added", 2017, "Heroin", None, 5.0), ("removed", 2016, "Cannabis plants", 1859.0, None),
        ("revised", 2016, "Cocaine", 7010.0, 7100.0)]


def _tiny_release(path, with_seizures: bool = True) -> None:
    """A release file with the tables the 6.1.1 and 7.1 definitions read (no full build needed)."""
    con = duckdb.connect(str(path))
    con.execute("create schema audit")
    con.execute("""create table audit.release as select '20260101T000000Z' as release_id,
                   timestamp '2026-01-01 00:00:00' as published_at, 'test' as code_version, '{}' as manifest""")
    con.execute("""create table dim_indicator (indicator_code varchar, indicator_text varchar, unit varchar,
                   result_code varchar, area_name varchar)""")
    con.execute("""create table dim_snapshot (snapshot_id varchar, snapshot_name varchar, title varchar, sha256 varchar,
                   licence varchar, url varchar, snapshot_as_of date)""")
    con.execute("""create table fct_crop_cultivation as select 'COL' as country_iso3, 'Colombia' as label_name,
                   'a' as series, 2020 as year, 142800.0 as value, '142800' as value_text, null::double as lower_bound,
                   null::double as upper_bound, 'A' as obs_status, 'Net area' as footnotes, false as is_total,
                   's1' as snapshot_id, 'f.xlsx' as source_file, '8' as source_rows, 'coca_bush' as crop,
                   'cultivation_ha' as measure, true as is_current, 'annex_table' as source_kind""")
    if with_seizures:
        con.execute("""create table fct_drug_seizures as select 'TUR' as country_iso3, 'Europe' as region_in_source,
                       'Türkiye' as name_in_source, 2020 as year, 1.23456789 as quantity, true as is_reported_total,
                       's2' as snapshot_id, 'g.xlsx' as source_file, 5 as source_row, 'South-Eastern Europe' as subregion_in_source,
                       'ARQ' as source_type, 'Opioids' as drug_group, 'Opioids' as drug_group_in_source, 'Reported total' as drug_subgroup,
                       'Opioids (total)' as drug_name, 'Kilograms' as unit_text, 1.23456789 as kg_equivalent,
                       '=cmd|x' as comment, 'wdr-2022' as edition, true as is_current_edition
                       union all
                       -- the same row in an older edition, no longer current: not in table 7.1
                       select 'TUR', 'Europe', 'Türkiye', 2020, 1.0, true, 's1', 'f.xlsx', 5, 'South-Eastern Europe', 'ARQ',
                              'Opioids', 'Opioids', 'Reported total', 'Opioids (total)', 'Kilograms', 1.0, null,
                              'wdr-2020', false""")
    con.close()


def test_an_export_that_fails_part_way_leaves_nothing_half_written(tmp_path):
    from exports.run import MARKER, export

    release = tmp_path / "release.duckdb"
    _tiny_release(release, with_seizures=False)
    out = tmp_path / "out"
    first = export(release, out, ["6.1.1"], ["csv"])
    # 6.1.1 is written first, then 7.1 finds no seizures table in this release.
    with pytest.raises(DefinitionError, match="fct_drug_seizures"):
        export(release, out, ["6.1.1", "7.1"], ["parquet"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "release.duckdb"]      # no temporary folder left
    assert sorted(p.name for p in out.iterdir() if p.name != MARKER) == sorted(first["files"])  # the old export, untouched
    report = export(release, out, ["6.1.1"], ["csv", "parquet"])
    assert sorted(p.name for p in out.iterdir() if p.name != MARKER) == sorted(report["files"])  # replaced as a whole


def test_an_export_never_replaces_a_folder_of_other_files(tmp_path):
    from exports.run import OutputError, export

    release = tmp_path / "release.duckdb"
    _tiny_release(release, with_seizures=False)
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "thesis.docx").write_text("years of work\n")
    with pytest.raises(OutputError, match="holds other files"):
        export(release, documents, ["6.1.1"], ["csv"])
    assert [p.name for p in documents.iterdir()] == ["thesis.docx"]


@pytest.mark.parametrize("where", ["file", "under_a_file", "proc"])
def test_an_output_path_that_cannot_be_written_gives_one_line_and_status_2(tmp_path, capsys, where):
    from orchestration.cli import main

    home = tmp_path / "home"
    (home / "warehouse").mkdir(parents=True)
    _tiny_release(home / "warehouse" / "indicators.duckdb")
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    out = {"file": blocker, "under_a_file": blocker / "exports", "proc": "/proc/self/unodc-exports"}[where]
    assert main(["export", "--home", str(home), "--tables", "6.1.1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("unodc-indicators export: cannot export to")
    assert "Traceback" not in err
    assert blocker.read_text() == "x" and sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "home"]


def test_seizures_keep_every_source_column_full_precision_and_their_reported_totals(tmp_path):
    import pyarrow.parquet as pq

    from exports.run import export

    release = tmp_path / "release.duckdb"
    _tiny_release(release)
    export(release, tmp_path / "out", ["7.1"], ["csv", "parquet"])
    out = tmp_path / "out"
    csv = pl.read_csv((out / "7.1_drug_seizures_by_country.csv").read_bytes()[3:], infer_schema=False)
    row = csv.row(0, named=True)
    assert (row["iso3"], row["region"], row["sub_region"], row["drug_sub_group"], row["comment"]) == (
        "TUR", "Europe", "South-Eastern Europe", "Reported total", "'=cmd|x")               # formula neutralised
    assert csv.height == 1 and row["edition"] == "wdr-2022"                                  # the current edition only
    assert row["value"] == "1.23456789" and row["quantity_as_reported"] == "1.23456789"      # not rounded
    assert row["is_total"] == "true" and row["release_id"] == "20260101T000000Z"
    assert len({c.lower() for c in csv.columns}) == len(csv.columns)
    meta = {k.decode(): v.decode() for k, v in pq.read_schema(out / "7.1_drug_seizures_by_country.parquet").metadata.items()}
    assert meta["release_id"] == "20260101T000000Z" and meta["licence"].startswith("Data:")
    assert {"source_checksums", "units", "unit", "columns"} <= set(meta)


def test_an_older_release_without_editions_is_compared_without_the_edition_filter(tmp_path):
    """A release from before the second edition of table 7.1 has no is_current_edition: table 7.1
    of it reads every row (it held one edition), rather than refusing the comparison."""

    new, old = tmp_path / "new.duckdb", tmp_path / "old.duckdb"
    _tiny_release(new)
    _tiny_release(old)
    con = duckdb.connect(str(old))
    con.execute("delete from fct_drug_seizures where not is_current_edition")
    con.execute("update fct_drug_seizures set kg_equivalent = 1.2")
    con.execute("alter table fct_drug_seizures drop column is_current_edition")
    con.close()
    tdef = load_definitions()["7.1"]
    with duckdb.connect(str(old), read_only=True) as older:
        with pytest.raises(DefinitionError, match="is_current_edition"):
            table_frame(older, tdef)
        before = table_frame(older, tdef, older=True)
    with duckdb.connect(str(new), read_only=True) as newer:
        now = table_frame(newer, tdef)
    assert before.height == now.height == 1
    assert changes_against(now, before).select("change", "old_value", "new_value").rows() == [
        ("revised", 1.2, 1.23456789)]


def test_a_tidy_frame_refuses_columns_that_differ_only_by_case():
    from exports.tidy import tidy

    frame = pl.DataFrame({"table_number": ["1"], "band": [None], "area_code": ["AFG"], "area_name": ["A"],
                          "label": ["A"], "unit": ["kg"], "Unit": ["Kilograms"]})
    assert tidy(frame.drop("Unit")).columns[:3] == ["table_number", "region", "iso3"]
    with pytest.raises(ValueError, match="'unit' and 'Unit' differ only by case"):
        tidy(frame)


def test_a_change_of_the_kilogram_equivalent_alone_is_a_revision(tmp_path):
    con = duckdb.connect(str(tmp_path / "release.duckdb"))
    con.execute("create table fct_x (iso3 varchar, year bigint, value double, drug varchar, unit varchar, kg double)")
    con.execute("insert into fct_x values ('AGO', 2016, 7010, 'Cocaine', 'Gram', 7.01)")
    tdef = parse_definition(LONG, "long.yaml")
    before = table_frame(con, tdef)
    con.execute("update fct_x set kg = 7.1")
    changes = changes_against(table_frame(con, tdef), before)
    assert changes.select("change", "old_value", "new_value", "old_kilogram_equivalent", "new_kilogram_equivalent").rows() == [
        ("revised", 7010.0, 7010.0, 7.01, 7.1)]
