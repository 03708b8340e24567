-- The rows of the newest release of each UN-CTS dataset (int_cts__latest_snapshots says which
-- snapshot that is). Older releases stay in the raw layer as vintages (rpt_crime_release_changes
-- compares them).
select *
from {{ ref('stg_cts__observations') }}
where snapshot_id in (select snapshot_id from {{ ref('int_cts__latest_snapshots') }})
