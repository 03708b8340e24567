-- Every crop figure of every edition and source: cultivation (ha), eradication (ha), potential
-- production and manufacture (t), per country (or a published total) and year, with bounds,
-- footnotes, edition, source type, snapshot and row. A later edition's revision is a new row,
-- never an overwrite; `is_current` marks the figure a researcher should use today.
with figures as (
    select * from {{ ref('int_crop__figures') }}
),

footnotes as (
    select snapshot_id, unnest(json_keys(facts -> '$.footnotes')) as letter, facts from {{ ref('stg_crop__files') }}
),

footnote_text as (
    select snapshot_id, letter, json_extract_string(facts, '$.footnotes.' || letter) as note
    from footnotes
),

ranked as (
    -- One source is current per crop, measure, area and year: the newest edition; on a tie, the annex
    -- workbook over a compiled copy of it. The series are not part of that choice: a compiled copy
    -- may not carry the workbook's footnote letter (the 6.1.1 total is `d` in the workbook and
    -- unlettered in the CSV), and two lettered series of one country-year (Peru 2011 b and c) come
    -- from the same source and are both current.
    select
        figures.*,
        dense_rank() over (
            partition by crop, measure, coalesce(country_iso3, '_TOTAL'), year
            order by edition_year desc, source_kind = 'annex_table' desc, snapshot_id
        ) = 1 as is_current
    from figures
),

parts as (
    -- A table's country rows as its total adds them: one row per country, the first listed where a
    -- country has two series in a year (the 6.1.1 total of 2011 uses Peru b, footnote d).
    select snapshot_id, crop, measure, year, band, value
    from figures
    where not is_total and value is not null
    qualify row_number() over (
        partition by snapshot_id, crop, measure, year, country_iso3 order by first_source_row
    ) = 1
),

totals_checked as (
    select
        t.snapshot_id, t.crop, t.measure, t.year, t.first_source_row,
        {{ exact_sum("p.value") }} as rows_sum,
        count(p.value) as rows_counted
    from figures as t
    left join parts as p
        on p.snapshot_id = t.snapshot_id and p.crop = t.crop and p.measure = t.measure and p.year = t.year
       -- a subtotal adds the rows of its own band only
       and (not (lower(t.label_name) like 'sub%' and t.band is not null) or p.band = t.band)
    where t.is_total
    group by all
)

select
    md5(ranked.snapshot_id || ':' || ranked.crop || ':' || ranked.measure || ':'
        || coalesce(ranked.country_iso3, '_TOTAL') || ':' || coalesce(ranked.series, '') || ':' || ranked.year)
        as figure_id,
    ranked.crop,
    ranked.measure,
    ranked.unit,
    ranked.country_iso3,
    -- The name the UN uses today (dim_country); label_in_source keeps the table's own label.
    countries.country_name,
    ranked.is_total,
    ranked.label_name,
    ranked.label_in_source,
    ranked.band,
    ranked.block,
    ranked.series,
    coalesce(ranked.series_note, (
        select string_agg(ft.note, ' ' order by ft.letter) from footnote_text as ft
        where ft.snapshot_id = ranked.snapshot_id and list_contains(string_split(ranked.series, ','), ft.letter)
    )) as footnotes,
    ranked.year,
    ranked.value,
    ranked.value_text,
    ranked.lower_bound,
    ranked.upper_bound,
    case when ranked.lower_bound is not null or ranked.upper_bound is not null then 'E' else 'A' end as obs_status,
    -- On a published total's own row: what its table's rows add up to, and whether it differs.
    -- (Rounded totals are compared to the hectare or tonne: half a unit is the tolerance.)
    tc.rows_sum,
    tc.rows_counted,
    case
        when ranked.is_total and ranked.value is not null and tc.rows_counted > 0
            then abs(ranked.value - tc.rows_sum) >= 0.5
    end as differs_from_rows,
    ranked.edition,
    ranked.edition_year,
    ranked.source_kind,
    ranked.source_type,
    ranked.source,
    ranked.cross_check,
    ranked.snapshot_id,
    ranked.source_file,
    ranked.source_rows,
    ranked.is_current
from ranked
left join totals_checked as tc
    on ranked.is_total and tc.snapshot_id = ranked.snapshot_id and tc.crop = ranked.crop
   and tc.measure = ranked.measure and tc.year = ranked.year and tc.first_source_row = ranked.first_source_row
left join {{ ref('dim_country') }} as countries on countries.iso3 = ranked.country_iso3
