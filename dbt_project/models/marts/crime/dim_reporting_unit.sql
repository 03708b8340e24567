-- Reporting units of the crime statistics that are not countries, with their parent country: a
-- country total and its parts (England and Wales, Scotland, Northern Ireland) are never added up.
select units.* exclude (country_iso3, m49_area_code, covering_part, note),
    units.country_iso3,
    countries.country_name,
    units.m49_area_code, units.covering_part, units.note
from {{ ref('stg_crime__reporting_units') }} as units
left join {{ ref('dim_country') }} as countries on countries.iso3 = units.country_iso3
