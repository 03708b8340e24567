select snapshot_id, iati_identifier, reporting_org_ref, activity_position, vocabulary, sector_code, percentage
from {{ source('raw', 'iati_sectors') }}
