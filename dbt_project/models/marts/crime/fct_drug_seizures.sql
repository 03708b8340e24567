-- One row per row of the WDR drug seizures table. `is_reported_total` rows total a drug group that
-- may also be reported in detail: never add them to their parts (see int_seizures__country_year).
select
    md5(snapshot_id || ':' || source_row) as seizure_id,
    *
from {{ ref('stg_wdr__drug_seizures') }}
