-- The crime-statistics indicators declared in the registry, from the newest UN-CTS releases.
-- Countries: int_crime__country_values (as published, a share of two counts, or the sum of the
-- subnational units that cover the country). Regions and world: the registry's aggregation, one
-- method per row, named in aggregation_method:
--   published      UNODC's own estimate, where the file publishes one for the area and year
--   sum            the sum over the Member States that report (censored values bound it)
--   ratio_of_sums  100 x sum of numerators / sum of denominators over the Member States reporting both
-- The registry's method is used where it gives a figure, else its fallback; no other. Coverage is
-- counted in UN Member States of the group (members_in_group) and those whose figure is in the
-- aggregate (members_reporting); the fact model withholds what falls below the registry's minimum.
with specs as (
    select indicator_code, computation_rule, computation_spec as spec, aggregation_method, aggregation_fallback
    from {{ ref('dim_indicator') }}
    where computation_rule in ('cts_series', 'cts_share')
),

country_values as (
    select * from {{ ref('int_crime__country_values') }}
),

pooled as (
    select * from {{ ref('int_crime__pooled_aggregates') }}
),

group_members as (
    select * from {{ ref('int_geo__group_members') }}
),

published as (
    select
        o.indicator_code,
        case when units.m49_area_code = '001' then 'world' else 'm49_region' end as ref_area_type,
        units.m49_area_code as ref_area_code,
        o.year,
        o.value_numeric as value,
        'E' as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        case when specs.computation_rule = 'cts_share' then 'percent' else o.unit end as unit_measure,
        'UNODC regional estimate published in the file (' || o.source_codes || ')' as aggregation_rule,
        'published' as aggregation_method,
        o.snapshot_id as snapshot_ids,
        cast(o.release_date as varchar) as vintage,
        o.source_file || ':' || o.source_row as source_rows
    from {{ ref('int_crime__indicator_parts') }} as o
    inner join specs using (indicator_code)
    inner join {{ ref('stg_crime__reporting_units') }} as units on units.reporting_unit = o.reporting_unit
    where o.part = 'published' and units.m49_area_code is not null and o.value_numeric is not null
),

summed as (
    select
        p.indicator_code, p.ref_area_type, p.ref_area_code, p.year,
        p.sum_value as value,
        case when p.values_counted = 0 then 'Q' when p.has_censored then 'E' else 'A' end as obs_status,
        p.sum_lower as lower_bound,
        p.sum_upper as upper_bound,
        p.unit_measure,
        'sum over the ' || p.members_reporting || ' Member States that report'
            || case when p.has_censored then ' (censored values bound the sum)' else '' end as aggregation_rule,
        'sum' as aggregation_method,
        p.snapshot_ids, p.vintage, cast(null as varchar) as source_rows
    from pooled as p
    inner join specs using (indicator_code)
    -- Only counts add up: a rate series is never summed, whatever the registry says.
    where specs.computation_rule = 'cts_series' and p.unit_measure = 'Counts'
),

ratios as (
    select
        p.indicator_code, p.ref_area_type, p.ref_area_code, p.year,
        p.ratio_value as value,
        'A' as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        'percent' as unit_measure,
        '100 x sum of ' || json_extract_string(specs.spec, '$.numerator.label') || ' / sum of '
            || json_extract_string(specs.spec, '$.denominator.label') || ' over the ' || p.members_reporting
            || ' Member States that report both' as aggregation_rule,
        'ratio_of_sums' as aggregation_method,
        p.snapshot_ids, p.vintage, cast(null as varchar) as source_rows
    from pooled as p
    inner join specs using (indicator_code)
    where specs.computation_rule = 'cts_share' and p.ratio_value is not null
),

-- The registry's method where it gives a figure for the area and year, else its fallback.
candidates as (
    select
        c.*,
        case c.aggregation_method when specs.aggregation_method then 1 when specs.aggregation_fallback then 2 end as preference,
        specs.aggregation_method as declared_method
    from (select * from published union all by name select * from summed union all by name select * from ratios) as c
    inner join specs using (indicator_code)
),

aggregate_facts as (
    select
        c.* exclude (preference, declared_method, aggregation_rule),
        c.aggregation_rule || case when c.preference = 2
            then '; UNODC publishes no estimate for this area and year' else '' end as aggregation_rule,
        coalesce(gm.members_in_group, 0) as members_in_group,
        coalesce(p.members_reporting, 0) as members_reporting
    from candidates as c
    left join group_members as gm using (year, ref_area_code)
    left join pooled as p using (indicator_code, ref_area_code, year)
    where c.preference is not null
    qualify row_number() over (partition by c.indicator_code, c.ref_area_code, c.year order by c.preference) = 1
)

select
    indicator_code, 'country' as ref_area_type, ref_area_code, cast(year as integer) as year,
    '_T' as disaggregation_dimension, '_T' as disaggregation,
    value, unit_measure, cast(null as double) as share_of_members, obs_status, lower_bound, upper_bound,
    1 as members_in_group, 1 as members_reporting, aggregation_rule,
    cast(null as varchar) as aggregation_method, cast(null as varchar) as note, cast(null as varchar) as withheld_reason,
    snapshot_id as snapshot_ids, vintage, source_rows, 'crime_statistics' as source_family
from country_values
union all by name
select
    indicator_code, ref_area_type, ref_area_code, cast(year as integer) as year,
    '_T' as disaggregation_dimension, '_T' as disaggregation,
    value, unit_measure, cast(null as double) as share_of_members, obs_status, lower_bound, upper_bound,
    members_in_group, members_reporting, aggregation_rule,
    aggregation_method, cast(null as varchar) as note, cast(null as varchar) as withheld_reason,
    snapshot_ids, vintage, source_rows, 'crime_statistics' as source_family
from aggregate_facts
