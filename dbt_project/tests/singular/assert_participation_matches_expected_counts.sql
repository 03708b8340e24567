{{ config(meta={'dagster': {'asset_key': ['fct_treaty_participation']}}) }}
-- Rows lost or added between the bundled files and the marts fail here.
with actual as (
    select
        mtdsg_no,
        any_value(as_of) as snapshot_as_of,
        count(*) as participants,
        count(*) filter (where party_since is not null) as parties,
        count(*) filter (where signed_on is not null) as signatories
    from {{ ref('fct_treaty_participation') }}
    group by mtdsg_no
)

select expected.*, actual.participants as actual_participants, actual.parties as actual_parties,
       actual.signatories as actual_signatories
from {{ ref('expected_treaty_participation') }} as expected
inner join actual
    on actual.mtdsg_no = expected.mtdsg_no and actual.snapshot_as_of = expected.snapshot_as_of
where actual.participants != expected.participants
   or actual.parties != expected.parties
   or actual.signatories != expected.signatories
