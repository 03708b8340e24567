-- The engine floor: the key marts of the pipeline as one plain DuckDB script over the raw tables
-- bench/floor.py loaded from the same files. No checks, no provenance beyond the snapshot, no
-- rejects: the least work the engine must do to turn the files into the same facts.

-- UN-CTS facts: every row of the newest release of each dataset, the value as a number and as published.
create or replace table fct_cts as
with latest as (
    select dataset, max(release_date) as release_date from cts_raw group by dataset
)
select
    r.dataset, r.iso3_code, r.country, r.indicator, r.dimension, r.category, r.sex, r.age,
    try_cast(r.year as integer) as year, r.unit,
    try_cast(replace(replace(r.value_text, ',', ''), '<', '') as double) as value_numeric,
    r.value_text, starts_with(r.value_text, '<') as is_censored, r.source_codes, r.release_date
from cts_raw as r
join latest using (dataset, release_date);

-- Treaty participation per participant and instrument, from the newest table of each instrument.
create or replace table fct_participation as
with current_table as (
    select item, arg_max(version, as_of || version) as version from untc_cells group by item
),
cells as (
    select c.*, try_strptime(regexp_extract(c.cell, '(\d{1,2} [A-Z][a-z]{2} \d{4})', 1), '%d %b %Y')::date as action_date
    from untc_cells as c join current_table using (item, version)
)
select
    item as instrument, participant,
    min(action_date) filter (where column_header ilike 'signature%') as signed_on,
    min(action_date) filter (where not column_header ilike 'signature%') as party_since
from cells
where action_date is not null
group by all;

-- Parties per instrument and year (the count behind the ratification indicators' world rows).
create or replace table agg_parties as
select p.instrument, y.year, count(*) filter (where p.party_since <= make_date(y.year, 12, 31)) as parties
from fct_participation as p
cross join (select unnest(range(1961, 2019))::int as year) as y
group by all;

-- Crop figures with their edition; the newest edition's figure is current.
create or replace table fct_crops as
with figures as (
    select *,
        coalesce('WDR ' || nullif(regexp_extract(source, 'World Drug Report (\d{4})', 1), ''),
                 'UNODC survey ' || year) as edition,
        coalesce(try_cast(nullif(regexp_extract(source, 'World Drug Report (\d{4})', 1), '') as integer),
                 try_cast(year as integer)) as edition_year
    from crop_raw
    where not regexp_matches(source, 'ONDCP|INCSR|United States Government|US Government|DEA\b', 'i')
)
select *, row_number() over (partition by crop, iso3, year order by edition_year desc) = 1 as is_current
from figures;

create or replace table agg_crop_world as
select crop, year, sum(try_cast(hectares as double)) as hectares, count(*) as countries
from fct_crops where is_current and iso3 <> '_TOTAL' group by all;

-- IATI outputs: actuals per annex indicator, country and the year the period ends; each activity
-- counted once (its newest copy).
create or replace table fct_outputs as
with newest as (
    select activity_id, max(last_updated) as last_updated from iati_values group by activity_id
)
select indicator_code, location as country_iso3, year(try_cast(period_end as date)) as year,
       sum(value) as value, count(*) as values_summed
from iati_values join newest using (activity_id, last_updated)
where value is not null
group by all;

-- A crime indicator's world rows: reporting units and the sum of their totals per indicator and year.
create or replace table agg_cts_totals as
select dataset, indicator, unit, year, count(distinct iso3_code) as reporting_units, sum(value_numeric) as value
from fct_cts
where category = 'Total' and sex = 'Total' and age = 'Total' and length(iso3_code) = 3
group by all;
