-- One row per activity: an activity published twice (same identifier, same reporting
-- organisation) is counted once, its most recently updated copy kept.
select
    *,
    cast(coalesce(actual_start, planned_start) as date) as start_date,
    cast(coalesce(actual_end, planned_end, actual_start, planned_start) as date) as end_date
from {{ source('raw', 'iati_activities') }}
qualify row_number() over (
    partition by iati_identifier, reporting_org_ref
    order by last_updated desc nulls last, activity_position desc
) = 1
