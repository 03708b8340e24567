{{ config(meta={'dagster': {'asset_key': ['fct_crop_cultivation']}}) }}
-- Exactly one current figure per crop, measure, area (a country or the published total) and year,
-- and per series only where one source gives a country two in a year (Peru 2011 b and c): every
-- current figure of an area-year comes from one source, the total included whatever its letter.
select
    crop, measure, coalesce(country_iso3, '_TOTAL') as area, year,
    count(*) as current_figures,
    count(distinct snapshot_id) as sources,
    count(distinct coalesce(series, '')) as series
from {{ ref('fct_crop_cultivation') }}
where is_current
group by all
having count(distinct snapshot_id) > 1
    or count(*) > count(distinct coalesce(series, ''))
    or (coalesce(max(country_iso3), '_TOTAL') = '_TOTAL' and count(*) > 1)
