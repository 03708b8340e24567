-- How each edition of WDR table 7.1 revised the edition before it, for the years both cover (WDR
-- 2024 against WDR 2022: 2018-2020): per country, year and drug group, both editions' figures
-- counted by the same rule (int_seizures__edition_country_year), the difference and its kind:
-- revised (both give a figure, and they differ), added (only the newer edition gives one) or
-- dropped (only the older one does). Figures that agree are not listed.
with figures as (
    select * from {{ ref('int_seizures__edition_country_year') }}
),

editions as (
    -- The editions covering each year, oldest first (in the order fct_drug_seizures takes the newest).
    select *, row_number() over (
        partition by dataset, year order by edition_released_on nulls first, edition, snapshot_id
    ) as position
    from (select distinct dataset, snapshot_id, edition, edition_released_on, year from {{ ref('fct_drug_seizures') }})
),

pairs as (
    -- Each edition with the edition before it, for every year both cover.
    select
        e.dataset, e.year,
        p.snapshot_id as previous_snapshot_id, p.edition as previous_edition,
        e.snapshot_id, e.edition
    from editions as e
    inner join editions as p on p.dataset = e.dataset and p.year = e.year and p.position = e.position - 1
),

keys as (
    select distinct pairs.*, f.country_iso3, f.drug_group
    from pairs
    inner join figures as f
        on f.year = pairs.year and f.snapshot_id in (pairs.snapshot_id, pairs.previous_snapshot_id)
),

compared as (
    select
        k.*,
        o.kg as previous_kg,
        n.kg,
        o.basis as previous_basis,
        n.basis,
        o.source_rows as previous_source_rows,
        n.source_rows,
        n.rows_used
    from keys as k
    left join figures as o
        on o.snapshot_id = k.previous_snapshot_id and o.country_iso3 = k.country_iso3
       and o.year = k.year and o.drug_group = k.drug_group
    left join figures as n
        on n.snapshot_id = k.snapshot_id and n.country_iso3 = k.country_iso3
       and n.year = k.year and n.drug_group = k.drug_group
)

select
    c.country_iso3,
    countries.country_name,
    c.year,
    c.drug_group,
    c.previous_edition,
    c.edition,
    c.previous_kg,
    c.kg,
    c.kg - c.previous_kg as difference,
    case when c.previous_kg > 0 then 100.0 * (c.kg - c.previous_kg) / c.previous_kg end as difference_pct,
    case when c.previous_kg is null then 'added' when c.kg is null then 'dropped' else 'revised' end as kind,
    -- The 2024 layout prints many rows rounded to the kilogram (207 for 206.82): a difference no larger
    -- than half a kilogram per row of the newer figure may be rounding alone.
    c.previous_kg is not null and c.kg is not null and abs(c.kg - c.previous_kg) <= 0.5 * c.rows_used
        as within_rounding,
    c.previous_basis,
    c.basis,
    c.previous_snapshot_id,
    c.snapshot_id,
    c.previous_source_rows,
    c.source_rows
from compared as c
left join {{ ref('dim_country') }} as countries on countries.iso3 = c.country_iso3
-- Sums of the same figures in another order differ in the last bits (1e-12 kg): no revision.
where (c.kg is null) != (c.previous_kg is null)
    or abs(c.kg - c.previous_kg) > 1e-9 * greatest(abs(c.kg), abs(c.previous_kg))
