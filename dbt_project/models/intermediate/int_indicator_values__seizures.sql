-- Drug seizures (kg equivalent) per country, M49 region and world, by drug group.
with specs as (
    select indicator_code from {{ ref('dim_indicator') }} where computation_rule = 'seizures_kg'
),

country_year as (
    select * from {{ ref('int_seizures__country_year') }}
),

countries as (
    select iso3, m49_region_code from {{ ref('dim_country') }}
),

members as (
    select * from {{ ref('int_geo__member_years') }}
),

country_facts as (
    select
        specs.indicator_code,
        'country' as ref_area_type,
        c.country_iso3 as ref_area_code,
        c.year,
        c.drug_group as disaggregation,
        c.kg as value,
        c.basis as aggregation_rule,
        c.snapshot_id as snapshot_ids,
        c.edition as vintage,
        c.source_rows
    from specs cross join country_year as c
),

grouped as (
    select f.*, g.group_type, g.group_code
    from country_facts as f
    inner join countries on countries.iso3 = f.ref_area_code
    cross join lateral ({{ area_groups('countries.m49_region_code') }}) as g
    where countries.m49_region_code is not null
),

group_members as (
    select year, m49_region_code as group_code, count(*) as members_in_group from members group by all
    union all
    select year, '001', count(*) from members group by all
),

aggregate_facts as (
    select
        grouped.indicator_code,
        grouped.group_type as ref_area_type,
        grouped.group_code as ref_area_code,
        grouped.year,
        grouped.disaggregation,
        sum(grouped.value) as value,
        count(distinct grouped.ref_area_code) as members_reporting,
        any_value(group_members.members_in_group) as members_in_group,
        'sum over the countries and territories that report; reported totals never added to their parts' as aggregation_rule,
        string_agg(distinct grouped.snapshot_ids, ',') as snapshot_ids,
        max(grouped.vintage) as vintage
    from grouped
    left join group_members on group_members.year = grouped.year and group_members.group_code = grouped.group_code
    group by all
)

select
    indicator_code, ref_area_type, ref_area_code, year, 'DRUG_GROUP' as disaggregation_dimension, disaggregation,
    value, 'kilograms' as unit_measure, cast(null as double) as share_of_members, 'A' as obs_status,
    cast(null as double) as lower_bound, cast(null as double) as upper_bound,
    1 as members_in_group, 1 as members_reporting, aggregation_rule, snapshot_ids, vintage, source_rows,
    'crime_statistics' as source_family
from country_facts
union all by name
select
    indicator_code, ref_area_type, ref_area_code, year, 'DRUG_GROUP' as disaggregation_dimension, disaggregation,
    value, 'kilograms' as unit_measure, cast(null as double) as share_of_members, 'A' as obs_status,
    cast(null as double) as lower_bound, cast(null as double) as upper_bound,
    members_in_group, members_reporting, aggregation_rule, snapshot_ids, vintage,
    cast(null as varchar) as source_rows, 'crime_statistics' as source_family
from aggregate_facts
