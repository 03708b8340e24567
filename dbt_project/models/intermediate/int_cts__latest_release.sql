-- The rows of the newest release of each UN-CTS dataset. Older releases stay in the raw layer as
-- vintages (rpt_crime_release_changes compares them). The newest release is found in the list of
-- files (one line a file), not by grouping the observations: at ×100 that is 19 million rows.
with files as (
    select snapshot_id, dataset, release_date
    from {{ ref('stg_crime__files') }}
    where source_format = 'cts'
),

latest as (
    select dataset, max(release_date) as release_date
    from files
    group by dataset
),

latest_snapshots as (
    select snapshot_id
    from files
    inner join latest using (dataset, release_date)
)

select *
from {{ ref('stg_cts__observations') }}
where snapshot_id in (select snapshot_id from latest_snapshots)
