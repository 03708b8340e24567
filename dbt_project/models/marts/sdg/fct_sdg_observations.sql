-- One row per figure of each SDG series' current release, its M49 area placed in the warehouse's
-- geography: a country row carries its ISO3 code, the UN's name and M49 region (dim_country); a
-- region row says which level of the M49 scheme it is and the region it lies in; a part of a
-- country names its country and the UN-CTS reporting unit of the same part; an SDG or development
-- grouping keeps its grouping. The SDG nature code keeps its label; units, sex, age and every other
-- dimension stay as published.
with observations as (
    select * from {{ ref('int_sdg__current_observations') }}
),

countries as (
    select * from {{ ref('dim_country') }}
),

-- Every area of the M49 scheme that dim_country knows, with its level and the region it lies in.
m49_areas as (
    select distinct m49_region_code as geo_area_code, 'region' as m49_level, m49_region_code, m49_region_name
    from countries where m49_region_code is not null
    union
    select distinct m49_subregion_code, 'subregion', m49_region_code, m49_region_name
    from countries where m49_subregion_code is not null
    union
    select distinct m49_intermediate_code, 'intermediate_region', m49_region_code, m49_region_name
    from countries where m49_intermediate_code is not null
),

-- The reviewed labels, from the seed that dim_code_list lists them from: read through dim_code_list,
-- a change of any other code list (a new UNTC instrument, say) rebuilt the SDG facts.
natures as (
    select code, label from {{ ref('code_lists') }} where code_list = 'sdg_nature'
)

select
    o.series_code,
    o.sdg_indicator,
    o.geo_area_code,
    o.geo_area_name,
    o.area_kind,
    case
        when o.area_kind = 'world' then 'world'
        when o.area_kind = 'country' then 'country'
        when a.m49_level = 'region' then 'm49_region'
    end as ref_area_type,
    case
        when o.area_kind = 'world' then 'world'
        when o.area_kind = 'country' then 'country'
        else a.m49_level
    end as m49_level,
    o.country_iso3,
    c.country_name,
    o.parent_iso3,
    p.country_name as parent_name,
    sa.cts_reporting_unit,
    sa.grouping,
    coalesce(c.m49_region_code, a.m49_region_code, p.m49_region_code) as m49_region_code,
    coalesce(c.m49_region_name, a.m49_region_name, p.m49_region_name) as m49_region_name,
    o.year,
    o.value,
    o.value_text,
    o.lower_bound,
    o.upper_bound,
    o.units,
    o.nature,
    n.label as nature_label,
    o.sex,
    o.age,
    o.observation_status,
    o.reporting_type,
    o.dimensions,
    o.data_source,
    o.footnote,
    o.vintage,
    o.channel,
    o.is_stale,
    o.dataset,
    o.snapshot_id,
    o.source_file,
    o.source_row
from observations as o
left join countries as c on c.iso3 = o.country_iso3
left join countries as p on p.iso3 = o.parent_iso3
left join m49_areas as a on o.area_kind = 'region' and a.geo_area_code = o.geo_area_code
left join {{ ref('stg_sdg__areas') }} as sa on sa.geo_area_code = o.geo_area_code
left join natures as n on n.code = o.nature
order by o.series_code, o.country_iso3 nulls last, o.geo_area_code, o.year, o.source_row
