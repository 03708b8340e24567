-- The annex indicator each IATI result indicator reports on: a vocabulary-99 reference whose code
-- is an annex code; else a reviewed reference or title mapping; else none (listed as unmapped).
with indicators as (
    select i.*
    from {{ ref('stg_iati__indicators') }} as i
    inner join {{ ref('stg_iati__activities') }} as a using (snapshot_id, activity_position)
),

annex as (
    select indicator_code, area_code from {{ ref('dim_indicator') }} where line_kind = 'indicator'
),

references_ as (
    select
        indicators.snapshot_id, indicators.activity_position, indicators.result_index, indicators.indicator_index,
        json_extract_string(ref.value, '$.vocabulary') as vocabulary,
        json_extract_string(ref.value, '$.code') as code
    from indicators, json_each(coalesce(indicators.indicator_references, '[]')) as ref
),

by_code as (
    select r.snapshot_id, r.activity_position, r.result_index, r.indicator_index, annex.indicator_code,
           'reference ' || r.vocabulary || ':' || r.code as matched_by
    from references_ as r inner join annex on r.vocabulary = '99' and r.code = annex.indicator_code
    union all
    select r.snapshot_id, r.activity_position, r.result_index, r.indicator_index, m.indicator_code,
           'mapped reference ' || r.vocabulary || ':' || r.code
    from references_ as r
    inner join {{ ref('iati_indicator_map') }} as m
        on m.vocabulary = r.vocabulary and m.reference_code = r.code
),

by_title as (
    select i.snapshot_id, i.activity_position, i.result_index, i.indicator_index, m.indicator_code,
           'mapped title ''' || m.title_pattern || '''' as matched_by
    from indicators as i
    inner join {{ ref('iati_indicator_map') }} as m
        on m.title_pattern is not null and lower(i.indicator_title) like lower(m.title_pattern)
)

select
    indicators.*,
    coalesce(c.indicator_code, t.indicator_code) as indicator_code,
    coalesce(c.matched_by, t.matched_by) as matched_by
from indicators
left join by_code as c using (snapshot_id, activity_position, result_index, indicator_index)
left join by_title as t using (snapshot_id, activity_position, result_index, indicator_index)
qualify row_number() over (
    partition by indicators.snapshot_id, indicators.activity_position, indicators.result_index, indicators.indicator_index
    order by c.indicator_code is null, t.indicator_code is null
) = 1
