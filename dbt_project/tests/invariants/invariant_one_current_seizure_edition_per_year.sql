{{ config(meta={'dagster': {'asset_key': ['fct_drug_seizures']}}) }}
-- One edition of table 7.1 is current for a year, and it is the newest edition that covers the
-- year: a second current edition would add two editions' seizures (WDR 2022 and WDR 2024 both give
-- 2018-2020), an older one would hide a revision.
with editions as (
    select dataset, year, snapshot_id, edition, edition_released_on, bool_or(is_current_edition) as is_current
    from {{ ref('fct_drug_seizures') }}
    group by all
),

newest as (
    select dataset, year, snapshot_id
    from editions
    qualify row_number() over (
        partition by dataset, year order by edition_released_on desc nulls last, edition desc, snapshot_id desc
    ) = 1
)

select e.dataset, e.year,
       count(*) filter (where e.is_current) as current_editions,
       string_agg(e.edition, ', ' order by e.edition) filter (where e.is_current) as current,
       any_value(n.snapshot_id) as newest_snapshot_id
from editions as e
inner join newest as n using (dataset, year)
group by all
having count(*) filter (where e.is_current) != 1
    or count(*) filter (where e.is_current and e.snapshot_id = n.snapshot_id) != 1
