-- The indicators the registry computes from SDG series (computation rule sdg_series): per country
-- the figure as the SDG database publishes it; per M49 region and world the registry's aggregation,
-- one method per row, named in aggregation_method:
--   published  the aggregate the SDG database publishes for the region or the world
--   mean       the unweighted mean over the Member States of the group that report (no numerator
--              or denominator is published, so nothing better can be pooled)
-- The registry's method where it gives a figure for the area and year, else its fallback; no
-- other. Coverage is counted in UN Member States of the group; the fact model withholds a formed
-- (not published) aggregate below the registry's minimum. Each line takes one series in one units
-- code and, where the registry says so, one sex and age; `by` splits it by a dimension, its codes
-- mapped to the warehouse's disaggregation codes (a code the registry does not map is kept as it
-- is, and the code-list test of fct_indicator_values fails on it until it is reviewed).
with specs as (
    select
        indicator_code,
        json_extract_string(computation_spec, '$.series') as series_code,
        json_extract_string(computation_spec, '$.units') as units,
        json_extract_string(computation_spec, '$.unit_measure') as unit_measure,
        json_extract_string(computation_spec, '$.sex') as sex,
        json_extract_string(computation_spec, '$.age') as age,
        json_extract_string(computation_spec, '$.by.dimension') as by_dimension,
        json_extract_string(computation_spec, '$.by.as') as by_as,
        json_extract(computation_spec, '$.by.codes') as by_codes,
        aggregation_method,
        aggregation_fallback
    from {{ ref('dim_indicator') }}
    where computation_rule = 'sdg_series'
),

-- The rows each line reads. The SDG API's global reporting type (G) is the figure of the global
-- database; a nationally reported (N) figure beside it is not the series' figure.
selected as (
    select
        s.indicator_code, s.unit_measure, s.by_as, s.by_codes,
        o.*,
        case when s.by_dimension is null then '_T'
             else json_extract_string(o.dimensions, '$.' || s.by_dimension) end as by_code
    from specs as s
    inner join {{ ref('fct_sdg_observations') }} as o
        on o.series_code = s.series_code
       and o.units is not distinct from s.units
       and (s.sex is null or o.sex = s.sex)
       and (s.age is null or o.age = s.age)
       and coalesce(o.reporting_type, 'G') = 'G'
),

located as (
    select
        * exclude (by_codes),
        coalesce(json_extract_string(by_codes, '$."' || by_code || '"'), by_code) as disaggregation,
        -- SDMX status: the series' own where it has one; an estimate or a model, and an aggregate
        -- the database publishes (the custodian's estimate for the group), are estimates.
        case
            when observation_status is not null then observation_status
            when nature in ('E', 'M') then 'E'
            when area_kind in ('world', 'region') then 'E'
            else 'A'
        end as obs_status
    from selected
    -- A line split by a dimension reads the rows that have it.
    where by_code is not null
),

country_facts as (
    select
        indicator_code, 'country' as ref_area_type, country_iso3 as ref_area_code, year,
        case when disaggregation = '_T' then '_T' else by_as end as disaggregation_dimension, disaggregation,
        value, unit_measure, obs_status, lower_bound, upper_bound,
        'as published in the SDG Global Database, series ' || series_code || ' (' || units
            || coalesce(', ' || sex, '') || coalesce(', ' || age, '') || coalesce('; nature ' || nature || ': ' || nature_label, '')
            || '; ' || channel || ')' as aggregation_rule,
        snapshot_id, cast(vintage as varchar) as vintage, source_file || ':' || source_row as source_rows
    from located
    where area_kind = 'country'
),

member_years as (
    select * from {{ ref('int_geo__member_years') }}
),

-- The Member States of each group with a figure of their own, per line, disaggregation and year.
member_facts as (
    select f.*, g.group_type, g.group_code
    from country_facts as f
    inner join member_years as m on m.iso3 = f.ref_area_code and m.year = f.year
    cross join lateral ({{ area_groups('m.m49_region_code') }}) as g
),

reporting as (
    select
        indicator_code, group_type as ref_area_type, group_code as ref_area_code, year,
        disaggregation_dimension, disaggregation,
        count(*) as members_reporting,
        {{ exact_sum("value") }} / count(value) as mean_value,
        string_agg(distinct snapshot_id, ',' order by snapshot_id) as snapshot_ids,
        max(vintage) as vintage
    from member_facts
    group by all
),

published as (
    select
        indicator_code, ref_area_type, geo_area_code as ref_area_code, year,
        case when disaggregation = '_T' then '_T' else by_as end as disaggregation_dimension, disaggregation,
        value, unit_measure, obs_status, lower_bound, upper_bound,
        'published' as aggregation_method,
        'the ' || case ref_area_type when 'world' then 'world' else 'regional' end
            || ' aggregate the SDG Global Database publishes, series ' || series_code
            || coalesce(' (nature ' || nature || ': ' || nature_label || ')', '') as aggregation_rule,
        snapshot_id as snapshot_ids, cast(vintage as varchar) as vintage, source_file || ':' || source_row as source_rows
    from located
    where ref_area_type in ('world', 'm49_region')
),

means as (
    select
        r.indicator_code, r.ref_area_type, r.ref_area_code, r.year, r.disaggregation_dimension, r.disaggregation,
        r.mean_value as value, s.unit_measure, 'A' as obs_status,
        cast(null as double) as lower_bound, cast(null as double) as upper_bound,
        'mean' as aggregation_method,
        'unweighted mean of the ' || r.members_reporting || ' Member States of the group that report'
            || ' (the database publishes neither numerator nor denominator to pool)' as aggregation_rule,
        r.snapshot_ids, r.vintage, cast(null as varchar) as source_rows
    from reporting as r
    inner join specs as s using (indicator_code)
),

-- The registry's method where it gives a figure for the area and year, else its fallback.
candidates as (
    select
        c.*,
        case c.aggregation_method when specs.aggregation_method then 1 when specs.aggregation_fallback then 2 end
            as preference
    from (select * from published union all by name select * from means) as c
    inner join specs using (indicator_code)
),

aggregate_facts as (
    select
        c.* exclude (preference, aggregation_rule),
        c.aggregation_rule || case when c.preference = 2
            then '; the SDG database publishes no aggregate for this area and year' else '' end as aggregation_rule,
        coalesce(gm.members_in_group, 0) as members_in_group,
        coalesce(r.members_reporting, 0) as members_reporting
    from candidates as c
    left join {{ ref('int_geo__group_members') }} as gm using (year, ref_area_code)
    left join reporting as r using (indicator_code, ref_area_type, ref_area_code, year, disaggregation)
    where c.preference is not null
    qualify row_number() over (
        partition by c.indicator_code, c.ref_area_code, c.year, c.disaggregation order by c.preference) = 1
)

select
    indicator_code, ref_area_type, ref_area_code, cast(year as integer) as year,
    disaggregation_dimension, disaggregation,
    value, unit_measure, cast(null as double) as share_of_members, obs_status, lower_bound, upper_bound,
    1 as members_in_group, 1 as members_reporting,
    cast(null as varchar) as aggregation_method, aggregation_rule,
    cast(null as varchar) as withheld_reason, cast(null as varchar) as note,
    snapshot_id as snapshot_ids, vintage, source_rows, 'sdg_global_database' as source_family
from country_facts
union all by name
select
    indicator_code, ref_area_type, ref_area_code, cast(year as integer) as year,
    disaggregation_dimension, disaggregation,
    value, unit_measure, cast(null as double) as share_of_members, obs_status, lower_bound, upper_bound,
    members_in_group, members_reporting,
    aggregation_method, aggregation_rule,
    cast(null as varchar) as withheld_reason, cast(null as varchar) as note,
    snapshot_ids, vintage, source_rows, 'sdg_global_database' as source_family
from aggregate_facts
