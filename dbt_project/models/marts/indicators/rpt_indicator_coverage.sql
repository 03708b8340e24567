-- How many indicators the warehouse computes, and which data the others await.
with indicators as (
    select * from {{ ref('dim_indicator') }}
),

values_per_indicator as (
    select
        indicator_code,
        count(*) as values_published,
        min(year) as first_year,
        max(year) as last_year,
        count(distinct ref_area_code) filter (where ref_area_type = 'country') as countries
    from {{ ref('fct_indicator_values') }}
    group by indicator_code
)

select
    indicators.indicator_code,
    indicators.indicator_text,
    indicators.area_code,
    indicators.result_code,
    indicators.line_kind,
    indicators.kind,
    indicators.answered_by,
    coalesce(values_per_indicator.values_published, 0) as values_published,
    values_per_indicator.first_year,
    values_per_indicator.last_year,
    values_per_indicator.countries,
    case
        when indicators.line_kind = 'note' then 'note'
        when values_per_indicator.values_published > 0 then 'computed'
        when indicators.requires_assistance then 'awaiting assistance data (project outputs)'
        when indicators.answered_by is not null then 'awaiting ' || replace(indicators.answered_by, '_', ' ') || ' data'
        else 'awaiting ' || indicators.awaits
    end as coverage_status
from indicators
left join values_per_indicator using (indicator_code)
order by indicators.annex_order
