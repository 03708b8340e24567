-- One row per UN Member State and indicator (and disaggregation) the warehouse states for
-- countries: the latest real value, its year, status and level of influence. A Member State with no
-- real value for the line keeps its row, with the value empty and `has_value` false (missing is
-- never zero). Materialized as a table.
with members as (
    select iso3, country_name, m49_region_name from {{ ref('dim_country') }} where is_un_member_state
),

lines as (
    -- Every indicator and disaggregation with a real country value somewhere.
    select distinct indicator_code, disaggregation_dimension, disaggregation
    from {{ ref('v_latest_indicator_values') }}
    where ref_area_type = 'country'
),

latest as (
    select * from {{ ref('v_latest_indicator_values') }} where ref_area_type = 'country'
)

select
    m.iso3 as country_iso3,
    m.country_name,
    m.m49_region_name,
    l.indicator_code,
    i.indicator_text,
    l.disaggregation_dimension,
    l.disaggregation,
    latest.year as latest_year,
    latest.value as latest_value,
    latest.unit_measure,
    latest.obs_status,
    latest.level_of_influence,
    latest.influence_is_illustrative,
    latest.value is not null as has_value,
    latest.snapshot_ids
from members as m
cross join lines as l
inner join {{ ref('dim_indicator') }} as i using (indicator_code)
left join latest
    on latest.ref_area_code = m.iso3
   and latest.indicator_code = l.indicator_code
   and latest.disaggregation = l.disaggregation
order by m.iso3, l.indicator_code, l.disaggregation
