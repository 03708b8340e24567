{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- A country's seizures of a drug group in a year are counted once: its reported total where it gives
-- one (a total row with a kilogram equivalent), else the sum of its detailed rows, never both; and a
-- regional or world figure is the sum of its countries' figures, nothing more. A year's figures
-- are those of one edition of the table, the newest that covers it (is_current_edition).
with rows_ as (
    select country_iso3, year, drug_group,
           sum(kg_equivalent) filter (where is_reported_total) as total_kg,
           sum(kg_equivalent) filter (where not is_reported_total) as parts_kg
    from {{ ref('fct_drug_seizures') }}
    where is_current_edition and kg_equivalent is not null and drug_group is not null
    group by all
),

facts as (
    select v.*
    from {{ ref('fct_indicator_values') }} as v
    inner join {{ ref('dim_indicator') }} as d using (indicator_code)
    where d.computation_rule = 'seizures_kg' and v.value is not null
),

countries_wrong as (
    select f.indicator_code, f.ref_area_type, f.ref_area_code, f.year, f.disaggregation, f.value,
           coalesce(r.total_kg, r.parts_kg) as expected
    from facts as f
    left join rows_ as r
        on r.country_iso3 = f.ref_area_code and r.year = f.year and r.drug_group = f.disaggregation
    where f.ref_area_type = 'country'
      and (r.country_iso3 is null or abs(f.value - coalesce(r.total_kg, r.parts_kg)) > 1e-6 * greatest(1, f.value))
),

aggregates_wrong as (
    select a.indicator_code, a.ref_area_type, a.ref_area_code, a.year, a.disaggregation, a.value,
           sum(c.value) as expected
    from facts as a
    left join {{ ref('dim_country') }} as dc on true
    left join facts as c
        on c.indicator_code = a.indicator_code and c.ref_area_type = 'country' and c.year = a.year
       and c.disaggregation = a.disaggregation and c.ref_area_code = dc.iso3
       and (a.ref_area_type = 'world' or dc.m49_region_code = a.ref_area_code)
    where a.ref_area_type != 'country'
    group by all
    having abs(a.value - coalesce(sum(c.value), 0)) > 1e-6 * greatest(1, a.value)
)

select * from countries_wrong
union all
select * from aggregates_wrong
