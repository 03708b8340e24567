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
