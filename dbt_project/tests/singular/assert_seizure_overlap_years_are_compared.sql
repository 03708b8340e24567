{{ config(meta={'dagster': {'asset_key': ['rpt_seizure_edition_revisions']}}) }}
-- Every year two editions of table 7.1 both cover (2018-2020: WDR 2022 and WDR 2024) is compared:
-- every country-year-group whose figure differs between an edition and the one before it (or that
-- only one of them gives) is a row of rpt_seizure_edition_revisions, found here by set difference
-- rather than by the mart's join, and the mart has no row for a year only one edition covers.
-- Equal means equal within a relative 1e-9: sums of the same figures in another order differ in the last bits.
with figures as (
    select * from {{ ref('int_seizures__edition_country_year') }}
),

editions as (
    select dataset, year, snapshot_id,
           row_number() over (partition by dataset, year order by edition_released_on nulls first, edition, snapshot_id) as position
    from (select distinct dataset, year, snapshot_id, edition, edition_released_on from {{ ref('fct_drug_seizures') }})
),

overlap as (
    select distinct year from editions where position > 1
),

pairs as (
    select e.year, e.snapshot_id, before.snapshot_id as previous_snapshot_id
    from editions as e
    inner join editions as before on before.dataset = e.dataset and before.year = e.year and before.position = e.position - 1
),

differing as (
    -- A figure of either edition that the other edition does not give, equal, for the same key.
    select p.year, f.country_iso3, f.drug_group
    from pairs as p
    inner join figures as f on f.snapshot_id = p.snapshot_id and f.year = p.year
    where not exists (select 1 from figures as o where o.snapshot_id = p.previous_snapshot_id and o.year = p.year
                      and o.country_iso3 = f.country_iso3 and o.drug_group = f.drug_group
                      and abs(o.kg - f.kg) <= 1e-9 * greatest(abs(o.kg), abs(f.kg)))
    union
    select p.year, o.country_iso3, o.drug_group
    from pairs as p
    inner join figures as o on o.snapshot_id = p.previous_snapshot_id and o.year = p.year
    where not exists (select 1 from figures as f where f.snapshot_id = p.snapshot_id and f.year = p.year
                      and f.country_iso3 = o.country_iso3 and f.drug_group = o.drug_group
                      and abs(f.kg - o.kg) <= 1e-9 * greatest(abs(f.kg), abs(o.kg)))
),

mart as (
    select * from {{ ref('rpt_seizure_edition_revisions') }}
)

select 'a difference between editions is missing' as problem, d.year, d.country_iso3, d.drug_group
from differing as d
where not exists (select 1 from mart as m where m.year = d.year and m.country_iso3 = d.country_iso3
                  and m.drug_group = d.drug_group)
union all
select 'a comparison for a year only one edition covers', year, country_iso3, drug_group
from mart where year not in (select year from overlap)
