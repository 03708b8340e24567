-- Indicator facts per country-year, per M49 region and world, with provenance, observation status,
-- coverage and the annex's level of influence. Each family computes its indicators in an
-- intermediate model; this model adds what they share: assistance, influence and names.
with facts as (
    select * from {{ ref('int_indicator_values__ratification') }}
    union all by name
    select * from {{ ref('int_indicator_values__crime') }}
    union all by name
    select * from {{ ref('int_indicator_values__seizures') }}
    union all by name
    select * from {{ ref('int_indicator_values__crops') }}
    union all by name
    select * from {{ ref('int_indicator_values__outputs') }}
),

indicators as (
    select indicator_code, influence_rule, area_code from {{ ref('dim_indicator') }}
),

assistance as (
    select * from {{ ref('int_assistance__country_year') }}
),

assistance_loaded as (
    select count(*) > 0 as is_loaded from assistance
),

countries as (
    select iso3, country_name, m49_region_code, m49_region_name from {{ ref('dim_country') }}
),

area_names as (
    select iso3 as ref_area_code, country_name as ref_area_name from countries
    union all
    select distinct m49_region_code, m49_region_name from countries where m49_region_code is not null
    union all
    select '001', 'World'
),

attributed as (
    select
        facts.* exclude (is_illustrative),
        case
            when facts.ref_area_type != 'country' then null
            when not (select is_loaded from assistance_loaded) then null
            else assistance.country_iso3 is not null
        end as in_receipt_of_assistance,
        indicators.influence_rule,
        assistance.activity_ids,
        coalesce(facts.is_illustrative, false) or coalesce(assistance.is_illustrative, false) as is_illustrative
    from facts
    inner join indicators using (indicator_code)
    left join assistance
        on facts.ref_area_type = 'country'
       and assistance.country_iso3 = facts.ref_area_code
       and assistance.year = facts.year
       and assistance.area_code = indicators.area_code
)

select
    attributed.* exclude (influence_rule, activity_ids),
    case
        when in_receipt_of_assistance is null then null
        when influence_rule = 'own_output' then 'high'
        when in_receipt_of_assistance and influence_rule = 'political_process' then 'medium'
        when in_receipt_of_assistance then 'high'
        else 'low'
    end as level_of_influence,
    case
        when ref_area_type != 'country' then 'per country: see the country rows'
        when in_receipt_of_assistance is null then 'no assistance data loaded'
        when in_receipt_of_assistance then 'assisted: ' || array_to_string(activity_ids, ',')
        else 'no UNODC assistance recorded in the result area that year'
    end as influence_basis,
    area_names.ref_area_name
from attributed
left join area_names using (ref_area_code)
