-- Regional and world figures pooled from the country values of the UN Member States that report
-- (int_crime__country_values, units that cover a country included): the sum of a series (censored
-- values bound it) and, for a share, the sum of numerators over the sum of denominators. Which of
-- these an indicator publishes is the registry's aggregation (int_indicator_values__crime);
-- rpt_crime_share_reconciliation sets the pooled share beside UNODC's published estimate.
with country_values as (
    select * from {{ ref('int_crime__country_values') }}
),

members as (
    select * from {{ ref('int_geo__member_years') }}
),

group_members as (
    select * from {{ ref('int_geo__group_members') }}
),

pooled as (
    select
        v.indicator_code,
        g.group_type as ref_area_type,
        g.group_code as ref_area_code,
        v.year,
        {{ exact_sum("v.value") }} as sum_value,
        {{ exact_sum("coalesce(v.value, 0)") }} as sum_lower,
        {{ exact_sum("coalesce(v.value, v.upper_bound)") }} as sum_upper,
        count(v.value) as values_counted,
        bool_or(v.is_censored) as has_censored,
        100.0 * {{ exact_sum("v.numerator") }} / {{ exact_sum("v.denominator") }} as ratio_value,
        any_value(v.unit_measure) as unit_measure,
        count(*) as members_reporting,
        count(*) filter (where v.is_formed_from_units) as members_formed_from_units,
        string_agg(distinct v.snapshot_id, ',' order by v.snapshot_id) as snapshot_ids,
        max(v.vintage) as vintage
    from country_values as v
    inner join members as m on m.iso3 = v.ref_area_code and m.year = v.year
    cross join lateral ({{ area_groups('m.m49_region_code') }}) as g
    group by all
)

select pooled.*, group_members.members_in_group
from pooled
left join group_members using (year, ref_area_code)
