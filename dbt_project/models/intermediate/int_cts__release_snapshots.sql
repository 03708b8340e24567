-- The snapshot each release of each UN-CTS dataset is read from. The rule is written here once:
-- int_cts__latest_snapshots takes each dataset's newest release from it, rpt_crime_release_changes
-- compares consecutive releases. Two snapshots of one release date (the same release downloaded
-- again under a later version) would double every row of it; the later download is read, by the
-- date it is as of, then its version, then its id, so that the choice never rests on the order rows
-- were written in. The files' list is read (one line a file), never the observations.
with files as (
    select files.snapshot_id, files.dataset, files.release_date, snaps.snapshot_as_of, snaps.snapshot_version
    from {{ ref('stg_crime__files') }} as files
    left join {{ ref('stg_crime__snapshots') }} as snaps using (snapshot_id)
    where files.source_format = 'cts'
)

select snapshot_id, dataset, release_date
from files
qualify row_number() over (
    partition by dataset, release_date
    order by snapshot_as_of desc nulls last, snapshot_version desc nulls last, snapshot_id desc
) = 1
