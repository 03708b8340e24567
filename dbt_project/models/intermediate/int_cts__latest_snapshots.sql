-- The snapshot each UN-CTS dataset is read from: its newest release. The rule is written here once;
-- int_cts__latest_release reads its rows and fct_crime_statistics, built by snapshot, the list.
-- The newest release is found in the list of files (one line a file), not by grouping the
-- observations: at ×100 that is 19 million rows.
-- One snapshot per dataset: two snapshots of one release date (the same file downloaded again
-- under a later version) would double every row; the later download is read, by the date it is
-- as of, then its version, then its id, so that the choice never rests on the order rows were written in.
with files as (
    select files.snapshot_id, files.dataset, files.release_date, snaps.snapshot_as_of, snaps.snapshot_version
    from {{ ref('stg_crime__files') }} as files
    left join {{ ref('stg_crime__snapshots') }} as snaps using (snapshot_id)
    where files.source_format = 'cts'
)

select snapshot_id, dataset, release_date
from files
qualify row_number() over (
    partition by dataset
    order by release_date desc nulls last, snapshot_as_of desc nulls last, snapshot_version desc nulls last,
        snapshot_id desc
) = 1
