select
    snapshot_id, iati_identifier, reporting_org_ref, activity_position, result_index, indicator_index,
    period_index, value_index, value_kind, value, value_text,
    cast(period_start as date) as period_start,
    cast(period_end as date) as period_end,
    baseline_year, cast(dimensions as json) as dimensions, locations, comment, is_illustrative, source_file
from {{ source('raw', 'iati_values') }}
