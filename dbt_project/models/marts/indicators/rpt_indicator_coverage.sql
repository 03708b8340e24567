-- Per annex line: computed from real data, computed only from the illustrative sample, or awaiting
-- (and what it awaits). A line counts as real only where some value it publishes rests on no
-- illustrative data; values withheld for coverage or a series break are counted apart.
with indicators as (
    select * from {{ ref('dim_indicator') }}
),

values_per_indicator as (
    select
        indicator_code,
        count(*) filter (where value is not null or obs_status = 'Q') as values_published,
        count(*) filter (where (value is not null or obs_status = 'Q') and not is_illustrative) as values_real,
        count(*) filter (where (value is not null or obs_status = 'Q') and is_illustrative) as values_illustrative,
        count(*) filter (where withheld_reason is not null) as values_withheld,
        min(year) filter (where value is not null) as first_year,
        max(year) filter (where value is not null) as last_year,
        count(distinct ref_area_code) filter (where ref_area_type = 'country' and value is not null) as countries,
        string_agg(distinct source_family, ',') as source_families
    from {{ ref('fct_indicator_values') }}
    group by indicator_code
),

classified as (
    select
        indicators.*,
        coalesce(v.values_published, 0) as values_published,
        coalesce(v.values_real, 0) as values_real,
        coalesce(v.values_illustrative, 0) as values_illustrative,
        coalesce(v.values_withheld, 0) as values_withheld,
        v.first_year,
        v.last_year,
        v.countries,
        v.source_families,
        case
            when indicators.line_kind = 'note' then 'note'
            when coalesce(v.values_real, 0) > 0 then 'real'
            when coalesce(v.values_illustrative, 0) > 0 then 'illustrative_only'
            else 'awaiting'
        end as coverage_class
    from indicators
    left join values_per_indicator as v using (indicator_code)
)

select
    indicator_code,
    indicator_text,
    area_code,
    result_code,
    line_kind,
    origin,
    kind,
    answered_by,
    coverage_class,
    case coverage_class
        when 'note' then 'note'
        when 'real' then 'computed from real data'
        when 'illustrative_only' then 'computed only from the illustrative sample; awaiting '
            || case when requires_assistance then 'real assistance data (project outputs)' else coalesce(awaits, 'real data') end
        else case
            when requires_assistance then 'awaiting assistance data (project outputs)'
            when answered_by is not null then 'awaiting ' || replace(answered_by, '_', ' ') || ' data'
            else 'awaiting ' || awaits
        end
    end as coverage_status,
    values_published,
    values_real,
    values_illustrative,
    values_withheld,
    first_year,
    last_year,
    countries,
    source_families,
    annex_order
from classified
order by annex_order
