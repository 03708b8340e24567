{{ config(meta={'dagster': {'asset_key': ['fct_crime_statistics']}}) }}
-- Every accepted row of the newest release of each UN-CTS dataset is a row of the mart, once, and
-- the mart holds no other snapshot's rows: a release whose date is missing, that the newest-release
-- choice drops, whose rows come twice (two downloads of one release, a snapshot inserted again by
-- an incremental build) or that stayed after a newer one came shows here with its counts. The
-- newest release is the file of the latest release date, then the latest download (as of,
-- version), then the snapshot id. With the check that (snapshot, source row) is unique in each
-- file (before dbt), this is what makes observation_id, the md5 of both, unique.
with files as (
    select files.snapshot_id, files.dataset, files.release_date, files.rows_accepted,
        snaps.snapshot_as_of, snaps.snapshot_version
    from {{ ref('stg_crime__files') }} as files
    left join {{ ref('stg_crime__snapshots') }} as snaps using (snapshot_id)
    where files.source_format = 'cts'
),

expected as (
    select dataset, snapshot_id, rows_accepted
    from files
    qualify rank() over (
        partition by dataset
        order by release_date desc nulls last, snapshot_as_of desc nulls last, snapshot_version desc nulls last,
            snapshot_id desc
    ) = 1
),

landed as (
    select dataset, snapshot_id, count(*) as rows_in_mart
    from {{ ref('fct_crime_statistics') }}
    group by dataset, snapshot_id
)

select dataset, snapshot_id, coalesce(expected.rows_accepted, 0) as rows_accepted,
    coalesce(landed.rows_in_mart, 0) as rows_in_mart
from expected
full join landed using (dataset, snapshot_id)
where coalesce(expected.rows_accepted, 0) != coalesce(landed.rows_in_mart, 0)
