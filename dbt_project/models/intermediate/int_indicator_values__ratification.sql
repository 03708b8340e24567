-- The ratification indicators (computation_rule = 'member_states_party'), per Member State, M49
-- region and world, per instrument. Paired indicators keep only the Member States in receipt of
-- assistance: with no assistance data there is nothing to count, and no row is better than a zero.
with indicators as (
    select
        indicator_code,
        area_code,
        requires_assistance,
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

countries as (
    select iso3, m49_region_code from {{ ref('dim_country') }}
),

country_rows as (
    select
        indicators.indicator_code,
        member_years.member_iso3 as ref_area_code,
        member_years.year,
        indicators.instrument_code as disaggregation,
        cast(member_years.is_party as double) as value,
        member_years.via_participants,
        member_years.snapshot_id,
        member_years.snapshot_as_of,
        member_years.is_partial_year,
        countries.m49_region_code,
        indicators.requires_assistance and coalesce(assistance.is_illustrative, false) as is_illustrative
    from indicators
    inner join member_years using (instrument_code)
    inner join countries on countries.iso3 = member_years.member_iso3
    left join assistance
        on assistance.country_iso3 = member_years.member_iso3
       and assistance.year = member_years.year
       and assistance.area_code = indicators.area_code
    where not indicators.requires_assistance or assistance.country_iso3 is not null
),

country_facts as (
    select
        indicator_code,
        'country' as ref_area_type,
        ref_area_code,
        year,
        'INSTRUMENT' as disaggregation_dimension,
        disaggregation,
        value,
        'party (1) or not (0) on 31 December' as unit_measure,
        cast(null as double) as share_of_members,
        case when is_partial_year then 'P' else 'A' end as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        1 as members_in_group,
        1 as members_reporting,
        'Member State party on 31 December (ratification, accession, acceptance, approval, succession, '
            || 'formal confirmation or definitive signature); a successor counts for its predecessor '
            || 'before it became a Member State' || coalesce('; via ' || via_participants, '') as aggregation_rule,
        snapshot_id as snapshot_ids,
        cast(snapshot_as_of as varchar) as vintage,
        is_illustrative
    from country_rows
),

grouped as (
    select *, 'm49_region' as group_type, m49_region_code as group_code from country_rows
    union all
    select *, 'world' as group_type, '001' as group_code from country_rows
),

aggregate_facts as (
    select
        indicator_code,
        group_type as ref_area_type,
        group_code as ref_area_code,
        year,
        'INSTRUMENT' as disaggregation_dimension,
        disaggregation,
        {{ exact_sum("value") }} as value,
        'Member States' as unit_measure,
        sum(value) / count(*) as share_of_members,
        case when bool_or(is_partial_year) then 'P' else 'A' end as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        count(*) as members_in_group,
        count(value) as members_reporting,
        'count' as aggregation_method,
        'count of UN Member States of the year that were party on 31 December; denominator: UN '
            || 'Member States of the year in the group (M49 region of the State)' as aggregation_rule,
        string_agg(distinct snapshot_id, ',' order by snapshot_id) as snapshot_ids,
        max(cast(snapshot_as_of as varchar)) as vintage,
        bool_or(is_illustrative) as is_illustrative
    from grouped
    group by all
)

select *, 'ratification' as source_family from country_facts
union all by name
select *, 'ratification' as source_family from aggregate_facts
