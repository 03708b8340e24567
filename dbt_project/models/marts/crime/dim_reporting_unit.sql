-- Reporting units of the crime statistics that are not countries, with their parent country: a
-- country total and its parts (England and Wales, Scotland, Northern Ireland) are never added up.
select * from {{ ref('stg_crime__reporting_units') }}
