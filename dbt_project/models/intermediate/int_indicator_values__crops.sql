-- The alternative-development indicators from the crop surveys: cultivation (and production) per
-- country, M49 region and world, by crop; the year-on-year change; each country's share of the
-- world. Current figures only (the newest edition). Where a country has two series in one year
-- (Peru b and c in 2011), the later-listed series, the one the annex continues, is used.
with specs as (
    select
        indicator_code,
        computation_rule as rule,
        json_extract_string(computation_spec, '$.measure') as measure
    from {{ ref('dim_indicator') }}
    where computation_rule in ('crop_level', 'crop_change', 'crop_share')
),

current_figures as (
    select * from {{ ref('fct_crop_cultivation') }} where is_current and value is not null
),

country_figures as (
    select * from current_figures
    where not is_total
    qualify row_number() over (partition by crop, measure, country_iso3, year order by series desc nulls last) = 1
),

published_totals as (
    select * from current_figures where is_total
    qualify row_number() over (partition by crop, measure, year order by series nulls first) = 1
),

countries as (
    select iso3, m49_region_code from {{ ref('dim_country') }}
),

members as (
    select * from {{ ref('int_geo__member_years') }}
),

group_members as (
    select year, m49_region_code as ref_area_code, count(*) as members_in_group from members group by all
    union all
    select year, '001', count(*) from members group by all
),

country_levels as (
    select
        measure, crop, 'country' as ref_area_type, country_iso3 as ref_area_code, year,
        value, lower_bound, upper_bound, obs_status,
        1 as members_in_group, 1 as members_reporting,
        source_type || ', ' || edition || coalesce('; series ' || series || ': ' || footnotes, '') as aggregation_rule,
        snapshot_id as snapshot_ids, edition as vintage, source_file || ':' || source_rows as source_rows
    from country_figures
),

summed as (
    select
        f.measure, f.crop, g.group_type as ref_area_type, g.group_code as ref_area_code, f.year,
        sum(f.value) as value,
        sum(coalesce(f.lower_bound, f.value)) as lower_bound,
        sum(coalesce(f.upper_bound, f.value)) as upper_bound,
        count(*) as members_reporting,
        string_agg(distinct f.snapshot_id, ',') as snapshot_ids,
        max(f.edition) as vintage
    from country_figures as f
    inner join countries as c on c.iso3 = f.country_iso3
    cross join lateral ({{ area_groups('c.m49_region_code') }}) as g
    group by all
),

aggregate_levels as (
    select
        s.measure, s.crop, s.ref_area_type, s.ref_area_code, s.year,
        coalesce(t.value, s.value) as value,
        case when t.value is null and s.lower_bound != s.value then s.lower_bound else t.lower_bound end as lower_bound,
        case when t.value is null and s.upper_bound != s.value then s.upper_bound else t.upper_bound end as upper_bound,
        case when t.value is not null then t.obs_status else 'A' end as obs_status,
        gm.members_in_group,
        s.members_reporting,
        case
            when t.value is not null then 'total as published in ' || t.edition || ' (the reporting countries sum to '
                || cast(round(s.value) as bigint) || ')'
            else 'sum over the countries that report'
        end as aggregation_rule,
        coalesce(t.snapshot_id, s.snapshot_ids) as snapshot_ids,
        coalesce(t.edition, s.vintage) as vintage,
        t.source_file || ':' || t.source_rows as source_rows
    from summed as s
    left join published_totals as t
        on s.ref_area_type = 'world' and t.crop = s.crop and t.measure = s.measure and t.year = s.year
    left join group_members as gm on gm.year = s.year and gm.ref_area_code = s.ref_area_code
),

levels as (
    select * from country_levels
    union all by name
    select * from aggregate_levels
),

level_facts as (
    select specs.indicator_code, levels.*
    from specs inner join levels on levels.measure = specs.measure
    where specs.rule = 'crop_level'
),

change_facts as (
    select
        specs.indicator_code, cur.measure, cur.crop, cur.ref_area_type, cur.ref_area_code, cur.year,
        100.0 * (cur.value - prev.value) / prev.value as value,
        cast(null as double) as lower_bound, cast(null as double) as upper_bound,
        'A' as obs_status, cur.members_in_group, cur.members_reporting,
        '100 x (year - previous year) / previous year, from the same series' as aggregation_rule,
        cur.snapshot_ids, cur.vintage, cur.source_rows
    from specs
    inner join levels as cur on cur.measure = specs.measure
    inner join levels as prev
        on prev.measure = cur.measure and prev.crop = cur.crop and prev.ref_area_type = cur.ref_area_type
       and prev.ref_area_code = cur.ref_area_code and prev.year = cur.year - 1
    where specs.rule = 'crop_change' and prev.value > 0
),

share_facts as (
    select
        specs.indicator_code, c.measure, c.crop, c.ref_area_type, c.ref_area_code, c.year,
        100.0 * c.value / w.value as value,
        cast(null as double) as lower_bound, cast(null as double) as upper_bound,
        'A' as obs_status, 1 as members_in_group, 1 as members_reporting,
        '100 x the country''s area / the world area (' || w.aggregation_rule || ')' as aggregation_rule,
        c.snapshot_ids, c.vintage, c.source_rows
    from specs
    inner join levels as c on c.measure = specs.measure and c.ref_area_type = 'country'
    inner join levels as w
        on w.measure = c.measure and w.crop = c.crop and w.ref_area_type = 'world' and w.year = c.year
    where specs.rule = 'crop_share' and w.value > 0
),

facts as (
    select * from level_facts
    union all by name
    select * from change_facts
    union all by name
    select * from share_facts
)

select
    indicator_code, ref_area_type, ref_area_code, year, 'CROP' as disaggregation_dimension, crop as disaggregation,
    value,
    case
        when indicator_code in (select indicator_code from specs where rule in ('crop_change', 'crop_share')) then 'percent'
        when measure like '%_ha' then 'hectares'
        else 'tonnes'
    end as unit_measure,
    cast(null as double) as share_of_members, obs_status, lower_bound, upper_bound,
    members_in_group, members_reporting, aggregation_rule, snapshot_ids, vintage, source_rows,
    'crop_surveys' as source_family
from facts
