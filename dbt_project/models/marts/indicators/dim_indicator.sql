-- Every line of the annex (and the few the project derives), with its place in the framework.
with indicators as (
    select * from {{ ref('stg_registry__indicators') }}
),

results as (
    select * from {{ ref('dim_result') }}
)

select
    indicators.indicator_code,
    indicators.indicator_text,
    indicators.line_kind,
    indicators.origin,
    indicators.origin_note,
    indicators.kind,
    indicators.unit,
    indicators.direction,
    indicators.answered_by,
    indicators.awaits,
    indicators.influence_rule,
    indicators.paired_with,
    indicators.baseline_year,
    indicators.targets,
    indicators.sdg_series,
    indicators.computation_rule,
    indicators.computation_instruments,
    indicators.requires_assistance,
    indicators.computation_spec,
    indicators.aggregation_method,
    indicators.aggregation_fallback,
    indicators.aggregation_coverage_base,
    indicators.aggregation_min_coverage,
    indicators.aggregation_text,
    -- How a line answered in part or by proxy is approximated (registry `approximation`).
    indicators.approximation,
    indicators.annex_order,
    results.result_code,
    results.result_text,
    results.area_code,
    results.area_name,
    results.theme_code,
    results.theme_name,
    results.main_objectives
from indicators
inner join results using (result_code)
