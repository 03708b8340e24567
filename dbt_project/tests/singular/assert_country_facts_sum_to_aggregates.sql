{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- Regional values add up to the world value, and each equals the sum of its country rows.
-- (The ratification indicators: every Member State has a row, so the sums must agree exactly.)
with facts as (select * from {{ ref('fct_indicator_values') }} where source_family = 'ratification'),

by_type as (
    select indicator_code, disaggregation, year, ref_area_type, sum(value) as total, sum(members_in_group) as members
    from facts
    group by all
)

select *
from by_type as w
inner join by_type as r using (indicator_code, disaggregation, year)
inner join by_type as c using (indicator_code, disaggregation, year)
where w.ref_area_type = 'world' and r.ref_area_type = 'm49_region' and c.ref_area_type = 'country'
  and (w.total != r.total or w.total != c.total or w.members != r.members or w.members != c.members)
