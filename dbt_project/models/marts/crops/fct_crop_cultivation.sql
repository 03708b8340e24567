-- Every crop figure of every edition and source: cultivation (ha), eradication (ha), potential
-- production and manufacture (t), per country (or a published total) and year, with bounds,
-- footnotes, edition, source type, snapshot and row. A later edition's revision is a new row,
-- never an overwrite; `is_current` marks the figure a researcher should use today (the newest
-- edition; on a tie, the annex workbook over a compiled copy of it).
with figures as (
    select * from {{ ref('int_crop__figures') }}
),

footnotes as (
    select snapshot_id, unnest(json_keys(facts -> '$.footnotes')) as letter, facts from {{ ref('stg_crop__files') }}
),

footnote_text as (
    select snapshot_id, letter, json_extract_string(facts, '$.footnotes.' || letter) as note
    from footnotes
)

select
    md5(figures.snapshot_id || ':' || figures.crop || ':' || figures.measure || ':'
        || coalesce(figures.country_iso3, '_TOTAL') || ':' || coalesce(figures.series, '') || ':' || figures.year)
        as figure_id,
    figures.crop,
    figures.measure,
    figures.unit,
    figures.country_iso3,
    figures.is_total,
    figures.label_name,
    figures.label_in_source,
    figures.band,
    figures.block,
    figures.series,
    coalesce(figures.series_note, (
        select string_agg(ft.note, ' ' order by ft.letter) from footnote_text as ft
        where ft.snapshot_id = figures.snapshot_id and list_contains(string_split(figures.series, ','), ft.letter)
    )) as footnotes,
    figures.year,
    figures.value,
    figures.value_text,
    figures.lower_bound,
    figures.upper_bound,
    case when figures.lower_bound is not null or figures.upper_bound is not null then 'E' else 'A' end as obs_status,
    figures.edition,
    figures.edition_year,
    figures.source_kind,
    figures.source_type,
    figures.source,
    figures.cross_check,
    figures.snapshot_id,
    figures.source_file,
    figures.source_rows,
    row_number() over (
        partition by figures.crop, figures.measure, coalesce(figures.country_iso3, '_TOTAL'), coalesce(figures.series, ''), figures.year
        order by figures.edition_year desc, figures.source_kind = 'annex_table' desc, figures.snapshot_id
    ) = 1 as is_current
from figures
