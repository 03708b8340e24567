-- National prevalence of drug use (WDR table 1.2) of the current snapshots: one row per survey,
-- drug, recall period and sex as published, the country placed in dim_country (a part of a country
-- names its country), with how many rows of the table share its country, drug, substance, recall
-- period, sex and survey year (several surveys of one year: other ages, other sources).
with rows_ as (
    select p.*
    from {{ ref('stg_drug_use__prevalence') }} as p
    inner join {{ ref('int_drug_use__current_snapshots') }} as c on c.snapshot_id = p.snapshot_id
),

countries as (
    select iso3, country_name, m49_region_code, m49_region_name from {{ ref('dim_country') }}
)

select
    r.snapshot_id,
    r.dataset,
    r.source_file,
    r.sheet,
    r.source_row,
    r.edition,
    r.drug,
    r.substance_group,
    r.substance,
    r.recall_period,
    r.region as unodc_region,
    r.subregion as unodc_subregion,
    r.country_name as name_published,
    r.area_kind,
    r.country_iso3,
    c.country_name,
    r.parent_iso3,
    pc.country_name as parent_name,
    coalesce(c.m49_region_code, pc.m49_region_code) as m49_region_code,
    coalesce(c.m49_region_name, pc.m49_region_name) as m49_region_name,
    r.year,
    r.year_end,
    r.year_text,
    r.age,
    r.sex,
    r.best,
    r.low,
    r.high,
    r.best_text,
    r.source,
    r.method,
    r.adjustment_notes,
    r.specific_notes,
    count(*) over (partition by r.snapshot_id, r.drug, r.substance, r.recall_period, r.country_name, r.sex, r.year)
        as rows_same_year
from rows_ as r
left join countries as c on c.iso3 = r.country_iso3
left join countries as pc on pc.iso3 = r.parent_iso3
