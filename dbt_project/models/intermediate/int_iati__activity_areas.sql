-- The result areas an activity works in: those of the annex indicators its results report on,
-- and, for an activity whose results name none, those of its DAC sectors.
with activities as (
    select * from {{ ref('stg_iati__activities') }}
),

from_indicators as (
    select distinct c.snapshot_id, c.activity_position, d.area_code, 'result indicator ' || c.indicator_code as basis
    from {{ ref('int_iati__indicator_codes') }} as c
    inner join {{ ref('dim_indicator') }} as d using (indicator_code)
),

from_sectors as (
    select distinct s.snapshot_id, s.activity_position, m.area_code, 'sector ' || s.vocabulary || ':' || s.sector_code as basis
    from {{ ref('stg_iati__sectors') }} as s
    inner join {{ ref('iati_sector_result_areas') }} as m
        on m.vocabulary = s.vocabulary and m.sector_code = s.sector_code
    where not exists (
        select 1 from from_indicators as f
        where f.snapshot_id = s.snapshot_id and f.activity_position = s.activity_position
    )
)

select a.snapshot_id, a.activity_position, a.iati_identifier, a.reporting_org_ref, a.is_illustrative,
       a.start_date, a.end_date, x.area_code, x.basis
from activities as a
inner join (select * from from_indicators union all select * from from_sectors) as x
    using (snapshot_id, activity_position)
