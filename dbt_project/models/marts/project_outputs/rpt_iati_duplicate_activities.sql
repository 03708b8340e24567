-- Copies of an activity that were published more than once and not counted (the most recently
-- updated copy is kept in stg_iati__activities).
select raw.iati_identifier, raw.reporting_org_ref, raw.activity_position, raw.last_updated, raw.title,
       raw.source_file, raw.snapshot_id
from {{ source('raw', 'iati_activities') }} as raw
where not exists (
    select 1 from {{ ref('stg_iati__activities') }} as kept
    where kept.snapshot_id = raw.snapshot_id and kept.activity_position = raw.activity_position
)
