-- Where assistance data exist at all: a level of influence (high, medium or low) can be stated only
-- for a country and year some assistance source covers. An IATI activity file covers every country
-- for the years its activities span (an absent country received nothing from that publisher);
-- a submission template and a reviewed seed record cover only the country and year they report.
with iati_years as (
    select
        snapshot_id,
        cast(unnest(range(min(year(start_date)), max(year(end_date)) + 1)) as integer) as year,
        bool_and(is_illustrative) as is_illustrative
    from {{ ref('stg_iati__activities') }}
    where start_date is not null and end_date is not null
    group by snapshot_id
),

covered as (
    select cast(null as varchar) as country_iso3, year, is_illustrative, 'IATI activities' as source
    from iati_years
    union all
    select distinct country_iso3, year, is_illustrative, 'submission template'
    from {{ ref('stg_templates__values') }}
    where country_iso3 is not null and year is not null
    union all
    select distinct country_iso3, year, is_illustrative, 'reviewed assistance record'
    from {{ ref('assistance_country_year') }}
)

select
    country_iso3,
    year,
    -- True only when every source covering it is the illustrative sample.
    bool_and(is_illustrative) as is_illustrative,
    list(distinct source order by source) as sources
from covered
group by all
