-- Countries that report a crime indicator only by subnational unit (the United Kingdom by England
-- and Wales, Scotland and Northern Ireland; Iraq by Central Iraq and the Kurdistan Region). A
-- country figure is formed from its units only when they cover the country: every part named in
-- the reviewed reporting_units.csv (column covering_part) reports that year, each part once, with a
-- number, in counts. A share sums its numerator and its denominator over the units separately.
-- One row per indicator, country and year with unit rows, whether formed or not, and why not.
with parts as (
    select * from {{ ref('int_crime__indicator_parts') }} where part in ('series', 'numerator', 'denominator')
),

units as (
    select * from {{ ref('stg_crime__reporting_units') }}
),

-- The parts that together cover a country.
coverings as (
    select
        country_iso3,
        count(distinct covering_part) as parts_required,
        string_agg(distinct covering_part, ' + ' order by covering_part) as covering
    from units
    where covering_part is not null
    group by all
),

-- A country's own figure wins: units are used only where the country has no row of the indicator.
country_rows as (
    select distinct indicator_code, country_iso3, year
    from parts
    where reporting_unit_kind in ('country', 'alias')
),

-- One row per unit, part and year (where the file repeats a key, its last row, as for countries).
unit_rows as (
    select parts.*, units.covering_part
    from parts
    inner join units using (reporting_unit)
    where parts.reporting_unit_kind = 'subnational'
    qualify row_number() over (partition by parts.indicator_code, parts.part, parts.reporting_unit, parts.year
                               order by parts.source_row desc, parts.snapshot_id desc) = 1
),

per_part as (
    select
        indicator_code,
        computation_rule,
        part,
        country_iso3,
        year,
        {{ exact_sum("value_numeric") }} as value,
        count(distinct covering_part) as parts_reporting,
        count(*) as units_reporting,
        string_agg(distinct covering_part, ' + ' order by covering_part) as parts_present,
        string_agg(reporting_unit, ', ' order by reporting_unit) as units,
        list(reporting_unit) as unit_list,
        bool_or(value_numeric is null) as has_no_number,
        any_value(unit) as unit_measure,
        string_agg(distinct snapshot_id, ',' order by snapshot_id) as snapshot_id,
        max(release_date) as release_date,
        any_value(source_file) || ':' || string_agg(source_row::varchar, ',' order by source_row) as source_rows
    from unit_rows
    group by all
),

judged as (
    select
        p.*,
        c.parts_required,
        c.covering,
        case
            when p.unit_measure != 'Counts'
                then 'the units report a ' || lower(p.unit_measure) || '; a country figure cannot be formed from '
                     || 'the units'' figures without their populations'
            when c.parts_required is null then 'no reviewed set of units covers the country'
            when p.parts_reporting < c.parts_required
                then 'the units that report' || case when p.part != 'series' then ' the ' || p.part else '' end
                     || ' (' || p.parts_present || ') do not cover the country (' || c.covering || ')'
            when p.units_reporting > p.parts_reporting then 'two units stand for the same part (' || p.units || ')'
            when p.has_no_number then 'a unit''s value is not a number (censored or text)'
        end as part_problem
    from per_part as p
    left join coverings as c using (country_iso3)
),

per_indicator as (
    select
        indicator_code,
        any_value(computation_rule) as computation_rule,
        country_iso3,
        year,
        max(value) filter (where part = 'series') as value,
        max(value) filter (where part = 'numerator') as numerator,
        max(value) filter (where part = 'denominator') as denominator,
        any_value(covering) as covering,
        -- Every unit once, in order: a string_agg of the parts' lists repeated units in any order.
        array_to_string(list_sort(list_distinct(flatten(list(unit_list)))), ', ') as units,
        count(*) filter (where part_problem is null) as parts_ok,
        string_agg(part_problem, '; ' order by part) as problems,
        list(distinct part) as parts_seen,
        any_value(unit_measure) filter (where part = 'series') as unit_measure,
        string_agg(distinct snapshot_id, ',' order by snapshot_id) as snapshot_id,
        max(release_date) as release_date,
        string_agg(source_rows, ';' order by part) as source_rows
    from judged
    group by all
)

select
    u.indicator_code,
    u.country_iso3,
    u.year,
    u.value,
    u.numerator,
    u.denominator,
    u.unit_measure,
    u.covering,
    u.units,
    u.snapshot_id,
    u.release_date,
    u.source_rows,
    country_rows.country_iso3 is not null as has_country_value,
    country_rows.country_iso3 is null and u.problems is null
        and u.parts_ok = case when u.computation_rule = 'cts_share' then 2 else 1 end as is_formed,
    case
        when country_rows.country_iso3 is not null then 'the country reports its own figure; its units are not added to it'
        when u.problems is not null then u.problems
        when u.computation_rule = 'cts_share' and not list_contains(u.parts_seen, 'numerator')
            then 'the units report the denominator but not the numerator'
        when u.computation_rule = 'cts_share' and not list_contains(u.parts_seen, 'denominator')
            then 'the units report the numerator but not the denominator'
    end as reason
from per_indicator as u
left join country_rows using (indicator_code, country_iso3, year)
