{{ config(meta={'dagster': {'asset_key': ['rpt_indicator_coverage']}}) }}
-- The coverage report and the registry never contradict each other: a line with values is answered
-- by the family its values come from; a line no family answers has no values and says what it
-- awaits; "real" means some value rests on no illustrative data, "illustrative only" that all do.
with facts as (
    select indicator_code,
           string_agg(distinct source_family, ',') as families,
           count(*) filter (where (value is not null or obs_status = 'Q') and not is_illustrative) as real_values,
           count(*) filter (where (value is not null or obs_status = 'Q') and is_illustrative) as illustrative_values
    from {{ ref('fct_indicator_values') }}
    group by all
)

select c.indicator_code, c.coverage_class, d.answered_by, d.awaits, f.families
from {{ ref('rpt_indicator_coverage') }} as c
inner join {{ ref('dim_indicator') }} as d using (indicator_code)
left join facts as f using (indicator_code)
where (c.coverage_class in ('real', 'illustrative_only') and f.families is distinct from d.answered_by)
   or (d.answered_by is null and d.line_kind = 'indicator' and (f.indicator_code is not null or d.awaits is null))
   or (c.coverage_class = 'real') != (coalesce(f.real_values, 0) > 0)
   or (c.coverage_class = 'illustrative_only') != (coalesce(f.real_values, 0) = 0 and coalesce(f.illustrative_values, 0) > 0)
