{#- The rows of a WDR table 8.1 staging model (prices or purities) of the current snapshots, each
    placed in dim_country (and, for a part of a country, the country it belongs to); the region and
    subregion UNODC publishes are kept under names of their own beside M49's. -#}
{% macro drug_market_rows(staging_model) %}
with rows_ as (
    select r.*
    from {{ ref(staging_model) }} as r
    inner join {{ ref('int_drug_use__current_snapshots') }} as c on c.snapshot_id = r.snapshot_id
),

countries as (
    select iso3, country_name, m49_region_code, m49_region_name from {{ ref('dim_country') }}
)

select
    r.* exclude (region, subregion, country_name),
    r.region as unodc_region,
    r.subregion as unodc_subregion,
    r.country_name as name_published,
    c.country_name,
    pc.country_name as parent_name,
    coalesce(c.m49_region_code, pc.m49_region_code) as m49_region_code,
    coalesce(c.m49_region_name, pc.m49_region_name) as m49_region_name
from rows_ as r
left join countries as c on c.iso3 = r.country_iso3
left join countries as pc on pc.iso3 = r.parent_iso3
{% endmacro %}
