{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- A country's figure is the country's own row: never a subnational part, never an aggregate. The
-- one exception is a figure formed from the subnational units that cover the country, which says so
-- in its rule; its rows must then be units of that same country.
with facts as (
    select indicator_code, ref_area_code, year,
           aggregation_rule like '%the sum of its units, which cover the country%'
               or aggregation_rule like 'sum of its units, which cover the country%' as is_formed_from_units,
           split_part(source_rows, ':', 1) as source_file,
           cast(split_part(split_part(split_part(source_rows, ';', 1), ':', 2), ',', 1) as bigint) as source_row
    from {{ ref('fct_indicator_values') }}
    where source_family = 'crime_statistics' and ref_area_type = 'country'
      and disaggregation_dimension = '_T'
)

select facts.*, obs.reporting_unit, obs.reporting_unit_kind
from facts
inner join {{ ref('fct_crime_statistics') }} as obs using (source_file, source_row)
where obs.country_iso3 != facts.ref_area_code
   or (not facts.is_formed_from_units and obs.reporting_unit_kind not in ('country', 'alias'))
   or (facts.is_formed_from_units and obs.reporting_unit_kind != 'subnational')
