-- For each instrument, the newest snapshot that carries a participant table. A newer header-only
-- file (status counts only) does not hide the participants of an older full table.
with status as (
    select * from {{ ref('stg_untc__treaty_status') }}
),

snapshots as (
    select snapshot_id, snapshot_version from {{ ref('stg_untc__snapshots') }}
),

ranked as (
    select
        status.*,
        snapshots.snapshot_version,
        row_number() over (
            partition by status.mtdsg_no
            order by status.snapshot_as_of desc, snapshots.snapshot_version desc, status.snapshot_id desc
        ) as recency
    from status
    inner join snapshots using (snapshot_id)
    where status.has_participant_table
)

select * exclude (recency) from ranked where recency = 1
