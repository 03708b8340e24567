-- How each edition revised the figures of the edition before it (same crop, measure, country,
-- series and year).
with figures as (
    select * from {{ ref('fct_crop_cultivation') }}
    qualify row_number() over (
        partition by crop, measure, coalesce(country_iso3, '_TOTAL'), coalesce(series, ''), year, edition
        order by source_kind = 'annex_table' desc
    ) = 1
),

ordered as (
    select
        *,
        lag(edition) over w as previous_edition,
        lag(value) over w as previous_value
    from figures
    window w as (
        partition by crop, measure, coalesce(country_iso3, '_TOTAL'), coalesce(series, ''), year
        order by edition_year, edition
    )
)

select
    crop, measure, country_iso3, country_name, is_total, series, year,
    previous_edition, edition,
    previous_value, value,
    value - previous_value as revision,
    case when previous_value = 0 then null else 100.0 * (value - previous_value) / previous_value end as revision_pct
from ordered
where previous_edition is not null and value is distinct from previous_value
