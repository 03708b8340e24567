{{ config(meta={'dagster': {'asset_key': ['fct_treaty_participation']}}) }}
-- Where a status file declares its number of parties and signatories, the mart agrees with it.
with actual as (
    select
        snapshot_id,
        count(*) filter (where party_since is not null) as parties,
        count(*) filter (where signed_on is not null) as signatories
    from {{ ref('fct_treaty_participation') }}
    group by snapshot_id
)

select status.mtdsg_no, status.declared_parties, actual.parties,
       status.declared_signatories, actual.signatories
from {{ ref('int_untc__current_tables') }} as status
inner join actual using (snapshot_id)
where (status.declared_parties is not null and status.declared_parties != actual.parties)
   or (status.declared_signatories is not null and status.declared_signatories != actual.signatories)
