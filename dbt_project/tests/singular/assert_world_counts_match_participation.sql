{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- The world value of a ratification indicator in the snapshot's year equals the number of that
-- year's Member States that the participation mart shows as parties (no predecessor is a Member
-- State any more by then, so the two must agree exactly).
with facts as (
    select indicator_code, disaggregation as instrument_code, year, value
    from {{ ref('fct_indicator_values') }}
    where ref_area_type = 'world'
),

latest as (
    select instrument_code, year(participants_as_of) as year from {{ ref('dim_instrument') }}
),

parties as (
    select p.instrument_code, count(distinct p.participant_iso3) as parties
    from {{ ref('fct_treaty_participation') }} as p
    inner join latest using (instrument_code)
    inner join {{ ref('dim_country') }} as c on c.iso3 = p.participant_iso3
    where p.is_party
      and c.un_admission_year <= latest.year
      and (c.un_exit_year is null or c.un_exit_year > latest.year)
    group by p.instrument_code
)

select facts.*, parties.parties
from facts
inner join latest using (instrument_code, year)
inner join parties using (instrument_code)
where facts.value != parties.parties
