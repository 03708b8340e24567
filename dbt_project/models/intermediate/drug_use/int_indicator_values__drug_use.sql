-- The indicators the registry computes from the WDR drug tables, one rule each:
--   drug_use_reporting  Member States with a national prevalence estimate (table 1.2) whose survey
--                       year falls in the registry's window up to the year: 1 per such Member State,
--                       and the count per M49 region and world over the group's Member States
--   drug_prevalence     per country, drug and survey year, the best estimate with its bounds; the
--                       world, UNODC's global estimate (table 1.1) with its bounds, as published
--   drug_market         per country, drug and year, the typical price (in the one currency and unit
--                       the line states) or purity (percent) at one level of sale, with its range
-- A key (country, drug, year) the table gives several differing figures for is withheld and says
-- how many: the one for the preferred age range is taken where there is exactly one. Bounds that
-- do not enclose their figure are not given (the note says so). No regional figure is formed.
with specs as (
    select indicator_code, computation_rule, computation_spec as spec
    from {{ ref('dim_indicator') }}
    where computation_rule in ('drug_use_reporting', 'drug_prevalence', 'drug_market')
),

member_years as (
    select * from {{ ref('int_geo__member_years') }}
),

group_members as (
    select * from {{ ref('int_geo__group_members') }}
),

prevalence as (
    select * from {{ ref('fct_drug_prevalence') }}
),

-- ---------------------------------------------------------------- drug_use_reporting
reporting_specs as (
    select
        indicator_code,
        cast(json_extract_string(spec, '$.window_years') as integer) as window_years,
        json_extract_string(spec, '$.recall_period') as recall_period
    from specs
    where computation_rule = 'drug_use_reporting'
),

estimates as (
    select distinct s.indicator_code, s.window_years, p.country_iso3, p.year, p.snapshot_id, p.edition
    from reporting_specs as s
    inner join prevalence as p on p.recall_period = s.recall_period and p.area_kind = 'country'
),

-- From the first year whose whole window the table covers to its last survey year.
reporting_span as (
    select indicator_code, window_years, unnest(generate_series(min(year) + window_years - 1, max(year))) as year
    from estimates
    group by indicator_code, window_years
),

reporting_members as (
    select
        r.indicator_code, r.year, r.window_years, m.iso3, m.m49_region_code,
        count(distinct e.year) as survey_years,
        max(e.year) as last_survey,
        string_agg(distinct e.snapshot_id, ',' order by e.snapshot_id) as snapshot_ids,
        max(e.edition) as edition
    from reporting_span as r
    inner join member_years as m on m.year = r.year
    inner join estimates as e
        on e.indicator_code = r.indicator_code and e.country_iso3 = m.iso3
       and e.year between r.year - r.window_years + 1 and r.year
    group by all
),

reporting_country as (
    select
        indicator_code, 'country' as ref_area_type, iso3 as ref_area_code, year,
        '_T' as disaggregation_dimension, '_T' as disaggregation,
        1.0 as value, 'Member States' as unit_measure, cast(null as double) as share_of_members, 'A' as obs_status,
        cast(null as double) as lower_bound, cast(null as double) as upper_bound,
        1 as members_in_group, 1 as members_reporting,
        cast(null as varchar) as aggregation_method,
        'a Member State with a national estimate of annual prevalence in ' || edition || ' table 1.2 from a survey of '
            || (year - window_years + 1) || '-' || year || ' (' || survey_years || ' survey year(s), the latest '
            || last_survey || ')' as aggregation_rule,
        cast(null as varchar) as withheld_reason, cast(null as varchar) as note,
        snapshot_ids, edition as vintage, cast(null as varchar) as source_rows
    from reporting_members
),

reporting_groups as (
    select
        r.indicator_code, g.group_type as ref_area_type, g.group_code as ref_area_code, r.year,
        count(*) as counted,
        string_agg(distinct r.snapshot_ids, ',') as snapshot_ids,
        max(r.edition) as edition,
        any_value(r.window_years) as window_years
    from reporting_members as r
    cross join lateral ({{ area_groups('r.m49_region_code') }}) as g
    group by all
),

reporting_aggregate as (
    select
        r.indicator_code, r.ref_area_type, r.ref_area_code, r.year,
        '_T' as disaggregation_dimension, '_T' as disaggregation,
        cast(r.counted as double) as value, 'Member States' as unit_measure,
        r.counted / gm.members_in_group as share_of_members, 'A' as obs_status,
        cast(null as double) as lower_bound, cast(null as double) as upper_bound,
        gm.members_in_group, r.counted as members_reporting,
        'count' as aggregation_method,
        'count of the UN Member States of the year (M49 region of the State) with a national estimate of annual '
            || 'prevalence in ' || r.edition || ' table 1.2 from a survey of ' || (r.year - r.window_years + 1) || '-'
            || r.year || '; a lower bound: a Member State may collect data the table does not publish' as aggregation_rule,
        cast(null as varchar) as withheld_reason, cast(null as varchar) as note,
        r.snapshot_ids, r.edition as vintage, cast(null as varchar) as source_rows
    from reporting_groups as r
    inner join group_members as gm on gm.year = r.year and gm.ref_area_code = r.ref_area_code
),

-- ---------------------------------------------------------------- drug_prevalence
prevalence_specs as (
    select
        indicator_code,
        json_extract_string(spec, '$.recall_period') as recall_period,
        json_extract_string(spec, '$.sex') as sex,
        json_extract_string(spec, '$.preferred_age') as preferred_age,
        cast(coalesce(json_extract(spec, '$.codes'), '{}') as map(varchar, varchar)) as codes,
        cast(coalesce(json_extract(spec, '$.world_drugs'), '{}') as map(varchar, varchar)) as world_drugs
    from specs
    where computation_rule = 'drug_prevalence'
),

prevalence_rows as (
    select
        s.indicator_code, s.preferred_age, coalesce(s.codes[p.drug], p.drug) as disaggregation,
        p.country_iso3, p.year, p.year_text, p.age, p.best as value, p.low, p.high, p.source, p.method,
        p.edition, p.snapshot_id, p.source_file || ':' || p.sheet || '!' || p.source_row as source_row_ref,
        p.source_row, 'survey' as what
    from prevalence_specs as s
    inner join prevalence as p
        on p.recall_period = s.recall_period and p.sex = s.sex and p.area_kind = 'country'
       -- A drug's sheet, not the NPS sheet's substances (a figure per substance, not per drug).
       and p.substance is null and p.substance_group is null
),

-- ---------------------------------------------------------------- drug_market
market_specs as (
    select
        indicator_code,
        json_extract_string(spec, '$.table') as market_table,
        json_extract_string(spec, '$.level') as level,
        json_extract_string(spec, '$.currency') as currency,
        json_extract_string(spec, '$.unit') as unit,
        json_extract_string(spec, '$.unit_measure') as unit_measure,
        from_json(json_extract(spec, '$.drugs'), '["VARCHAR"]') as drugs
    from specs
    where computation_rule = 'drug_market'
),

market_rows as (
    select
        s.indicator_code, s.unit_measure, p.drug as disaggregation, p.country_iso3, p.year,
        p.typical as value, p.minimum as low, p.maximum as high, p.level_of_sale, p.source,
        p.unit || ' in ' || p.currency as published_as,
        p.edition, p.snapshot_id, p.source_file || ':' || p.sheet || '!' || p.source_row as source_row_ref, p.source_row
    from market_specs as s
    inner join {{ ref('fct_drug_prices') }} as p
        on s.market_table = 'prices' and p.level = s.level and p.currency_code = s.currency
       and p.unit_normalised = s.unit and list_contains(s.drugs, p.drug)
       and p.area_kind = 'country' and p.typical is not null
    union all
    select
        s.indicator_code, s.unit_measure, q.drug, q.country_iso3, q.year,
        100 * q.typical_fraction, 100 * q.minimum_fraction, 100 * q.maximum_fraction, q.level_of_sale, q.source,
        q.purity_unit || ' read as ' || q.purity_scale,
        q.edition, q.snapshot_id, q.source_file || ':' || q.sheet || '!' || q.source_row, q.source_row
    from market_specs as s
    inner join {{ ref('fct_drug_purities') }} as q
        on s.market_table = 'purities' and q.level = s.level and list_contains(s.drugs, q.drug)
       and q.area_kind = 'country' and q.typical_fraction is not null
),

-- ---------------------------------------------------------------- one figure per key
keyed as (
    select indicator_code, disaggregation, country_iso3, year, value, low, high, edition, snapshot_id, source_row_ref,
           source_row, age = preferred_age as preferred,
           'best estimate of annual prevalence, percent of the population aged ' || coalesce(age, '(age not stated)')
               || ' (' || year_text || ' survey; ' || coalesce(source, 'source not stated')
               || coalesce(', method ' || method, '') || '), as ' || edition || ' table 1.2 publishes it' as rule_text,
           'percent' as unit_measure,
           'ages ' || coalesce(age, 'not stated') || ': ' || value || coalesce(' (' || source || ')', '') as detail
    from prevalence_rows
    union all by name
    select indicator_code, disaggregation, country_iso3, year, value, low, high, edition, snapshot_id, source_row_ref,
           source_row, false as preferred,
           'typical ' || lower(level_of_sale) || ' figure as ' || edition || ' table 8.1 publishes it ('
               || published_as || coalesce('; source ' || source, '') || ')' as rule_text,
           unit_measure,
           level_of_sale || ' ' || value || ' (' || published_as || coalesce(', ' || source, '') || ')' as detail
    from market_rows
),

keys as (
    select
        indicator_code, disaggregation, country_iso3, year,
        count(*) as n,
        count(*) filter (where preferred) as n_preferred,
        count(distinct concat_ws('|', value, low, high)) as n_values,
        string_agg(detail, '; ' order by source_row, snapshot_id) as details
    from keyed
    group by all
),

chosen as (
    select k.*, keys.n, keys.n_preferred, keys.n_values
    from keyed as k
    inner join keys using (indicator_code, disaggregation, country_iso3, year)
    where keys.n = 1 or keys.n_values = 1 or (keys.n_preferred = 1 and k.preferred)
    qualify row_number() over (partition by indicator_code, disaggregation, country_iso3, year order by source_row, snapshot_id) = 1
),

figure_facts as (
    select
        indicator_code, 'country' as ref_area_type, country_iso3 as ref_area_code, year,
        'DRUG_GROUP' as disaggregation_dimension, disaggregation,
        value, unit_measure, cast(null as double) as share_of_members,
        case when bounded and (low is not null or high is not null) then 'E' else 'A' end as obs_status,
        case when bounded then low end as lower_bound,
        case when bounded then high end as upper_bound,
        1 as members_in_group, 1 as members_reporting, cast(null as varchar) as aggregation_method,
        rule_text || case when n > 1 and n_values = 1 then '; ' || n || ' rows of the table give the same figure'
                          when n > 1 then '; the one for the preferred age range of the ' || n || ' the table gives'
                          else '' end as aggregation_rule,
        cast(null as varchar) as withheld_reason,
        case when not bounded then 'the table''s range (' || coalesce(cast(low as varchar), '-') || ' to '
            || coalesce(cast(high as varchar), '-') || ') does not enclose its figure: no bounds given' end as note,
        snapshot_id as snapshot_ids, edition as vintage, source_row_ref as source_rows
    from (
        select *, coalesce(low <= value, true) and coalesce(high >= value, true) and coalesce(low <= high, true) as bounded
        from chosen
    )
),

withheld_facts as (
    select
        k.indicator_code, 'country' as ref_area_type, k.country_iso3 as ref_area_code, k.year,
        'DRUG_GROUP' as disaggregation_dimension, k.disaggregation,
        cast(null as double) as value, any_value(r.unit_measure) as unit_measure, cast(null as double) as share_of_members,
        'O' as obs_status, cast(null as double) as lower_bound, cast(null as double) as upper_bound,
        1 as members_in_group, 1 as members_reporting, cast(null as varchar) as aggregation_method,
        'several figures of the table for one country, drug and year' as aggregation_rule,
        k.n || ' differing figures in the table for this country, drug and year (' || k.details
            || '), none preferred: every one is in the family''s marts' as withheld_reason,
        cast(null as varchar) as note,
        string_agg(distinct r.snapshot_id, ',') as snapshot_ids, max(r.edition) as vintage,
        string_agg(r.source_row_ref, ',' order by r.source_row) as source_rows
    from keys as k
    inner join keyed as r using (indicator_code, disaggregation, country_iso3, year)
    where not (k.n = 1 or k.n_values = 1 or k.n_preferred = 1)
    group by k.indicator_code, k.country_iso3, k.year, k.disaggregation, k.n, k.details
),

-- ---------------------------------------------------------------- the world's prevalence (table 1.1)
world_reporting as (
    select
        r.indicator_code, r.disaggregation, y.year, count(distinct m.iso3) as members_reporting
    from prevalence_rows as r
    inner join (select distinct year from {{ ref('fct_drug_prevalence_regional') }}) as y
        on r.year between y.year - 4 and y.year
    inner join member_years as m on m.iso3 = r.country_iso3 and m.year = y.year
    group by all
),

world_facts as (
    select
        s.indicator_code, 'world' as ref_area_type, '001' as ref_area_code, g.year,
        'DRUG_GROUP' as disaggregation_dimension, s.world_drugs[g.drug] as disaggregation,
        g.best as value, 'percent' as unit_measure, cast(null as double) as share_of_members,
        'E' as obs_status, g.low as lower_bound, g.high as upper_bound,
        coalesce(gm.members_in_group, 0) as members_in_group, coalesce(w.members_reporting, 0) as members_reporting,
        'published' as aggregation_method,
        'UNODC''s global estimate of annual prevalence, percent of the population aged 15-64, as ' || g.edition
            || ' table 1.1 publishes it (' || g.drug_text || '), with its bounds; members_reporting: Member States '
            || 'with a national estimate of the drug in table 1.2 in the five years up to the year' as aggregation_rule,
        cast(null as varchar) as withheld_reason, cast(null as varchar) as note,
        g.snapshot_id as snapshot_ids, g.edition as vintage,
        g.source_file || ':' || g.sheet || '!' || g.source_row as source_rows
    from prevalence_specs as s
    inner join {{ ref('fct_drug_prevalence_regional') }} as g
        on g.region_level = 'global' and g.measure = 'prevalence' and s.world_drugs[g.drug] is not null
       and g.best is not null
    left join group_members as gm on gm.year = g.year and gm.ref_area_code = '001'
    left join world_reporting as w
        on w.indicator_code = s.indicator_code and w.disaggregation = s.world_drugs[g.drug] and w.year = g.year
)

select
    * replace (cast(year as integer) as year, cast(members_in_group as bigint) as members_in_group,
               cast(members_reporting as bigint) as members_reporting),
    'drug_use_and_markets' as source_family
from (
    select * from reporting_country
    union all by name select * from reporting_aggregate
    union all by name select * from figure_facts
    union all by name select * from withheld_facts
    union all by name select * from world_facts
)
