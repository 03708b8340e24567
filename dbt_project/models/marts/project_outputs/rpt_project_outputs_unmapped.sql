-- What the project outputs report that the warehouse cannot yet place: IATI indicators that map to
-- no annex indicator, activities whose results and sectors name no result area, and outputs reported
-- for a line the registry answers from another source (they count as assistance, not as that line's
-- value). Never dropped silently: review and extend the mapping seeds or the registry.
select
    'indicator' as item_kind,
    c.iati_identifier,
    c.indicator_title as item,
    cast(c.indicator_references as varchar) as detail,
    c.is_illustrative,
    c.source_file
from {{ ref('int_iati__indicator_codes') }} as c
where c.indicator_code is null
union all
select
    'activity without a result area',
    a.iati_identifier,
    a.title,
    (select string_agg(s.vocabulary || ':' || s.sector_code, ',') from {{ ref('stg_iati__sectors') }} as s
     where s.snapshot_id = a.snapshot_id and s.activity_position = a.activity_position),
    a.is_illustrative,
    a.source_file
from {{ ref('stg_iati__activities') }} as a
where not exists (
    select 1 from {{ ref('int_iati__activity_areas') }} as x
    where x.snapshot_id = a.snapshot_id and x.activity_position = a.activity_position
)
union all
select
    'output for a line answered by ' || coalesce(d.answered_by, 'no source yet'),
    array_to_string(o.activity_ids, ','),
    o.indicator_code || ' ' || o.country_iso3 || ' ' || o.year,
    o.basis || ': ' || o.value,
    o.is_illustrative,
    o.source_file
from {{ ref('fct_project_outputs') }} as o
inner join {{ ref('dim_indicator') }} as d using (indicator_code)
where d.answered_by is distinct from 'project_outputs'
