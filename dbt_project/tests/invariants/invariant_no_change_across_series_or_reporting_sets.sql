{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- A year-on-year change is stated only between like and like. A country's change equals the change
-- of one series published in both years (a figure without a series letter continues the series
-- before it). A regional or world change needs both years' levels stated, formed by the same method
-- over as many reporting countries, and equals their change (or, where a country of the sum changed
-- series, adds that country's one series in both years and says so).
with specs as (
    select c.indicator_code as change_code, l.indicator_code as level_code,
           json_extract_string(c.computation_spec, '$.measure') as measure
    from {{ ref('dim_indicator') }} as c
    inner join {{ ref('dim_indicator') }} as l
        on l.computation_rule = 'crop_level'
       and json_extract_string(l.computation_spec, '$.measure') = json_extract_string(c.computation_spec, '$.measure')
    where c.computation_rule = 'crop_change'
),

changes as (
    select v.*, s.level_code, s.measure
    from {{ ref('fct_indicator_values') }} as v
    inner join specs as s on s.change_code = v.indicator_code
    where v.value is not null
),

figures as (
    select crop, measure, country_iso3, year, series, value
    from {{ ref('fct_crop_cultivation') }}
    where is_current and not is_total and value is not null
),

country_without_a_series as (
    select c.indicator_code, c.ref_area_type, c.ref_area_code, c.year, c.disaggregation, c.value
    from changes as c
    where c.ref_area_type = 'country'
      and not exists (
          select 1 from figures as cur
          inner join figures as prev
              on prev.crop = cur.crop and prev.measure = cur.measure and prev.country_iso3 = cur.country_iso3
             and prev.year = cur.year - 1
             and (prev.series = cur.series or cur.series is null or prev.series is null)
          where cur.crop = c.disaggregation and cur.measure = c.measure and cur.country_iso3 = c.ref_area_code
            and cur.year = c.year and prev.value > 0
            and abs(100.0 * (cur.value - prev.value) / prev.value - c.value) < 1e-6)
),

aggregate_unlike as (
    select c.indicator_code, c.ref_area_type, c.ref_area_code, c.year, c.disaggregation, c.value
    from changes as c
    left join {{ ref('fct_indicator_values') }} as cur
        on cur.indicator_code = c.level_code and cur.ref_area_type = c.ref_area_type
       and cur.ref_area_code = c.ref_area_code and cur.disaggregation = c.disaggregation and cur.year = c.year
    left join {{ ref('fct_indicator_values') }} as prev
        on prev.indicator_code = c.level_code and prev.ref_area_type = c.ref_area_type
       and prev.ref_area_code = c.ref_area_code and prev.disaggregation = c.disaggregation and prev.year = c.year - 1
    where c.ref_area_type != 'country'
      and (cur.value is null or prev.value is null or prev.value = 0
           or cur.aggregation_method is distinct from prev.aggregation_method
           or cur.members_reporting is distinct from prev.members_reporting
           -- where a country of the sum changed series, the change adds that country's one series in
           -- both years (its rule says so) and so differs from the change of the levels
           or (abs(100.0 * (cur.value - prev.value) / prev.value - c.value) > 1e-6
               and c.aggregation_rule not like '%within series%'))
)

select * from country_without_a_series
union all
select * from aggregate_unlike
