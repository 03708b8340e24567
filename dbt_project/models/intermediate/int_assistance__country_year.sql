-- Assistance by country, year and result area: from project outputs (fct_assistance) and from
-- the reviewed seed of assistance records that no file reports.
with records as (
    select country_iso3, year, area_code, unnest(activity_ids) as activity_id, is_illustrative
    from {{ ref('fct_assistance') }}
    union all
    select country_iso3, year, area_code, activity_id, is_illustrative
    from {{ ref('assistance_country_year') }}
)

select
    country_iso3,
    year,
    area_code,
    list(distinct activity_id order by activity_id) as activity_ids,
    bool_and(is_illustrative) as is_illustrative
from records
group by all
