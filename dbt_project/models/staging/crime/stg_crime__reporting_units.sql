select
    coalesce(code, 'name:' || name_in_source) as reporting_unit,
    code as code_in_source,
    name_in_source,
    unit_kind as reporting_unit_kind,
    country_iso3,
    m49_area_code,
    -- The part of its country a subnational unit stands for: the country's distinct parts together
    -- cover it (England and Wales + Scotland + Northern Ireland = GBR), reviewed in reporting_units.csv.
    covering_part,
    note
from {{ source('raw', 'reporting_units') }}
