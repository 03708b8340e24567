-- Where the source file publishes UNODC's own estimate of a share the warehouse can also pool from
-- the countries (the world share of unsentenced detainees), both side by side with their
-- difference. The indicator publishes the estimate (registry aggregation: published); the pooled
-- ratio of the reporting Member States is shown here so that a reader sees how far it would differ.
with specs as (
    select indicator_code from {{ ref('dim_indicator') }} where computation_rule = 'cts_share'
),

published as (
    select o.indicator_code, units.m49_area_code as ref_area_code, o.year, o.value_numeric as published_value,
           o.source_file || ':' || o.source_row as published_source_row
    from {{ ref('int_crime__indicator_parts') }} as o
    inner join specs using (indicator_code)
    inner join {{ ref('stg_crime__reporting_units') }} as units on units.reporting_unit = o.reporting_unit
    where o.part = 'published' and units.m49_area_code is not null
),

computed as (
    select indicator_code, ref_area_code, year, ratio_value as computed_value, members_reporting, members_in_group
    from {{ ref('int_crime__pooled_aggregates') }}
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
