-- The output counts the annex asks for (people trained, tools produced, agreements signed …) per
-- country, M49 region and world, from fct_project_outputs. Only the lines the registry takes from
-- project outputs: a template row reporting another line (a ratification, say) is evidence of
-- assistance, not that line's value, and is listed in rpt_project_outputs_unmapped.
with outputs as (
    select o.*
    from {{ ref('fct_project_outputs') }} as o
    semi join {{ ref('dim_indicator') }} as d
        on d.indicator_code = o.indicator_code and d.answered_by = 'project_outputs'
),

countries as (
    select iso3, m49_region_code from {{ ref('dim_country') }}
),

country_facts as (
    select
        indicator_code, 'country' as ref_area_type, country_iso3 as ref_area_code, year,
        {{ exact_sum("value") }} as value, list_distinct(flatten(list(activity_ids))) as activity_ids,
        string_agg(distinct basis, '; ' order by basis) as aggregation_rule,
        string_agg(distinct snapshot_ids, ',' order by snapshot_ids) as snapshot_ids,
        string_agg(distinct source_file, ',' order by source_file) as source_rows,
        bool_and(is_illustrative) as is_illustrative
    from outputs
    group by all
),

grouped as (
    select f.*, g.group_type, g.group_code
    from country_facts as f
    inner join countries on countries.iso3 = f.ref_area_code
    cross join lateral ({{ area_groups('countries.m49_region_code') }}) as g
    where countries.m49_region_code is not null
),

aggregate_facts as (
    select
        indicator_code, group_type as ref_area_type, group_code as ref_area_code, year,
        sum(value) as value, count(distinct ref_area_code) as members_reporting,
        'sum over the countries with reported outputs' as aggregation_rule,
        string_agg(distinct snapshot_ids, ',' order by snapshot_ids) as snapshot_ids,
        bool_and(is_illustrative) as is_illustrative
    from grouped
    group by all
)

select
    indicator_code, ref_area_type, ref_area_code, cast(year as integer) as year, '_T' as disaggregation_dimension, '_T' as disaggregation,
    value, 'count' as unit_measure, cast(null as double) as share_of_members, 'A' as obs_status,
    cast(null as double) as lower_bound, cast(null as double) as upper_bound,
    1 as members_in_group, 1 as members_reporting,
    aggregation_rule || ': ' || array_to_string(activity_ids, ',') as aggregation_rule,
    snapshot_ids, cast(null as varchar) as vintage, source_rows,
    'project_outputs' as source_family, is_illustrative
from country_facts
union all by name
select
    indicator_code, ref_area_type, ref_area_code, cast(year as integer) as year, '_T' as disaggregation_dimension, '_T' as disaggregation,
    value, 'count' as unit_measure, cast(null as double) as share_of_members, 'A' as obs_status,
    cast(null as double) as lower_bound, cast(null as double) as upper_bound,
    members_reporting as members_in_group, members_reporting, 'sum' as aggregation_method, aggregation_rule, snapshot_ids,
    cast(null as varchar) as vintage, cast(null as varchar) as source_rows,
    'project_outputs' as source_family, is_illustrative
from aggregate_facts
