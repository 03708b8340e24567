-- The rows of the newest release of each UN-CTS dataset. Older releases stay in the raw layer as
-- vintages (rpt_crime_release_changes compares them). The newest release is found in the list of
-- files (one line a file), not by grouping the observations: at ×100 that is 19 million rows.
-- One snapshot per dataset: two snapshots of one release date (the same file downloaded again
-- under a later version) would double every row; the later download is read, by the date it is
-- as of, then its version, then its id, so that the choice never rests on the order rows were written in.
with files as (
    select files.snapshot_id, files.dataset, files.release_date, snaps.snapshot_as_of, snaps.snapshot_version
    from {{ ref('stg_crime__files') }} as files
    left join {{ ref('stg_crime__snapshots') }} as snaps using (snapshot_id)
    where files.source_format = 'cts'
),

latest_snapshots as (
    select snapshot_id
    from files
    qualify row_number() over (
        partition by dataset
        order by release_date desc nulls last, snapshot_as_of desc nulls last, snapshot_version desc nulls last,
            snapshot_id desc
    ) = 1
)

select *
from {{ ref('stg_cts__observations') }}
where snapshot_id in (select snapshot_id from latest_snapshots)
