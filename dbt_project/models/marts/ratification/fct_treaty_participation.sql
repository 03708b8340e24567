-- One row per participant and instrument: signed on, party since, how, as of which snapshot.
with actions as (
    select * from {{ ref('fct_treaty_actions') }}
),

per_participant as (
    select
        instrument_code,
        mtdsg_no,
        participant_iso3,
        any_value(participant_name) as participant_name,
        string_agg(distinct participant_name_in_source, '; ') as participant_name_in_source,
        min(action_date) filter (where is_signature_action) as signed_on,
        min(action_date) filter (where is_party_action) as party_since,
        arg_min(action_kind, action_date) filter (where is_party_action) as party_by,
        max(action_date) filter (where action_kind = 'withdrawal') as withdrawn_on,
        any_value(snapshot_id) as snapshot_id,
        any_value(snapshot_as_of) as as_of,
        string_agg(distinct footnotes, ',') filter (where footnotes is not null) as footnotes
    from actions
    group by all
)

select
    *,
    party_since is not null and (withdrawn_on is null or withdrawn_on < party_since) as is_party,
    signed_on is not null and party_since is null as signed_not_party
from per_participant
