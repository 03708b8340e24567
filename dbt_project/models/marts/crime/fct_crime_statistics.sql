-- One row per source row of the newest release of every UN-CTS file: nothing upserted away.
-- Stored in country order: DuckDB skips the row groups whose countries cannot match, so one
-- country's figures read 3 of 154 row groups at ×100 (the publish copy keeps the order).
with latest as (
    select * from {{ ref('int_cts__latest_release') }}
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
