with countries as (
    select * from {{ ref('stg_geo__countries') }}
)

select
    iso3,
    m49_code,
    country_name,
    official_name,
    entity_kind,
    entity_kind = 'member_state' and un_exit_year is null as is_un_member_state,
    un_admission_year,
    un_admission_date,
    un_exit_year,
    valid_from,
    valid_to,
    successor_iso3,
    m49_region_code,
    m49_region_name,
    m49_subregion_code,
    m49_subregion_name,
    m49_intermediate_code,
    m49_intermediate_name,
    base_list,
    note
from countries
