-- The snapshot each UN-CTS dataset is read from: its newest release, as int_cts__release_snapshots
-- reads each release (the later download of a release date). int_cts__latest_release reads its
-- rows and fct_crime_statistics, built by snapshot, the list.
select snapshot_id, dataset, release_date
from {{ ref('int_cts__release_snapshots') }}
qualify row_number() over (partition by dataset order by release_date desc nulls last) = 1
