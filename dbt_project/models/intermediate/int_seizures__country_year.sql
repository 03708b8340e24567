-- Kilograms seized per country, year and drug group, without double counting: where a country
-- reports a drug group in detail, the detail rows are summed; only where it reports nothing but
-- the group's reported total is that total used. Rows with no KgEquivalent are left out, not zeroed.
with seizures as (
    select * from {{ ref('fct_drug_seizures') }} where kg_equivalent is not null
),

per_kind as (
    select
        country_iso3,
        year,
        drug_group,
        is_reported_total,
        sum(kg_equivalent) as kg,
        count(*) as rows_used,
        any_value(snapshot_id) as snapshot_id,
        any_value(edition) as edition,
        string_agg(source_row::varchar, ',' order by source_row) as source_rows,
        any_value(source_file) as source_file
    from seizures
    where drug_group is not null
    group by all
)

select
    country_iso3,
    year,
    drug_group,
    kg,
    case when is_reported_total then 'reported total of the drug group'
         else 'sum of ' || rows_used || ' detailed rows' end as basis,
    snapshot_id,
    edition,
    source_file || ':' || source_rows as source_rows
from per_kind
qualify row_number() over (partition by country_iso3, year, drug_group order by is_reported_total) = 1
