-- Indicator facts per country-year, per M49 region and world, with provenance, observation status,
-- coverage and the annex's level of influence. Each family computes its indicators in an
-- intermediate model; this model adds what they share: assistance, influence and names.
with contract as (
    -- The columns every family's facts have (a family may leave the optional ones out).
    select
        cast(null as varchar) as indicator_code, cast(null as varchar) as ref_area_type,
        cast(null as varchar) as ref_area_code, cast(null as integer) as year,
        cast(null as varchar) as disaggregation_dimension, cast(null as varchar) as disaggregation,
        cast(null as double) as value, cast(null as varchar) as unit_measure,
        cast(null as double) as share_of_members, cast(null as varchar) as obs_status,
        cast(null as double) as lower_bound, cast(null as double) as upper_bound,
        cast(null as bigint) as members_in_group, cast(null as bigint) as members_reporting,
        cast(null as varchar) as aggregation_method, cast(null as varchar) as aggregation_rule,
        cast(null as varchar) as withheld_reason, cast(null as varchar) as note,
        cast(null as varchar) as snapshot_ids, cast(null as varchar) as vintage,
        cast(null as varchar) as source_rows, cast(null as varchar) as source_family,
        cast(null as boolean) as is_illustrative
    where false
),

facts as (
    -- Each source family's indicator models (macros/families.sql), each meeting the contract.
    select * from contract
    union all by name
{{- union_families('indicator_values') }}
),

indicators as (
    select indicator_code, influence_rule, area_code, aggregation_min_coverage, aggregation_coverage_base
    from {{ ref('dim_indicator') }}
),

assistance as (
    select * from {{ ref('int_assistance__country_year') }}
),

-- The years every country is covered (an activity file) and the country-years a record covers.
coverage_all as (
    select year, is_illustrative from {{ ref('int_assistance__coverage') }} where country_iso3 is null
),

coverage_country as (
    select country_iso3, year, is_illustrative from {{ ref('int_assistance__coverage') }} where country_iso3 is not null
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
        coalesce(facts.is_illustrative, false) as is_illustrative,
        coverage_all.year is not null or coverage_country.year is not null as assistance_covered,
        case
            when facts.ref_area_type != 'country' then null
            when coverage_all.year is null and coverage_country.year is null then null
            else assistance.country_iso3 is not null
        end as in_receipt_of_assistance,
        case
            when facts.ref_area_type != 'country' then null
            when assistance.country_iso3 is not null then assistance.is_illustrative
            when coverage_all.year is null and coverage_country.year is null then null
            else coalesce(coverage_all.is_illustrative, true) and coalesce(coverage_country.is_illustrative, true)
        end as influence_is_illustrative,
        indicators.influence_rule,
        indicators.aggregation_min_coverage as coverage_minimum,
        assistance.activity_ids
    from facts
    inner join indicators using (indicator_code)
    left join assistance
        on facts.ref_area_type = 'country'
       and assistance.country_iso3 = facts.ref_area_code
       and assistance.year = facts.year
       and assistance.area_code = indicators.area_code
    left join coverage_all
        on facts.ref_area_type = 'country' and coverage_all.year = facts.year
    left join coverage_country
        on facts.ref_area_type = 'country' and coverage_country.country_iso3 = facts.ref_area_code
       and coverage_country.year = facts.year
),

-- An aggregate formed from the countries that report (not UNODC's own published figure) is stated
-- only when enough of its coverage base reports; below the registry's minimum it is withheld.
covered as (
    select
        *,
        case when ref_area_type != 'country' and members_in_group > 0
             then members_reporting / members_in_group end as coverage_share,
        ref_area_type != 'country' and aggregation_method is distinct from 'published'
            and withheld_reason is null and value is not null
            and members_in_group > 0 and members_reporting / members_in_group < coverage_minimum
            as below_coverage
    from attributed
)

select
    covered.* exclude (influence_rule, activity_ids, assistance_covered, below_coverage, value, lower_bound,
                       upper_bound, obs_status, withheld_reason),
    case when below_coverage then null else value end as value,
    case when below_coverage then null else lower_bound end as lower_bound,
    case when below_coverage then null else upper_bound end as upper_bound,
    case when below_coverage then 'O' else obs_status end as obs_status,
    case
        when below_coverage then 'insufficient coverage: ' || members_reporting || ' of ' || members_in_group
            || ' report (' || cast(round(100 * coverage_share) as integer) || ' %; the rule asks for '
            || cast(round(100 * coverage_minimum) as integer) || ' %)'
        else withheld_reason
    end as withheld_reason,
    case
        when in_receipt_of_assistance is null then null
        when influence_rule = 'own_output' then 'high'
        when in_receipt_of_assistance and influence_rule = 'political_process' then 'medium'
        when in_receipt_of_assistance then 'high'
        else 'low'
    end as level_of_influence,
    case
        when ref_area_type != 'country' then 'per country: see the country rows'
        when in_receipt_of_assistance is null then 'no assistance data for this year'
        when in_receipt_of_assistance then 'assisted: ' || array_to_string(activity_ids, ',')
        else 'no UNODC assistance recorded in the result area that year'
    end as influence_basis,
    area_names.ref_area_name
from covered
left join area_names using (ref_area_code)
