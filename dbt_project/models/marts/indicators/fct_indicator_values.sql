-- Indicator facts per country-year, per M49 region and world, with provenance, observation status,
-- coverage and the annex's level of influence. Computed today: the ratification indicators
-- (computation_rule = 'member_states_party'), per instrument.
with indicators as (
    select
        indicator_code,
        unit,
        influence_rule,
        requires_assistance,
        area_code,
        answered_by,
        unnest(string_split(computation_instruments, ',')) as instrument_code
    from {{ ref('dim_indicator') }}
    where computation_rule = 'member_states_party'
),

member_years as (
    select * from {{ ref('int_ratification__member_years') }}
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

country_rows as (
    select
        indicators.indicator_code,
        indicators.area_code,
        indicators.influence_rule,
        indicators.answered_by,
        member_years.member_iso3 as ref_area_code,
        member_years.year,
        indicators.instrument_code as disaggregation,
        cast(member_years.is_party as integer) as value,
        member_years.via_participants,
        member_years.snapshot_id,
        member_years.snapshot_as_of,
        member_years.is_partial_year,
        assistance.activity_ids,
        assistance.is_illustrative,
        case
            when not (select is_loaded from assistance_loaded) then null
            else assistance.country_iso3 is not null
        end as in_receipt_of_assistance,
        indicators.requires_assistance
    from indicators
    inner join member_years using (instrument_code)
    left join assistance
        on assistance.country_iso3 = member_years.member_iso3
       and assistance.year = member_years.year
       and assistance.area_code = indicators.area_code
),

-- Paired indicators count only the Member States in receipt of assistance: with no assistance
-- data there is nothing to count, and no row is better than a zero.
eligible as (
    select * from country_rows
    where not requires_assistance or in_receipt_of_assistance
),

country_facts as (
    select
        indicator_code,
        'country' as ref_area_type,
        ref_area_code,
        year,
        'INSTRUMENT' as disaggregation_dimension,
        disaggregation,
        cast(value as double) as value,
        'party (1) or not (0) on 31 December' as unit_measure,
        cast(null as double) as share_of_members,
        case when is_partial_year then 'P' else 'A' end as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        in_receipt_of_assistance,
        case
            when in_receipt_of_assistance is null then null
            when influence_rule = 'own_output' then 'high'
            when in_receipt_of_assistance and influence_rule = 'political_process' then 'medium'
            when in_receipt_of_assistance then 'high'
            else 'low'
        end as level_of_influence,
        case
            when in_receipt_of_assistance is null then 'no assistance data loaded'
            when in_receipt_of_assistance then 'assisted: ' || array_to_string(activity_ids, ',')
            else 'no UNODC assistance recorded in the result area that year'
        end as influence_basis,
        coalesce(is_illustrative, false) as is_illustrative,
        1 as members_in_group,
        1 as members_reporting,
        'Member State party on 31 December (ratification, accession, acceptance, approval, succession, '
            || 'formal confirmation or definitive signature); a successor counts for its predecessor '
            || 'before it became a Member State' || coalesce('; via ' || via_participants, '') as aggregation_rule,
        answered_by as source_family,
        snapshot_id as snapshot_ids,
        cast(snapshot_as_of as varchar) as vintage
    from eligible
),

aggregate_input as (
    select eligible.*, countries.m49_region_code, countries.m49_region_name
    from eligible
    inner join countries on countries.iso3 = eligible.ref_area_code
),

aggregates as (
    select
        indicator_code,
        group_type as ref_area_type,
        group_code as ref_area_code,
        year,
        disaggregation,
        sum(value) as value,
        count(*) as members_in_group,
        count(value) as members_reporting,
        bool_or(is_partial_year) as is_partial_year,
        string_agg(distinct snapshot_id, ',') as snapshot_ids,
        max(cast(snapshot_as_of as varchar)) as vintage,
        bool_or(coalesce(is_illustrative, false)) as is_illustrative,
        any_value(answered_by) as source_family
    from (
        select *, 'm49_region' as group_type, m49_region_code as group_code from aggregate_input
        union all
        select *, 'world' as group_type, '001' as group_code from aggregate_input
    )
    group by all
),

aggregate_facts as (
    select
        indicator_code,
        ref_area_type,
        ref_area_code,
        year,
        'INSTRUMENT' as disaggregation_dimension,
        disaggregation,
        cast(value as double) as value,
        'Member States' as unit_measure,
        value / members_in_group as share_of_members,
        case when is_partial_year then 'P' else 'A' end as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        cast(null as boolean) as in_receipt_of_assistance,
        cast(null as varchar) as level_of_influence,
        'per country: see the country rows' as influence_basis,
        is_illustrative,
        members_in_group,
        members_reporting,
        'count of UN Member States of the year that were party on 31 December; denominator: UN '
            || 'Member States of the year in the group (M49 region of the State)' as aggregation_rule,
        source_family,
        snapshot_ids,
        vintage
    from aggregates
),

facts as (
    select * from country_facts
    union all by name
    select * from aggregate_facts
),

area_names as (
    select iso3 as ref_area_code, country_name as ref_area_name from countries
    union all
    select distinct m49_region_code, m49_region_name from countries where m49_region_code is not null
    union all
    select '001', 'World'
)

select facts.*, area_names.ref_area_name
from facts
left join area_names using (ref_area_code)
