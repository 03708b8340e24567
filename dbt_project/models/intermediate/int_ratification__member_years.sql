-- One row per instrument, year (from adoption to the snapshot's year) and UN Member State of that
-- year: was it a party on 31 December? Successions follow the geography: a participant counts for
-- itself in the years it is a Member State, and before that for the Member State it succeeded (a
-- ratification listed under Serbia counts for Serbia and Montenegro in 2001-2005). Each Member
-- State is counted once a year, whichever of its successors' entries make it a party.
with instruments as (
    select
        instrument_code,
        year(adopted_on) as first_year,
        year(participants_as_of) as last_year,
        participants_as_of,
        participants_snapshot_id
    from {{ ref('dim_instrument') }}
    where participants_as_of is not null
),

countries as (
    select * from {{ ref('dim_country') }}
),

participation as (
    select instrument_code, participant_iso3, party_since, withdrawn_on
    from {{ ref('fct_treaty_participation') }}
    where party_since is not null
),

years as (
    select
        instrument_code,
        participants_as_of,
        participants_snapshot_id,
        cast(unnest(range(first_year, last_year + 1)) as integer) as year
    from instruments
),

member_years as (
    select years.*, countries.iso3 as member_iso3
    from years
    inner join countries
        on countries.un_admission_year <= years.year
       and (countries.un_exit_year is null or countries.un_exit_year > years.year)
),

successions as (
    select iso3 as predecessor_iso3, unnest(string_split(successor_iso3, ';')) as successor_iso3
    from countries
    where successor_iso3 is not null
),

standing as (
    select my.instrument_code, my.year, my.member_iso3, p.participant_iso3, p.party_since, p.withdrawn_on
    from member_years as my
    inner join participation as p
        on p.instrument_code = my.instrument_code and p.participant_iso3 = my.member_iso3
    union all
    select my.instrument_code, my.year, my.member_iso3, p.participant_iso3, p.party_since, p.withdrawn_on
    from member_years as my
    inner join successions as s on s.predecessor_iso3 = my.member_iso3
    inner join participation as p
        on p.instrument_code = my.instrument_code and p.participant_iso3 = s.successor_iso3
    where not exists (
        select 1 from member_years as own
        where own.instrument_code = my.instrument_code
          and own.year = my.year
          and own.member_iso3 = p.participant_iso3
    )
),

party as (
    select
        instrument_code,
        year,
        member_iso3,
        bool_or(party_since <= make_date(year, 12, 31)
                and (withdrawn_on is null or withdrawn_on > make_date(year, 12, 31))) as is_party,
        string_agg(distinct participant_iso3, ',' order by participant_iso3)
            filter (where party_since <= make_date(year, 12, 31)) as via_participants
    from standing
    group by all
)

select
    my.instrument_code,
    my.year,
    my.member_iso3,
    coalesce(party.is_party, false) as is_party,
    party.via_participants,
    my.participants_snapshot_id as snapshot_id,
    my.participants_as_of as snapshot_as_of,
    my.year = year(my.participants_as_of)
        and my.participants_as_of < make_date(my.year, 12, 31) as is_partial_year
from member_years as my
left join party using (instrument_code, year, member_iso3)
