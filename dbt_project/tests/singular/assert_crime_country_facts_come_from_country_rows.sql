{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- A country's figure is the country's own row: never a subnational part, never an aggregate.
with facts as (
    select indicator_code, ref_area_code, year,
           split_part(source_rows, ':', 1) as source_file,
           cast(split_part(split_part(source_rows, ':', 2), ',', 1) as bigint) as source_row
    from {{ ref('fct_indicator_values') }}
    where source_family = 'crime_statistics' and ref_area_type = 'country'
      and disaggregation_dimension = '_T'
)

select facts.*, obs.reporting_unit, obs.reporting_unit_kind
from facts
inner join {{ ref('fct_crime_statistics') }} as obs using (source_file, source_row)
where obs.reporting_unit_kind not in ('country', 'alias') or obs.country_iso3 != facts.ref_area_code
