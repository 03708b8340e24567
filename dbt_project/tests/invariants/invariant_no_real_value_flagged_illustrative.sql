{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- A value rests on illustrative data only where it is built from project outputs or counts
-- assisted Member States (the paired indicators); a treaty, crime or crop value never does, whatever
-- the source of its level of influence.
select v.indicator_code, v.ref_area_code, v.year, v.disaggregation, v.source_family
from {{ ref('fct_indicator_values') }} as v
inner join {{ ref('dim_indicator') }} as d using (indicator_code)
where v.is_illustrative
  and v.source_family != 'project_outputs'
  and not d.requires_assistance
