select snapshot_id, iati_identifier, reporting_org_ref, activity_position, country_code, country_iso3, percentage,
       is_illustrative
from {{ source('raw', 'iati_countries') }}
