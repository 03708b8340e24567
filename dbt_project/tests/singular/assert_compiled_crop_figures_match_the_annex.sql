{{ config(meta={'dagster': {'asset_key': ['fct_crop_cultivation']}}) }}
-- The compiled CSV copies WDR 2022 table 6.1.1: every figure it copies must equal the workbook's.
with annex as (
    select crop, measure, country_iso3, series, year, edition, value
    from {{ ref('fct_crop_cultivation') }} where source_kind = 'annex_table'
),

compiled as (
    select crop, measure, country_iso3, series, year, edition, value
    from {{ ref('fct_crop_cultivation') }} where source_kind = 'annex_table_compiled'
)

select compiled.*, annex.value as annex_value
from compiled
inner join annex
    on annex.crop = compiled.crop and annex.measure = compiled.measure and annex.year = compiled.year
   and annex.edition = compiled.edition
   and annex.country_iso3 is not distinct from compiled.country_iso3
   -- a total is compared whatever its footnote letter (the workbook's is `d`, the copy prints none)
   and (annex.series is not distinct from compiled.series or (annex.country_iso3 is null and compiled.country_iso3 is null))
where annex.value != compiled.value
