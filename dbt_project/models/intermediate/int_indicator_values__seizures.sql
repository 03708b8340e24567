-- Drug seizures (kg equivalent) per country, M49 region and world, by drug group.
-- Country: each seizure counted once (int_seizures__country_year: the reported total of the group
-- where the country gives one, else the sum of its detailed rows; coca leaf and bush a group of
-- their own). Region and world: the sum over the countries and territories that report the group
-- that year (aggregation_method 'sum'). Coverage is counted in UN Member States: members_in_group
-- the Member States of the group that year, members_reporting those among them that report seizures
-- that year (of any drug group: the table lists only the drugs a responding country seized, so a
-- responding country without a row for a group seized none of it, as the WDR's own totals take it);
-- territories that are not Member States (Hong Kong, Taiwan...) are added but not counted.
-- Each year's figures come from one edition of table 7.1, the newest that covers the year
-- (int_seizures__country_year); `aggregation_rule` names it and `vintage` is that edition.
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
        c.basis || coalesce('; ' || c.edition_rule, '') as aggregation_rule,
        c.edition_rule,
        c.note,
        c.snapshot_id as snapshot_ids,
        c.edition as vintage,
        c.source_rows
    from specs cross join country_year as c
),

grouped as (
    select f.*, g.group_type, g.group_code, m.iso3 is not null as is_member
    from country_facts as f
    inner join countries on countries.iso3 = f.ref_area_code
    left join members as m on m.iso3 = f.ref_area_code and m.year = f.year
    cross join lateral ({{ area_groups('countries.m49_region_code') }}) as g
    where countries.m49_region_code is not null
),

responding as (
    -- The Member States that report seizures that year, by group of areas.
    select distinct group_code, year, ref_area_code from grouped where is_member
),

responding_count as (
    select group_code, year, count(*) as members_responding from responding group by all
),

group_members as (
    select year, ref_area_code as group_code, members_in_group from {{ ref('int_geo__group_members') }}
),

aggregate_facts as (
    select
        grouped.indicator_code,
        grouped.group_type as ref_area_type,
        grouped.group_code as ref_area_code,
        grouped.year,
        grouped.disaggregation,
        {{ exact_sum("grouped.value") }} as value,
        count(distinct grouped.ref_area_code) filter (where grouped.is_member) as members_reporting,
        count(distinct grouped.ref_area_code) as areas_reporting,
        count(*) filter (where grouped.aggregation_rule like 'reported total%') as areas_by_total,
        string_agg(distinct grouped.snapshot_ids, ',' order by grouped.snapshot_ids) as snapshot_ids,
        string_agg(distinct grouped.edition_rule, '; ' order by grouped.edition_rule) as edition_rule,
        max(grouped.vintage) as vintage
    from grouped
    group by all
)

select
    indicator_code, ref_area_type, ref_area_code, cast(year as integer) as year, 'DRUG_GROUP' as disaggregation_dimension, disaggregation,
    value, 'kilograms' as unit_measure, cast(null as double) as share_of_members, 'A' as obs_status,
    cast(null as double) as lower_bound, cast(null as double) as upper_bound,
    1 as members_in_group, 1 as members_reporting, aggregation_rule,
    cast(null as varchar) as aggregation_method, note, cast(null as varchar) as withheld_reason,
    snapshot_ids, vintage, source_rows, 'crime_statistics' as source_family
from country_facts
union all by name
select
    a.indicator_code, a.ref_area_type, a.ref_area_code, cast(a.year as integer) as year, 'DRUG_GROUP' as disaggregation_dimension, a.disaggregation,
    a.value, 'kilograms' as unit_measure, cast(null as double) as share_of_members, 'A' as obs_status,
    cast(null as double) as lower_bound, cast(null as double) as upper_bound,
    coalesce(gm.members_in_group, 0) as members_in_group, coalesce(r.members_responding, 0) as members_reporting,
    'sum over the ' || a.areas_reporting || ' countries and territories that report this drug group ('
        || a.areas_by_total || ' by their reported total, the others by the sum of their detailed rows; '
        || 'a reported total is never added to its parts); ' || coalesce(r.members_responding, 0)
        || ' Member States report seizures that year, ' || a.members_reporting
        || ' of them of this group (the others list none)' || coalesce('; ' || a.edition_rule, '') as aggregation_rule,
    'sum' as aggregation_method, cast(null as varchar) as note, cast(null as varchar) as withheld_reason,
    a.snapshot_ids, a.vintage, cast(null as varchar) as source_rows, 'crime_statistics' as source_family
from aggregate_facts as a
left join group_members as gm on gm.year = a.year and gm.group_code = a.ref_area_code
left join responding_count as r on r.year = a.year and r.group_code = a.ref_area_code
