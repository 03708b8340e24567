-- One row per source row of the newest release of every UN-CTS file: nothing upserted away.
-- Built by snapshot: a snapshot's rows depend on it alone (and on dim_country, a seed: a seed
-- changed is code changed, and the next build is full). An incremental build deletes the rows of
-- snapshots that are no longer their dataset's newest release (the pre-hook) and inserts those of
-- the newest snapshots the table does not hold yet; the other snapshots' rows are neither read nor
-- written again (their snapshot_id alone is scanned). A full build (`--full-refresh`,
-- orchestration/assets/dbt.py) writes it whole.
-- Stored in country order: DuckDB skips the row groups whose countries cannot match, so one
-- country's figures read 3 of 154 row groups at ×100 (the publish copy keeps the order). A full
-- build sorts the whole table; an incremental one appends the new rows sorted among themselves,
-- after the others (a few more row groups per country until the next full build).
-- depends_on: {{ ref('int_cts__latest_snapshots') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{% if is_incremental() %}delete from {{ this }} where snapshot_id not in "
             "(select snapshot_id from {{ ref('int_cts__latest_snapshots') }}){% endif %}",
) }}

with latest as (
    select * from {{ ref('int_cts__latest_release') }}
    {% if is_incremental() %}
    where snapshot_id in (
        select snapshot_id from {{ ref('int_cts__latest_snapshots') }}
        where snapshot_id not in (select distinct snapshot_id from {{ this }})
    )
    {% endif %}
)

select
    md5(snapshot_id || ':' || source_row) as observation_id,
    dataset,
    reporting_unit,
    reporting_unit_kind,
    country_iso3,
    -- The name the UN uses today (dim_country); the source's own name stays in name_in_source.
    countries.country_name,
    name_in_source,
    indicator,
    dimension,
    category,
    sex,
    age,
    year,
    unit,
    value_numeric,
    value_text,
    is_censored,
    censor_upper,
    source_codes,
    release_date,
    snapshot_id,
    source_file,
    source_row,
    key_occurrences,
    key_occurrences > 1 as shares_natural_key,
    extra_columns
from latest
left join {{ ref('dim_country') }} as countries on countries.iso3 = latest.country_iso3
order by country_iso3, dataset, indicator, year, source_row
