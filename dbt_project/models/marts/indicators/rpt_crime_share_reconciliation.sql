-- Where the warehouse computes a share that the source file also publishes (the world and regional
-- share of unsentenced detainees), both side by side with their difference.
with specs as (
    select indicator_code, computation_spec as spec
    from {{ ref('dim_indicator') }}
    where computation_rule = 'cts_share'
),

published as (
    select specs.indicator_code, units.m49_area_code as ref_area_code, o.year, o.value_numeric as published_value,
           o.source_file || ':' || o.source_row as published_source_row
    from specs
    inner join {{ ref('fct_crime_statistics') }} as o
        on o.dataset = json_extract_string(specs.spec, '$.dataset')
       and o.indicator = json_extract_string(specs.spec, '$.published.indicator')
       and o.unit = json_extract_string(specs.spec, '$.published.unit')
       and o.sex = json_extract_string(specs.spec, '$.published.sex')
       and o.age = json_extract_string(specs.spec, '$.published.age')
    inner join {{ ref('stg_crime__reporting_units') }} as units on units.reporting_unit = o.reporting_unit
    where units.m49_area_code is not null
),

computed as (
    select indicator_code, ref_area_code, year, value as computed_value, members_reporting, members_in_group
    from {{ ref('int_indicator_values__crime') }}
    where ref_area_type in ('world', 'm49_region')
)

select
    published.*,
    computed.computed_value,
    computed.members_reporting,
    computed.members_in_group,
    computed.computed_value - published.published_value as difference,
    abs(computed.computed_value - published.published_value) <= 1.0 as agrees_within_one_point
from published
left join computed using (indicator_code, ref_area_code, year)
