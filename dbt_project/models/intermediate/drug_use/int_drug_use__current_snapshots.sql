-- The current snapshot of each WDR drug table: the newest of its dataset (by the date it is as of,
-- then its version). A newer edition dropped in as the same dataset replaces the older one in the
-- marts; the raw layer keeps both.
select snapshot_id, dataset, snapshot_as_of, snapshot_version, is_stale
from {{ ref('stg_drug_use__snapshots') }}
qualify row_number() over (partition by dataset order by snapshot_as_of desc, snapshot_version desc, snapshot_id desc) = 1
