-- Every country and year for which a crime indicator has figures only from subnational units (the
-- country reports no figure of its own): whether a country figure was formed from the units (they
-- cover the country) or not, and why not. A country is never silently absent from an indicator
-- because it reports by unit.
select
    u.indicator_code,
    u.country_iso3,
    countries.country_name,
    u.year,
    u.units,
    u.covering as units_that_cover_the_country,
    u.is_formed,
    case when u.is_formed then 'formed: the sum of its units, which cover the country' else u.reason end as outcome,
    u.snapshot_id,
    u.source_rows
from {{ ref('int_crime__unit_sums') }} as u
left join {{ ref('dim_country') }} as countries on countries.iso3 = u.country_iso3
where not u.has_country_value
