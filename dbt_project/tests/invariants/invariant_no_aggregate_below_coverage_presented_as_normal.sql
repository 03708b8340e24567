{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- An aggregate formed from the countries that report (not UNODC's own published figure) that is
-- stated as a value must rest on at least the registry's minimum share of its coverage base, and
-- must say what it rests on.
select v.indicator_code, v.ref_area_type, v.ref_area_code, v.year, v.disaggregation,
       v.members_reporting, v.members_in_group, d.aggregation_min_coverage
from {{ ref('fct_indicator_values') }} as v
inner join {{ ref('dim_indicator') }} as d using (indicator_code)
where v.ref_area_type != 'country'
  and v.value is not null
  and v.aggregation_method is distinct from 'published'
  and (v.members_in_group is null or v.members_reporting is null or v.members_in_group = 0
       or d.aggregation_min_coverage is null
       or v.members_reporting / v.members_in_group < d.aggregation_min_coverage)
