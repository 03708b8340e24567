"""The README cannot drift from the data: every SQL block in it runs against the published warehouse
of a real build and returns rows, and every table it names in backticks exists."""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```sql\n(.*?)```", README, flags=re.S)


def _first_line(sql: str) -> str:
    return next((line for line in sql.splitlines() if line.strip() and not line.startswith("--")), sql)[:60]


@pytest.fixture(scope="module")
def con(bundled_build):
    con = duckdb.connect(str(bundled_build / "warehouse" / "indicators.duckdb"), read_only=True)
    yield con
    con.close()


def test_the_readme_has_sql_examples():
    assert len(BLOCKS) >= 10


@pytest.mark.parametrize("sql", BLOCKS, ids=[_first_line(b) for b in BLOCKS])
def test_every_sql_example_runs_and_returns_rows(con, sql):
    rows = con.execute(sql).fetchall()
    assert rows, "the example returns no row"


def test_every_table_the_readme_names_exists(con):
    tables = {f"{s}.{t}" if s != "main" else t
              for s, t in con.execute("select schema_name, table_name from duckdb_tables()"
                                      " union all select schema_name, view_name from duckdb_views() where not internal"
                                      ).fetchall()}
    named = set(re.findall(r"`((?:audit\.|raw\.)?(?:dim|fct|rpt|stg|int)_[a-z0-9_]+|audit\.[a-z_]+)`", README))
    named = {n for n in named if not n.startswith(("stg_", "int_"))}
    assert named and named <= tables, sorted(named - tables)


def test_the_readme_counts_the_lines_the_warehouse_answers(con):
    counts = dict(((c, o), n) for c, o, n in con.execute(
        "select coverage_class, origin, count(*) from rpt_indicator_coverage group by all").fetchall())
    words = {5: "five annex lines", 11: "eleven lines the project derives", 21: "twenty-one lines"}
    said = {counts.get(("real", "annex")): words[5], counts.get(("real", "derived")): words[11],
            counts.get(("illustrative_only", "annex"), 0) + counts.get(("illustrative_only", "derived"), 0): words[21]}
    assert set(said) == set(words), f"the warehouse has {counts}; update the README's list"
    for phrase in said.values():
        assert phrase in README

