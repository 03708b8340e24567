-- The observations of each series' current release: the newest snapshot of its dataset (by the
-- date it is as of, then its version), whether a bundled DDF re-cut file or a series fetched from
-- the SDG API. A release states no release code of its own, so the date it was retrieved (the
-- snapshot's as_of) is its vintage.
with snapshots as (
    select snapshot_id, dataset, source_format, snapshot_as_of, snapshot_version, is_stale
    from {{ ref('stg_sdg__snapshots') }}
),

current_snapshots as (
    select * from snapshots
    qualify row_number() over (partition by dataset order by snapshot_as_of desc, snapshot_version desc, snapshot_id desc) = 1
)

select
    o.*,
    s.snapshot_as_of as vintage,
    case s.source_format when 'sdg_api_json' then 'SDG API' else 'DDF re-cut' end as channel,
    s.is_stale
from {{ ref('stg_sdg__observations') }} as o
inner join current_snapshots as s using (snapshot_id)
