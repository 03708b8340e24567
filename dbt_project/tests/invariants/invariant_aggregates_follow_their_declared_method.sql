{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- Every regional and world row is formed by the method the registry declares for its indicator,
-- or by the declared fallback, and names it.
select v.indicator_code, v.ref_area_type, v.ref_area_code, v.year, v.aggregation_method,
       d.aggregation_method as declared, d.aggregation_fallback as fallback
from {{ ref('fct_indicator_values') }} as v
inner join {{ ref('dim_indicator') }} as d using (indicator_code)
where v.ref_area_type != 'country'
  and (v.aggregation_method is null
       or v.aggregation_method not in (d.aggregation_method, coalesce(d.aggregation_fallback, d.aggregation_method)))
