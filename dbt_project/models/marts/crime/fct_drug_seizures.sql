-- One row per row of the WDR drug seizures table. `is_reported_total` rows total a drug group that
-- may also be reported in detail: never add them to their parts (see int_seizures__country_year).
-- `drug_group` is the group a seizure series counts the row in (the reviewed seed
-- seizure_drug_groups sets coca leaf and bush apart from cocaine, as the WDR does);
-- `drug_group_in_source` is the group as the file prints it.
with seizures as (
    select * from {{ ref('stg_wdr__drug_seizures') }}
),

groups as (
    select * from {{ ref('seizure_drug_groups') }}
)

select
    md5(seizures.snapshot_id || ':' || seizures.source_row) as seizure_id,
    seizures.* exclude (drug_group),
    -- The name the UN uses today (dim_country); the file's own name stays in name_in_source.
    countries.country_name,
    coalesce(groups.drug_group, seizures.drug_group) as drug_group,
    seizures.drug_group as drug_group_in_source,
    groups.drug_group is not null as is_regrouped
from seizures
left join groups
    on groups.drug_group_in_source = seizures.drug_group
   and groups.drug_name = seizures.drug_name
left join {{ ref('dim_country') }} as countries on countries.iso3 = seizures.country_iso3
