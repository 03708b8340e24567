-- UNODC's outputs per annex indicator, country and year: IATI actuals whose indicator maps to the
-- annex, and the counts of filled submission templates. A period is counted in the year it ends
-- (a July-June period counts in the June's year). Disaggregated actuals (women, men) are summed
-- when the indicator allows aggregation; an actual's location names the country when it is a
-- country code, else the activity's only recipient country.
with mapped as (
    select * from {{ ref('int_iati__indicator_codes') }} where indicator_code is not null
),

actuals as (
    select v.*, m.indicator_code, m.aggregation_status, m.matched_by
    from {{ ref('stg_iati__values') }} as v
    inner join mapped as m using (snapshot_id, activity_position, result_index, indicator_index)
    where v.value_kind = 'actual' and v.value is not null
      and (v.dimensions is null or m.aggregation_status = '1')
),

single_country as (
    select snapshot_id, activity_position, any_value(country_iso3) as country_iso3
    from {{ ref('stg_iati__countries') }}
    group by all
    having count(*) = 1
),

located as (
    select
        a.*,
        case
            when a.locations in (select iso3 from {{ ref('dim_country') }}) then a.locations
            else s.country_iso3
        end as country_iso3
    from actuals as a
    left join single_country as s using (snapshot_id, activity_position)
),

iati_outputs as (
    select
        indicator_code,
        country_iso3,
        year(period_end) as year,
        {{ exact_sum("value") }} as value,
        count(*) as values_summed,
        list(distinct iati_identifier order by iati_identifier) as activity_ids,
        'IATI actual (' || any_value(matched_by) || ')' as basis,
        string_agg(distinct snapshot_id, ',') as snapshot_ids,
        any_value(source_file) as source_file,
        bool_and(is_illustrative) as is_illustrative
    from located
    where country_iso3 is not null and period_end is not null
    group by indicator_code, country_iso3, year(period_end)
),

template_outputs as (
    select
        indicator_code,
        country_iso3,
        year,
        {{ exact_sum("value") }} as value,
        count(*) as values_summed,
        list(distinct coalesce(activity_id, 'template row ' || source_row)) as activity_ids,
        'submission template' as basis,
        string_agg(distinct snapshot_id, ',') as snapshot_ids,
        any_value(source_file) as source_file,
        bool_and(is_illustrative) as is_illustrative
    from {{ ref('stg_templates__values') }}
    group by indicator_code, country_iso3, year
),

outputs as (
    select * from iati_outputs
    union all by name
    select * from template_outputs
)

select
    outputs.indicator_code,
    outputs.country_iso3,
    countries.country_name,
    outputs.* exclude (indicator_code, country_iso3)
from outputs
left join {{ ref('dim_country') }} as countries on countries.iso3 = outputs.country_iso3
