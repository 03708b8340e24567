"""Five queries a researcher runs on the published warehouse (the README's examples and their kin)."""
from __future__ import annotations

import time
from pathlib import Path

import duckdb

QUERIES = {
    "UNTOC parties": """
        select participant_name, participant_iso3, signed_on, party_since, party_by
        from fct_treaty_participation where instrument_code = 'UNTOC' and is_party order by party_since""",
    "parties per convention and year": """
        with years as (select unnest(range(1961, 2019)) as year)
        select i.instrument_code, y.year, count(p.participant_iso3) as member_states_party
        from dim_instrument i cross join years y
        left join fct_treaty_participation p
               on p.instrument_code = i.instrument_code and p.is_party
              and p.party_since <= make_date(y.year::int, 12, 31)
              and p.participant_iso3 in (select iso3 from dim_country where un_admission_year <= y.year
                                         and (un_exit_year is null or un_exit_year > y.year))
        where y.year >= year(i.adopted_on) group by all order by 1, 2""",
    "indicator world series": """
        select indicator_code, disaggregation, year, value, obs_status, members_reporting, members_in_group
        from fct_indicator_values
        where indicator_code in ('TRA.R1.D1', 'PRI.R3.D1', 'RAT.R1.I3') and ref_area_type = 'world'
          and year between 2000 and 2018 order by 1, 2, 3""",
    "one country's crime figures": """
        select dataset, indicator, dimension, category, sex, age, year, value_numeric, value_text, source_file, source_row
        from fct_crime_statistics where country_iso3 = 'MEX' and year between 2008 and 2011
        order by dataset, indicator, category, year""",
    "where a number came from": """
        select a.participant_name, a.raw_cell, a.source_file, a.source_row, a.source_column,
               s.url, s.accessed, s.sha256, s.licence
        from fct_treaty_actions a join dim_snapshot s using (snapshot_id)
        where a.instrument_code = 'UNCAC' and a.participant_iso3 = 'AFG'""",
}


def query_round(db: Path) -> dict[str, float]:
    """Seconds per query, each on a fresh read-only connection (what a researcher's script opens)."""
    out = {}
    for name, sql in QUERIES.items():
        started = time.perf_counter()
        con = duckdb.connect(str(db), read_only=True)
        try:
            con.execute(sql).fetchall()
        finally:
            con.close()
        out[name] = time.perf_counter() - started
    return out
