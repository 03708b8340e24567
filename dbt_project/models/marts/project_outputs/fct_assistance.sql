-- Where and when UNODC gave assistance, by result area, with the activities that justify it:
-- every recipient country of an activity, for every year the activity ran, in every result area
-- it works in; and every country, year and area a filled submission template reports outputs for.
with activity_years as (
    select
        areas.*,
        countries.country_iso3,
        cast(unnest(range(year(areas.start_date), year(areas.end_date) + 1)) as integer) as year
    from {{ ref('int_iati__activity_areas') }} as areas
    inner join {{ ref('stg_iati__countries') }} as countries using (snapshot_id, activity_position)
    where countries.country_iso3 is not null and areas.start_date is not null
),

evidence as (
    select country_iso3, year, area_code, iati_identifier as activity_id, 'IATI' as source, is_illustrative, basis
    from activity_years
    union all
    select country_iso3, year, area_code, coalesce(activity_id, 'template ' || source_file || ' row ' || source_row),
           'submission template', is_illustrative, 'reported output ' || indicator_code
    from {{ ref('stg_templates__values') }}
)

select
    country_iso3,
    any_value(countries.country_name) as country_name,
    year,
    area_code,
    list(distinct activity_id order by activity_id) as activity_ids,
    list(distinct source order by source) as sources,
    list(distinct basis order by basis) as bases,
    bool_and(is_illustrative) as is_illustrative
from evidence
left join {{ ref('dim_country') }} as countries on countries.iso3 = evidence.country_iso3
group by country_iso3, year, area_code
