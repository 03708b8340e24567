-- Every code a coded column of the warehouse may hold, with its label and what it means here: the
-- reviewed seed code_lists (SDMX observation status, units, action kinds, methods, ...) and the
-- lists the warehouse keeps elsewhere (areas from dim_country, instruments, result areas, themes,
-- source families from their declarations).
-- A dbt test (in_code_list) checks every coded column of the public tables against this table.
with reviewed as (
    select code_list, code, label, nullif(description, '') as description, 'seed code_lists' as listed_in
    from {{ ref('code_lists') }}
    where code_list != 'source_family'
),

-- The source families that answer annex lines: those whose declaration gives indicator models
-- (macros/families.sql). The seed keeps their reviewed labels; a family it does not label yet is
-- listed under its name.
{%- set answering = family_names('indicator_values') %}
declared_families (code) as (
    {%- if answering %}
    values {% for name in answering %}('{{ name }}'){{ ", " if not loop.last }}{% endfor %}
    {%- else %}
    select cast(null as varchar) where false
    {%- endif %}
),

families as (
    select 'source_family' as code_list, declared_families.code, coalesce(labels.label, declared_families.code) as label,
           nullif(labels.description, '') as description,
           case when labels.code is null then 'family declarations' else 'seed code_lists' end as listed_in
    from declared_families
    left join {{ ref('code_lists') }} as labels
        on labels.code_list = 'source_family' and labels.code = declared_families.code
),

countries as (
    select iso3, country_name, entity_kind, m49_region_code, m49_region_name from {{ ref('dim_country') }}
),

areas as (
    select 'ref_area' as code_list, iso3 as code, country_name as label,
           'ISO 3166 alpha-3 code; ' || replace(entity_kind, '_', ' ') as description, 'dim_country' as listed_in
    from countries
    union all
    select distinct 'ref_area', m49_region_code, m49_region_name, 'UN M49 region', 'dim_country'
    from countries where m49_region_code is not null
    union all
    select 'ref_area', '001', 'World', 'UN M49 code of the world', 'dim_country'
),

instruments as (
    select 'instrument', instrument_code, title, 'UNTC ' || mtdsg_no, 'dim_instrument'
    from {{ ref('dim_instrument') }}
),

results as (
    select distinct 'result_area', area_code, area_name, cast(null as varchar), 'dim_result' from {{ ref('dim_result') }}
    union all
    select distinct 'theme', theme_code, theme_name, cast(null as varchar), 'dim_result' from {{ ref('dim_result') }}
)

select * from reviewed
union all
select * from families
union all
select * from areas
union all
select * from instruments
union all
select * from results
