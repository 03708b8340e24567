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


UNITS = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
         "seventeen eighteen nineteen").split()
TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}


def in_words(n: int) -> str:
    """A count as the README writes it: 5 -> five, 21 -> twenty-one."""
    if n < 20:
        return UNITS[n]
    tens, units = divmod(n, 10)
    return TENS[tens] + (f"-{UNITS[units]}" if units else "") if n < 100 else str(n)


def test_a_count_is_written_in_words():
    assert [in_words(n) for n in (0, 5, 11, 20, 21, 37, 99, 132)] == [
        "zero", "five", "eleven", "twenty", "twenty-one", "thirty-seven", "ninety-nine", "132"]


def test_the_readme_counts_the_lines_the_warehouse_answers(con):
    counts = dict(((c, o), n) for c, o, n in con.execute(
        "select coverage_class, origin, count(*) from rpt_indicator_coverage group by all").fetchall())
    illustrative = counts.get(("illustrative_only", "annex"), 0) + counts.get(("illustrative_only", "derived"), 0)
    # The counts come from the warehouse: a family that adds lines changes the README's words only.
    for phrase in (f"**from real data**, {in_words(counts.get(('real', 'annex'), 0))} annex lines",
                   f"{in_words(counts.get(('real', 'derived'), 0))} lines the project derives",
                   f"**only from the illustrative sample**, {in_words(illustrative)} lines"):
        assert phrase in README, f"the warehouse has {counts}; update the README's list ({phrase!r})"

