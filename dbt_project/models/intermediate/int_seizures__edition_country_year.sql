-- Kilograms seized per edition of table 7.1, country, year and drug group, each seizure counted
-- once: the country's reported total of the group where it gives one (a total row with a kilogram
-- equivalent), else the sum of its detailed rows. A total row left empty (no quantity, no unit) is
-- no total: the parts are used. Rows with no kilogram equivalent are left out, never zeroed. Coca
-- leaf and bush form their own group (fct_drug_seizures), so the cocaine total, which excludes
-- them, is compared like with like. Every edition is counted by the same rule, so two editions'
-- figures for a year compare like with like (rpt_seizure_edition_revisions); the indicators read
-- the current edition only (int_seizures__country_year).
with seizures as (
    select * from {{ ref('fct_drug_seizures') }} where kg_equivalent is not null and drug_group is not null
),

per_kind as (
    select
        dataset,
        snapshot_id,
        edition,
        country_iso3,
        year,
        drug_group,
        is_reported_total,
        {{ exact_sum("kg_equivalent") }} as kg,
        count(*) as rows_used,
        bool_and(is_current_edition) as is_current_edition,
        max(edition_released_on) as edition_released_on,
        any_value(source_file) || ':' || string_agg(source_row::varchar, ',' order by source_row) as source_rows
    from seizures
    group by all
),

both_kinds as (
    select
        snapshot_id, country_iso3, year, drug_group,
        max(kg) filter (where is_reported_total) as total_kg,
        max(kg) filter (where not is_reported_total) as parts_kg
    from per_kind
    group by all
)

select
    p.dataset,
    p.snapshot_id,
    p.edition,
    p.edition_released_on,
    p.is_current_edition,
    p.country_iso3,
    p.year,
    p.drug_group,
    p.kg,
    p.is_reported_total as is_reported_total,
    p.rows_used,
    case when p.is_reported_total then 'reported total of the drug group'
            -- several total rows: in the units the 2022 layout prints them in, which the 2024
            -- layout (kilograms only) no longer shows
            || case when p.rows_used > 1 then ' (the sum of its ' || p.rows_used || ' total rows)' else '' end
         else 'sum of ' || p.rows_used || ' detailed row' || case when p.rows_used > 1 then 's' else '' end
            || ' (no reported total)' end as basis,
    -- A reported total below the sum of its own parts is kept (a total is never replaced by parts),
    -- but the reader is told.
    case when p.is_reported_total and b.parts_kg > b.total_kg * 1.001
         then 'the reported total (' || format('{:.6g}', b.total_kg) || ' kg) is below the sum of its detailed rows ('
              || format('{:.6g}', b.parts_kg) || ' kg)' end as note,
    b.parts_kg,
    p.source_rows
from per_kind as p
inner join both_kinds as b using (snapshot_id, country_iso3, year, drug_group)
qualify row_number() over (
    partition by p.snapshot_id, p.country_iso3, p.year, p.drug_group order by p.is_reported_total desc
) = 1
