-- One value per crime indicator, country and year, from the newest UN-CTS releases:
--   cts_series  the country's figure as published; a censored value ("<5") has no value, bounds
--               [0, 5) and status Q.
--   cts_share   100 x numerator / denominator, both counts of the same year.
-- Only rows of countries (and their aliases) are used; subnational units and aggregates in the same
-- column are never added to a country's figure. Where a country reports only by subnational unit,
-- its figure is the sum of its units when they cover it (int_crime__unit_sums), and says so.
with parts as (
    select * from {{ ref('int_crime__indicator_parts') }} where part in ('series', 'numerator', 'denominator')
),

-- One figure per country, year and part; where the official file repeats a key, the last row in
-- file order is used and the rule says so. Rows of two files (two datasets of one release date)
-- are told apart by their snapshot, so the pick never rests on the order rows were written in.
country_parts as (
    select
        *,
        count(*) over (partition by indicator_code, part, country_iso3, year) as repeats
    from parts
    where reporting_unit_kind in ('country', 'alias')
    qualify row_number() over (partition by indicator_code, part, country_iso3, year
                               order by source_row desc, snapshot_id desc) = 1
),

specs as (
    select indicator_code, computation_spec as spec from {{ ref('dim_indicator') }}
),

series_country as (
    select
        indicator_code,
        country_iso3 as ref_area_code,
        year,
        value_numeric as value,
        case when is_censored then 'Q' else 'A' end as obs_status,
        case when is_censored then 0.0 end as lower_bound,
        case when is_censored then censor_upper end as upper_bound,
        unit as unit_measure,
        'as published' || case when is_censored then ' ("' || value_text || '": fewer than '
            || cast(censor_upper as integer) || ')' else '' end
            || case when repeats > 1 then '; the file repeats this key ' || repeats || ' times, the last row is used' else '' end
            as aggregation_rule,
        snapshot_id,
        cast(release_date as varchar) as vintage,
        source_file || ':' || source_row as source_rows,
        is_censored,
        cast(null as double) as numerator,
        cast(null as double) as denominator,
        false as is_formed_from_units
    from country_parts
    where part = 'series'
),

share_country as (
    select
        n.indicator_code,
        n.country_iso3 as ref_area_code,
        n.year,
        100.0 * n.value_numeric / d.value_numeric as value,
        'A' as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        'percent' as unit_measure,
        '100 x ' || json_extract_string(specs.spec, '$.numerator.label') || ' / '
            || json_extract_string(specs.spec, '$.denominator.label') || ' (counts, same year)' as aggregation_rule,
        n.snapshot_id,
        cast(n.release_date as varchar) as vintage,
        n.source_file || ':' || n.source_row || ',' || d.source_row as source_rows,
        false as is_censored,
        n.value_numeric as numerator,
        d.value_numeric as denominator,
        false as is_formed_from_units
    from country_parts as n
    inner join country_parts as d
        on d.indicator_code = n.indicator_code and d.country_iso3 = n.country_iso3 and d.year = n.year
       and d.part = 'denominator'
    inner join specs on specs.indicator_code = n.indicator_code
    where n.part = 'numerator' and d.value_numeric > 0 and n.value_numeric is not null
),

unit_country as (
    select
        u.indicator_code,
        u.country_iso3 as ref_area_code,
        u.year,
        case when u.numerator is not null then 100.0 * u.numerator / u.denominator else u.value end as value,
        'A' as obs_status,
        cast(null as double) as lower_bound,
        cast(null as double) as upper_bound,
        case when u.numerator is not null then 'percent' else u.unit_measure end as unit_measure,
        case when u.numerator is not null
             then '100 x ' || json_extract_string(specs.spec, '$.numerator.label') || ' / '
                  || json_extract_string(specs.spec, '$.denominator.label') || ', each the sum of its units, which cover the country ('
             else 'sum of its units, which cover the country ('
        end || u.covering || ': ' || u.units || '); the country reports no figure of its own' as aggregation_rule,
        u.snapshot_id,
        cast(u.release_date as varchar) as vintage,
        u.source_rows,
        false as is_censored,
        u.numerator,
        u.denominator,
        true as is_formed_from_units
    from {{ ref('int_crime__unit_sums') }} as u
    inner join specs on specs.indicator_code = u.indicator_code
    where u.is_formed and (u.numerator is null or u.denominator > 0)
)

select * from series_country
union all by name
select * from share_country
union all by name
select * from unit_country
