-- For each instrument, the newest snapshot of any kind: the latest counts the UNTC declares.
with status as (
    select * from {{ ref('stg_untc__treaty_status') }}
),

snapshots as (
    select snapshot_id, snapshot_version from {{ ref('stg_untc__snapshots') }}
),

ranked as (
    select
        status.*,
        row_number() over (
            partition by status.mtdsg_no
            order by status.snapshot_as_of desc, snapshots.snapshot_version desc, status.snapshot_id desc
        ) as recency
    from status
    inner join snapshots using (snapshot_id)
)

select * exclude (recency) from ranked where recency = 1
