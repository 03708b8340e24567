select
    snapshot_id, iati_identifier, reporting_org_ref, activity_position, result_index, indicator_index,
    result_type, result_title, indicator_title, measure, ascending, aggregation_status,
    cast("references" as json) as indicator_references, is_illustrative, source_file
from {{ source('raw', 'iati_indicators') }}
