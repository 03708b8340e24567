-- One row per row of every edition of the WDR drug seizures table. `is_reported_total` rows total a
-- drug group that may also be reported in detail: never add them to their parts (see
-- int_seizures__edition_country_year). `drug_group` is the group a seizure series counts the row in
-- (the reviewed seed seizure_drug_groups sets coca leaf and bush apart from cocaine, as the WDR
-- does); `drug_group_in_source` is the group as the file prints it.
-- Editions: a newer edition of the table revises the years it covers (WDR 2024 gives 2018-2022 and
-- revises 2018-2020 of WDR 2022). Every edition's rows are kept; `is_current_edition` marks the rows
-- of the newest edition that covers their year, the only ones the indicators read. A figure the
-- newest edition no longer gives is not current (rpt_seizure_edition_revisions lists it as dropped).
with seizures as (
    select s.*, f.release_date as edition_released_on
    from {{ ref('stg_wdr__drug_seizures') }} as s
    left join {{ ref('stg_crime__files') }} as f using (snapshot_id)
),

editions as (
    select
        *,
        -- every row of the newest edition (one snapshot) that covers the year ranks first
        dense_rank() over (
            partition by dataset, year order by edition_released_on desc nulls last, edition desc, snapshot_id desc
        ) = 1 as is_current_edition
    from seizures
),

groups as (
    select * from {{ ref('seizure_drug_groups') }}
)

select
    md5(editions.snapshot_id || ':' || editions.source_row) as seizure_id,
    editions.* exclude (drug_group),
    -- The name the UN uses today (dim_country); the file's own name stays in name_in_source.
    countries.country_name,
    coalesce(groups.drug_group, editions.drug_group) as drug_group,
    editions.drug_group as drug_group_in_source,
    groups.drug_group is not null as is_regrouped
from editions
left join groups
    on groups.drug_group_in_source = editions.drug_group
   and groups.drug_name = editions.drug_name
left join {{ ref('dim_country') }} as countries on countries.iso3 = editions.country_iso3
