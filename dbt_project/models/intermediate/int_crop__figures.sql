-- One observation per figure: the best estimate with its minimum and maximum as bounds, whatever
-- source it comes from (an annex table, or a compiled figure with its source type).
with values_ as (
    select * from {{ ref('stg_crop__annex_values') }}
    union all by name
    select * from {{ ref('stg_crop__compiled_values') }}
)

select
    snapshot_id,
    dataset,
    source_kind,
    source_type,
    source,
    crop,
    measure,
    unit,
    country_iso3,
    is_total,
    series,
    year,
    edition,
    edition_year,
    source_file,
    any_value(label_name) as label_name,
    any_value(label_in_source) filter (where estimate = 'best estimate') as label_in_source,
    any_value(band) as band,
    any_value(block) as block,
    any_value(series_note) as series_note,
    any_value(cross_check) as cross_check,
    max(value) filter (where estimate = 'best estimate') as value,
    max(value_text) filter (where estimate = 'best estimate') as value_text,
    max(value) filter (where estimate = 'minimum') as lower_bound,
    max(value) filter (where estimate = 'maximum') as upper_bound,
    string_agg(distinct source_row::varchar, ',' order by source_row::varchar) as source_rows,
    min(source_row) as first_source_row
from values_
group by all
