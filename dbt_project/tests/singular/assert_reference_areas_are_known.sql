{{ config(meta={'dagster': {'asset_key': ['fct_indicator_values']}}) }}
-- Countries are ISO3 codes of dim_country, regions M49 region codes, the world is M49 001.
with facts as (
    select distinct ref_area_type, ref_area_code from {{ ref('fct_indicator_values') }}
)

select * from facts
where not (
    (ref_area_type = 'country' and ref_area_code in (select iso3 from {{ ref('dim_country') }}))
    or (ref_area_type = 'm49_region' and ref_area_code in (select m49_region_code from {{ ref('dim_country') }}))
    or (ref_area_type = 'world' and ref_area_code = '001')
)
