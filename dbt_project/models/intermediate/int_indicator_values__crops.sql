-- The alternative-development indicators from the crop surveys: cultivation (and production) per
-- country, M49 region and world, by crop; the year-on-year change; each country's share of the
-- world. Current figures only (the newest edition). Where a country has two series in one year
-- (Peru b and c in 2011), the later-listed series, the one the annex continues, is its level.
--
-- Aggregates follow the registry's `aggregation:` blocks: the world is the total the annex
-- publishes, else the sum over the countries that report; a region is that sum. The coverage base
-- is the countries that cultivate the crop in the group (any current figure for that crop and
-- measure, any year). A sum below the minimum coverage is withheld here (as the fact model would),
-- so that no change or share is computed from it. A change compares two figures of one series, and
-- two aggregates only when they are of one kind and rest on the same countries.
with specs as (
    select
        indicator_code,
        computation_rule as rule,
        json_extract_string(computation_spec, '$.measure') as measure,
        aggregation_min_coverage as min_coverage
    from {{ ref('dim_indicator') }}
    where computation_rule in ('crop_level', 'crop_change', 'crop_share')
),

current_figures as (
    select * from {{ ref('fct_crop_cultivation') }} where is_current and value is not null
),

-- Every current country figure, each series apart.
series_figures as (
    select * from current_figures where not is_total
),

-- The country's figure for the year: one series.
country_figures as (
    select * from series_figures
    qualify row_number() over (partition by crop, measure, country_iso3, year order by series desc nulls last) = 1
),

-- The published world total of the year (the table's grand total, not a subtotal).
published_totals as (
    select * from current_figures
    where is_total and not (lower(label_name) like 'sub%' and band is not null)
    qualify row_number() over (partition by crop, measure, year order by series nulls first) = 1
),

countries as (
    select iso3, m49_region_code from {{ ref('dim_country') }}
),

located as (
    select f.*, g.group_type, g.group_code
    from country_figures as f
    inner join countries as c on c.iso3 = f.country_iso3
    cross join lateral ({{ area_groups('c.m49_region_code') }}) as g
),

-- The coverage base: the countries that cultivate the crop in the group, i.e. that have a current
-- figure for that crop and measure in any year.
group_base as (
    select f.crop, f.measure, g.group_type, g.group_code, count(distinct f.country_iso3) as members_in_group
    from series_figures as f
    inner join countries as c on c.iso3 = f.country_iso3
    cross join lateral ({{ area_groups('c.m49_region_code') }}) as g
    group by all
),

-- How many countries the published total's own table lists that year.
table_countries as (
    select snapshot_id, crop, measure, year, count(distinct country_iso3) as countries
    from series_figures group by all
),

country_levels as (
    select
        measure, crop, 'country' as ref_area_type, country_iso3 as ref_area_code, year,
        cast(null as varchar) as aggregation_method,
        value, lower_bound, upper_bound, obs_status,
        1 as members_in_group, 1 as members_reporting,
        cast(null as varchar[]) as reporting_set,
        source_type || ', ' || edition || coalesce('; series ' || series || ': ' || footnotes, '') as aggregation_rule,
        cast(null as varchar) as note,
        snapshot_id as snapshot_ids, edition as vintage, source_file || ':' || source_rows as source_rows
    from country_figures
),

summed as (
    select
        measure, crop, group_type as ref_area_type, group_code as ref_area_code, year,
        {{ exact_sum("value") }} as value,
        {{ exact_sum("coalesce(lower_bound, value)") }} as lower_bound,
        {{ exact_sum("coalesce(upper_bound, value)") }} as upper_bound,
        count(*) as members_reporting,
        list(country_iso3 order by country_iso3) as reporting_set,
        string_agg(distinct snapshot_id, ',' order by snapshot_id) as snapshot_ids,
        max(edition) as vintage
    from located
    group by all
),

-- Every aggregate: the regions and the world from the country sums, and a world year the annex
-- publishes a total for even where no country row is current.
aggregate_keys as (
    select measure, crop, ref_area_type, ref_area_code, year from summed
    union
    select measure, crop, 'world', '001', year from published_totals
),

aggregate_levels as (
    select
        k.measure, k.crop, k.ref_area_type, k.ref_area_code, k.year,
        case when t.value is not null then 'published' else 'sum' end as aggregation_method,
        coalesce(t.value, s.value) as value,
        case when t.value is null and s.lower_bound != s.value then s.lower_bound else t.lower_bound end as lower_bound,
        case when t.value is null and s.upper_bound != s.value then s.upper_bound else t.upper_bound end as upper_bound,
        case when t.value is not null then t.obs_status else 'A' end as obs_status,
        coalesce(b.members_in_group, 0) as members_in_group,
        -- a published total rests on the countries its table lists; a sum on those that report
        case when t.value is not null then coalesce(tc.countries, 0) else s.members_reporting end as members_reporting,
        s.reporting_set,
        s.value as countries_sum,
        t.rows_sum as total_rows_sum,
        t.differs_from_rows as total_differs_from_rows,
        t.footnotes as total_footnotes,
        case
            when t.value is not null then 'total as published in ' || t.edition || coalesce(' (the reporting countries sum to '
                || cast(round(s.value) as bigint) || ')', '')
            else 'sum over the countries that report'
        end as aggregation_rule,
        coalesce(t.snapshot_id, s.snapshot_ids) as snapshot_ids,
        coalesce(t.edition, s.vintage) as vintage,
        t.source_file || ':' || t.source_rows as source_rows
    from aggregate_keys as k
    left join summed as s
        on s.measure = k.measure and s.crop = k.crop and s.ref_area_type = k.ref_area_type
       and s.ref_area_code = k.ref_area_code and s.year = k.year
    left join published_totals as t
        on k.ref_area_type = 'world' and t.crop = k.crop and t.measure = k.measure and t.year = k.year
    left join table_countries as tc
        on tc.snapshot_id = t.snapshot_id and tc.crop = t.crop and tc.measure = t.measure and tc.year = t.year
    left join group_base as b
        on b.crop = k.crop and b.measure = k.measure and b.group_type = k.ref_area_type and b.group_code = k.ref_area_code
),

-- What a reader must see beside an aggregate: a published total that its own rows, or the countries'
-- current figures, do not add up to; and a region holding every cultivating country whose sum is
-- not the published world total.
aggregate_notes as (
    select
        a.*,
        nullif(concat_ws('; ',
            case when a.aggregation_method = 'published' and a.total_differs_from_rows
                then 'the published world total ' || format('{:,}', cast(round(a.value) as bigint))
                    || ' differs from the sum of its rows ' || format('{:,}', cast(round(a.total_rows_sum) as bigint))
            end,
            case when a.aggregation_method = 'published' and abs(a.value - a.countries_sum) >= 0.5
                      and not (a.total_differs_from_rows and abs(a.total_rows_sum - a.countries_sum) < 0.5)
                then 'the published world total ' || format('{:,}', cast(round(a.value) as bigint))
                    || ' differs from the sum of the country figures shown ' || format('{:,}', cast(round(a.countries_sum) as bigint))
                    || coalesce(' (the total''s footnote: ' || a.total_footnotes || ')', '')
            end,
            case when a.ref_area_type = 'm49_region' and w.aggregation_method = 'published'
                      and a.members_in_group = w.members_in_group and abs(a.value - w.value) >= 0.5
                then 'every country that cultivates the crop is in this region, and their sum ' || format('{:,}', cast(round(a.value) as bigint))
                    || ' differs from the published world total ' || format('{:,}', cast(round(w.value) as bigint))
            end
        ), '') as note
    from aggregate_levels as a
    left join aggregate_levels as w
        on a.ref_area_type = 'm49_region' and w.ref_area_type = 'world'
       and w.crop = a.crop and w.measure = a.measure and w.year = a.year
),

levels as (
    select * from country_levels
    union all by name
    select * exclude (countries_sum, total_rows_sum, total_differs_from_rows, total_footnotes) from aggregate_notes
),

-- Each level as one indicator states it: a sum below the indicator's minimum coverage is withheld.
judged as (
    select
        specs.indicator_code, specs.rule, specs.min_coverage, levels.*,
        levels.aggregation_method = 'sum' and levels.members_in_group > 0
            and levels.members_reporting / levels.members_in_group < specs.min_coverage as below_coverage
    from specs inner join levels on levels.measure = specs.measure
),

stated as (
    select
        * exclude (value, lower_bound, upper_bound, obs_status),
        case when below_coverage then null else value end as value,
        case when below_coverage then null else lower_bound end as lower_bound,
        case when below_coverage then null else upper_bound end as upper_bound,
        case when below_coverage then 'O' else obs_status end as obs_status,
        case when below_coverage then 'insufficient coverage: ' || members_reporting || ' of ' || members_in_group
            || ' report (' || cast(round(100 * members_reporting / members_in_group) as integer) || ' %; the rule asks for '
            || cast(round(100 * min_coverage) as integer) || ' %)'
        end as withheld_reason,
        value as formed_value
    from judged
),

level_facts as (
    select * exclude (rule, min_coverage, below_coverage, formed_value, reporting_set)
    from stated where rule = 'crop_level'
),

-- A country's change pairs two figures of one series: its figures of both years where their series
-- agree (or a figure has no series letter: a survey report continues the series before it),
-- preferring the series of its stated levels; where the country moves from one series to another
-- (Peru: b in 2010, c in 2011) the series published for both years (b) gives the change.
country_pairs as (
    select
        cur.crop, cur.measure, cur.country_iso3, cur.year,
        cur.value as cur_value, prev.value as prev_value,
        cur.series as pair_series,
        cur.series is not distinct from chosen_cur.series and prev.series is not distinct from chosen_prev.series as is_stated_series
    from series_figures as cur
    inner join series_figures as prev
        on prev.crop = cur.crop and prev.measure = cur.measure and prev.country_iso3 = cur.country_iso3
       and prev.year = cur.year - 1
       and (cur.series = prev.series or cur.series is null or prev.series is null)
    inner join country_figures as chosen_cur
        on chosen_cur.crop = cur.crop and chosen_cur.measure = cur.measure
       and chosen_cur.country_iso3 = cur.country_iso3 and chosen_cur.year = cur.year
    inner join country_figures as chosen_prev
        on chosen_prev.crop = cur.crop and chosen_prev.measure = cur.measure
       and chosen_prev.country_iso3 = cur.country_iso3 and chosen_prev.year = prev.year
    qualify row_number() over (
        partition by cur.crop, cur.measure, cur.country_iso3, cur.year
        order by is_stated_series desc,
                 cur.series is not distinct from chosen_cur.series desc,
                 prev.series is not distinct from chosen_prev.series desc,
                 cur.series
    ) = 1
),

country_changes as (
    select
        specs.indicator_code, cur.measure, cur.crop, 'country' as ref_area_type, cur.ref_area_code, cur.year,
        cast(null as varchar) as aggregation_method,
        case when p.country_iso3 is not null then 100.0 * (p.cur_value - p.prev_value) / p.prev_value end as value,
        case when p.country_iso3 is not null then 'A' else 'O' end as obs_status,
        1 as members_in_group, 1 as members_reporting,
        case
            when p.country_iso3 is null then null
            when p.is_stated_series then '100 x (year - previous year) / previous year, from the same series'
                || coalesce(' (' || p.pair_series || ')', '')
            else '100 x (year - previous year) / previous year, within series ' || p.pair_series
                || ', the one published for both years (the stated figure moves from series '
                || coalesce(pc.series, 'none') || ' in ' || (cur.year - 1) || ' to ' || coalesce(cc.series, 'none')
                || ' in ' || cur.year || ')'
        end as aggregation_rule,
        case when p.country_iso3 is null then 'series break: series ' || coalesce(pc.series, 'none') || ' in '
            || (cur.year - 1) || ', series ' || coalesce(cc.series, 'none') || ' in ' || cur.year
            || '; no series has both years'
        end as withheld_reason,
        cur.snapshot_ids, cur.vintage, cur.source_rows
    from specs
    inner join country_levels as cur on cur.measure = specs.measure
    inner join country_levels as prev
        on prev.measure = cur.measure and prev.crop = cur.crop and prev.ref_area_code = cur.ref_area_code
       and prev.year = cur.year - 1
    inner join country_figures as cc
        on cc.crop = cur.crop and cc.measure = cur.measure and cc.country_iso3 = cur.ref_area_code and cc.year = cur.year
    inner join country_figures as pc
        on pc.crop = cur.crop and pc.measure = cur.measure and pc.country_iso3 = cur.ref_area_code and pc.year = prev.year
    left join country_pairs as p
        on p.crop = cur.crop and p.measure = cur.measure and p.country_iso3 = cur.ref_area_code and p.year = cur.year
    where specs.rule = 'crop_change' and (p.country_iso3 is null or p.prev_value > 0)
),

-- The country pairs added up per group, for a change of a sum.
pair_sums as (
    select
        p.crop, p.measure, g.group_type as ref_area_type, g.group_code as ref_area_code, p.year,
        sum(p.cur_value) as cur_sum, sum(p.prev_value) as prev_sum, count(*) as pairs,
        list(p.country_iso3 order by p.country_iso3) as paired_set,
        list(p.country_iso3 || ' within series ' || p.pair_series order by p.country_iso3)
            filter (where not p.is_stated_series) as moved
    from country_pairs as p
    inner join countries as c on c.iso3 = p.country_iso3
    cross join lateral ({{ area_groups('c.m49_region_code') }}) as g
    group by all
),

-- A change of an aggregate: between two published totals of one edition, or between two sums over
-- the same countries (each within one series); otherwise withheld with the reason.
aggregate_change_cases as (
    select
        cur.indicator_code, cur.measure, cur.crop, cur.ref_area_type, cur.ref_area_code, cur.year,
        cur.aggregation_method, cur.members_in_group,
        case
            when cur.withheld_reason is not null then 'the ' || cur.year || ' aggregate is withheld (' || cur.withheld_reason || ')'
            when prev.withheld_reason is not null then 'the ' || prev.year || ' aggregate is withheld (' || prev.withheld_reason || ')'
            when cur.aggregation_method != prev.aggregation_method
                then 'aggregates of different kinds: ' || prev.aggregation_method || ' in ' || prev.year || ', '
                    || cur.aggregation_method || ' in ' || cur.year
            when cur.aggregation_method = 'published' and cur.vintage != prev.vintage
                then 'published totals of different editions: ' || prev.vintage || ' for ' || prev.year || ', '
                    || cur.vintage || ' for ' || cur.year
            when cur.aggregation_method = 'published' then null
            when cur.reporting_set != prev.reporting_set
                then 'different reporting sets: ' || array_to_string(prev.reporting_set, ', ') || ' in ' || prev.year
                    || '; ' || array_to_string(cur.reporting_set, ', ') || ' in ' || cur.year
            when ps.paired_set is distinct from cur.reporting_set
                then 'series break in ' || array_to_string(list_filter(cur.reporting_set, lambda x: not list_contains(coalesce(ps.paired_set, []), x)), ', ')
        end as withheld_reason,
        case
            when cur.aggregation_method = 'published' then 100.0 * (cur.formed_value - prev.formed_value) / prev.formed_value
            else 100.0 * (ps.cur_sum - ps.prev_sum) / ps.prev_sum
        end as computed,
        case
            when cur.aggregation_method = 'published'
                then '100 x (year - previous year) / previous year, between the totals published in ' || cur.vintage
            else '100 x (year - previous year) / previous year, of the sum over the same ' || cur.members_reporting
                || ' countries in both years, each within one series'
                || coalesce(' (' || array_to_string(ps.moved, ', ') || ')', '')
        end as aggregation_rule,
        cur.members_reporting,
        cur.snapshot_ids, cur.vintage, cur.source_rows
    from stated as cur
    inner join stated as prev
        on prev.indicator_code = cur.indicator_code and prev.crop = cur.crop
       and prev.ref_area_type = cur.ref_area_type and prev.ref_area_code = cur.ref_area_code
       and prev.year = cur.year - 1
    left join pair_sums as ps
        on ps.crop = cur.crop and ps.measure = cur.measure and ps.ref_area_type = cur.ref_area_type
       and ps.ref_area_code = cur.ref_area_code and ps.year = cur.year
    where cur.rule = 'crop_change' and cur.ref_area_type != 'country' and prev.formed_value > 0
),

aggregate_changes as (
    select
        * exclude (computed, aggregation_rule),
        case when withheld_reason is null then computed end as value,
        case when withheld_reason is null then 'A' else 'O' end as obs_status,
        case when withheld_reason is null then aggregation_rule end as aggregation_rule
    from aggregate_change_cases
),

share_facts as (
    select
        c.indicator_code, c.measure, c.crop, c.ref_area_type, c.ref_area_code, c.year,
        cast(null as varchar) as aggregation_method,
        case when w.withheld_reason is null then 100.0 * c.value / w.value end as value,
        case when w.withheld_reason is null then 'A' else 'O' end as obs_status,
        1 as members_in_group, 1 as members_reporting,
        case when w.withheld_reason is null
            then '100 x the country''s area / the world area (' || w.aggregation_rule || ')'
        end as aggregation_rule,
        case when w.withheld_reason is not null then 'the world value is withheld (' || w.withheld_reason || ')' end
            as withheld_reason,
        'the world value: ' || w.note as note,
        c.snapshot_ids, c.vintage, c.source_rows
    from stated as c
    inner join stated as w
        on w.indicator_code = c.indicator_code and w.crop = c.crop and w.ref_area_type = 'world' and w.year = c.year
    where c.rule = 'crop_share' and c.ref_area_type = 'country' and w.formed_value > 0
),

facts as (
    select * from level_facts
    union all by name
    select * from country_changes
    union all by name
    select * from aggregate_changes
    union all by name
    select * from share_facts
)

select
    indicator_code, ref_area_type, ref_area_code, cast(year as integer) as year, 'CROP' as disaggregation_dimension, crop as disaggregation,
    value,
    case
        when indicator_code in (select indicator_code from specs where rule in ('crop_change', 'crop_share')) then 'percent'
        when measure like '%_ha' then 'hectares'
        else 'tonnes'
    end as unit_measure,
    cast(null as double) as share_of_members, obs_status,
    cast(lower_bound as double) as lower_bound, cast(upper_bound as double) as upper_bound,
    members_in_group, members_reporting, aggregation_method, aggregation_rule, withheld_reason, note,
    snapshot_ids, vintage, source_rows,
    'crop_surveys' as source_family
from facts
