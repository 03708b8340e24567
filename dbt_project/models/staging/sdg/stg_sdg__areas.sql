select
    m49_code as geo_area_code,
    area_kind,
    grouping,
    name as area_name,
    parent_iso3,
    cts_reporting_unit,
    note
from {{ source('raw', 'sdg_areas') }}
