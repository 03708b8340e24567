{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- A level of influence is stated only for a year some assistance record covers, and says whether
-- it rests on the illustrative sample; elsewhere it is empty with its reason, never "low".
with covered_years as (
    select min(year) as first_year, max(year) as last_year from {{ ref('fct_assistance') }}
)

select v.indicator_code, v.ref_area_code, v.year, v.level_of_influence, v.influence_basis
from {{ ref('fct_indicator_values') }} as v
cross join covered_years as c
where (v.level_of_influence is not null
       and (c.first_year is null or v.year not between c.first_year and c.last_year
            or v.influence_is_illustrative is null))
   or (v.ref_area_type = 'country' and v.level_of_influence is null
       and v.influence_basis is distinct from 'no assistance data for this year')
