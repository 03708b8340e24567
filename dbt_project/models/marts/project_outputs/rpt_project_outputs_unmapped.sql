-- What the project outputs report that the warehouse cannot yet place: IATI indicators that map to
-- no annex indicator, and activities whose results and sectors name no result area. Never dropped
-- silently: review and extend the mapping seeds.
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
