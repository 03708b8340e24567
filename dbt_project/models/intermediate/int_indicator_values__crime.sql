-- The crime-statistics indicators declared in the registry, from the newest UN-CTS releases.
--   cts_series: one published series per country; regions and world either summed over reporting
--               countries (counts) or taken from UNODC's published regional estimates (rates).
--   cts_share:  numerator / denominator per country (a percentage); regions and world as the sum of
--               numerators over the sum of denominators of the countries that report both.
-- Only rows of countries are used: subnational units and aggregates in the same column are never
-- added to a country's figure. A censored value ("<5") has no value, bounds [0, 5) and status Q.
with specs as (
    select
        indicator_code,
        computation_rule,
        computation_spec as spec
    from {{ ref('dim_indicator') }}
    where computation_rule in ('cts_series', 'cts_share')
),

-- The (dataset, indicator) pairs any rule reads: the rows of the newest releases are narrowed to
-- them once, instead of every part below scanning every row (19 million at ×100).
wanted as (
    select distinct json_extract_string(spec, '$.dataset') as dataset, json_extract_string(spec, path) as indicator
    from specs
    cross join (select unnest(['$.series.indicator', '$.numerator.indicator', '$.denominator.indicator',
                               '$.estimate_indicator']) as path) as paths
    where json_extract_string(spec, path) is not null
),

observations as (
    select latest.*
    from {{ ref('int_cts__latest_release') }} as latest
    semi join wanted using (dataset, indicator)
),

members as (
    select * from {{ ref('int_geo__member_years') }}
),

series_rows as (
    select
        specs.indicator_code,
        'series' as part,
        specs.spec,
        observations.*
    from specs
    inner join observations
        on observations.dataset = json_extract_string(specs.spec, '$.dataset')
       and observations.indicator = json_extract_string(specs.spec, '$.series.indicator')
       and observations.dimension = json_extract_string(specs.spec, '$.series.dimension')
       and observations.category = json_extract_string(specs.spec, '$.series.category')
       and observations.sex = json_extract_string(specs.spec, '$.series.sex')
       and observations.age = json_extract_string(specs.spec, '$.series.age')
       and observations.unit = json_extract_string(specs.spec, '$.series.unit')
    where specs.computation_rule = 'cts_series'
),

share_rows as (
    select specs.indicator_code, parts.part, specs.spec, observations.*
    from specs
    cross join (select unnest(['numerator', 'denominator']) as part) as parts
    inner join observations
        on observations.dataset = json_extract_string(specs.spec, '$.dataset')
       and observations.indicator = json_extract_string(specs.spec, '$.' || parts.part || '.indicator')
       and observations.dimension = json_extract_string(specs.spec, '$.' || parts.part || '.dimension')
       and observations.category = json_extract_string(specs.spec, '$.' || parts.part || '.category')
       and observations.sex = json_extract_string(specs.spec, '$.' || parts.part || '.sex')
       and observations.age = json_extract_string(specs.spec, '$.' || parts.part || '.age')
       and observations.unit = json_extract_string(specs.spec, '$.' || parts.part || '.unit')
    where specs.computation_rule = 'cts_share'
),

-- One figure per country, year and part; where the official file repeats a key, the last row in
-- file order is used and the rule says so.
country_parts as (
    select
        *,
        count(*) over (partition by indicator_code, part, country_iso3, year) as repeats
    from (select * from series_rows union all by name select * from share_rows)
    where reporting_unit_kind in ('country', 'alias')
    qualify row_number() over (partition by indicator_code, part, country_iso3, year order by source_row desc) = 1
),

series_country as (
    select
        indicator_code,
        'country' as ref_area_type,
        country_iso3 as ref_area_code,
        year,
        value_numeric as value,
        case when is_censored then 'Q' else 'A' end as obs_status,
        case when is_censored then 0.0 end as lower_bound,
        case when is_censored then censor_upper end as upper_bound,
        unit as unit_measure,
        'as published' || case when is_censored then ' ("' || value_text || '": fewer than '
            || cast(censor_upper as integer) || ')' else '' end
            || case when repeats > 1 then '; the file repeats this key ' || repeats || ' times, the last row is used' else '' end
            as aggregation_rule,
        snapshot_id,
        cast(release_date as varchar) as vintage,
        source_file || ':' || source_row as source_rows,
        is_censored,
        censor_upper
    from country_parts
    where part = 'series'
),

share_country as (
    select
        n.indicator_code,
        'country' as ref_area_type,
        n.country_iso3 as ref_area_code,
        n.year,
        100.0 * n.value_numeric / d.value_numeric as value,
        'A' as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        'percent' as unit_measure,
        '100 x ' || json_extract_string(n.spec, '$.numerator.category') || ' / '
            || json_extract_string(n.spec, '$.denominator.indicator') || ' (counts, same year)' as aggregation_rule,
        n.snapshot_id,
        cast(n.release_date as varchar) as vintage,
        n.source_file || ':' || n.source_row || ',' || d.source_row as source_rows,
        n.value_numeric as numerator,
        d.value_numeric as denominator
    from country_parts as n
    inner join country_parts as d
        on d.indicator_code = n.indicator_code and d.country_iso3 = n.country_iso3 and d.year = n.year
       and d.part = 'denominator'
    where n.part = 'numerator' and d.value_numeric > 0 and n.value_numeric is not null
),

country_facts as (
    select * exclude (is_censored, censor_upper) from series_country
    union all by name
    select * exclude (numerator, denominator) from share_country
),

-- Regions and world of counts: the sum over the Member States that report, with the bounds that
-- censored values leave open, and the coverage beside it.
summed as (
    select
        s.indicator_code,
        g.group_type as ref_area_type,
        g.group_code as ref_area_code,
        s.year,
        sum(s.value) as value,
        case when count(s.value) = 0 then 'Q' when bool_or(s.is_censored) then 'E' else 'A' end as obs_status,
        sum(coalesce(s.value, 0)) as lower_bound,
        sum(coalesce(s.value, s.upper_bound)) as upper_bound,
        any_value(s.unit_measure) as unit_measure,
        count(*) as members_reporting,
        string_agg(distinct s.snapshot_id, ',') as snapshot_ids,
        max(s.vintage) as vintage
    from series_country as s
    inner join {{ ref('dim_indicator') }} as d using (indicator_code)
    inner join members as m on m.iso3 = s.ref_area_code and m.year = s.year
    cross join lateral ({{ area_groups('m.m49_region_code') }}) as g
    where json_extract_string(d.computation_spec, '$.aggregate') = 'sum'
    group by all
),

shared as (
    select
        s.indicator_code,
        g.group_type as ref_area_type,
        g.group_code as ref_area_code,
        s.year,
        100.0 * sum(s.numerator) / sum(s.denominator) as value,
        'A' as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        'percent' as unit_measure,
        count(*) as members_reporting,
        string_agg(distinct s.snapshot_id, ',') as snapshot_ids,
        max(s.vintage) as vintage
    from share_country as s
    inner join members as m on m.iso3 = s.ref_area_code and m.year = s.year
    cross join lateral ({{ area_groups('m.m49_region_code') }}) as g
    group by all
),

-- Rates cannot be summed: regions and world come from UNODC's own published estimates.
published as (
    select
        specs.indicator_code,
        case when units.m49_area_code = '001' then 'world' else 'm49_region' end as ref_area_type,
        units.m49_area_code as ref_area_code,
        o.year,
        o.value_numeric as value,
        'E' as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        o.unit as unit_measure,
        o.snapshot_id as snapshot_ids,
        cast(o.release_date as varchar) as vintage,
        o.source_file || ':' || o.source_row as source_rows,
        o.source_codes
    from specs
    inner join observations as o
        on o.dataset = json_extract_string(specs.spec, '$.dataset')
       and o.indicator = json_extract_string(specs.spec, '$.estimate_indicator')
       and o.dimension = json_extract_string(specs.spec, '$.series.dimension')
       and o.category = json_extract_string(specs.spec, '$.series.category')
       and o.sex = json_extract_string(specs.spec, '$.series.sex')
       and o.age = json_extract_string(specs.spec, '$.series.age')
       and o.unit = json_extract_string(specs.spec, '$.series.unit')
    inner join {{ ref('stg_crime__reporting_units') }} as units on units.reporting_unit = o.reporting_unit
    where json_extract_string(specs.spec, '$.aggregate') = 'published' and units.m49_area_code is not null
),

reporting as (
    select
        s.indicator_code, s.year, m.m49_region_code, count(*) as n
    from series_country as s
    inner join members as m on m.iso3 = s.ref_area_code and m.year = s.year
    group by all
),

group_members as (
    select year, m49_region_code as ref_area_code, count(*) as members_in_group from members group by all
    union all
    select year, '001', count(*) from members group by all
),

group_reporting as (
    select indicator_code, year, m49_region_code as ref_area_code, n as members_reporting from reporting
    union all
    select indicator_code, year, '001', sum(n) from reporting group by all
),

aggregate_facts as (
    select
        a.*,
        gm.members_in_group,
        'sum over the Member States that report (censored values bound the sum)' as aggregation_rule
    from (select * from summed union all by name select * from shared) as a
    left join group_members as gm using (year, ref_area_code)
    union all by name
    select
        p.* exclude (source_codes),
        gm.members_in_group,
        gr.members_reporting,
        'UNODC regional estimate published in the file (' || p.source_codes || ')' as aggregation_rule
    from published as p
    left join group_members as gm using (year, ref_area_code)
    left join group_reporting as gr using (indicator_code, year, ref_area_code)
)

select
    indicator_code, ref_area_type, ref_area_code, year,
    '_T' as disaggregation_dimension, '_T' as disaggregation,
    value, unit_measure, cast(null as double) as share_of_members, obs_status, lower_bound, upper_bound,
    1 as members_in_group, 1 as members_reporting, aggregation_rule,
    snapshot_id as snapshot_ids, vintage, source_rows, 'crime_statistics' as source_family
from country_facts
union all by name
select
    indicator_code, ref_area_type, ref_area_code, year,
    '_T' as disaggregation_dimension, '_T' as disaggregation,
    value, unit_measure, cast(null as double) as share_of_members, obs_status, lower_bound, upper_bound,
    members_in_group, members_reporting, aggregation_rule,
    snapshot_ids, vintage, source_rows, 'crime_statistics' as source_family
from aggregate_facts
