-- Kilograms seized per country, year and drug group, as the indicators count them: one edition of
-- table 7.1 a year, the newest that covers the year (is_current_edition), never two editions'
-- figures added or mixed. The counting rule (a reported total, else the sum of the detailed rows)
-- is int_seizures__edition_country_year's; `edition_rule` names the edition and those it was
-- chosen among, for the fact's provenance.
with figures as (
    select * from {{ ref('int_seizures__edition_country_year') }} where is_current_edition
),

editions_covering as (
    select dataset, year, string_agg(distinct edition, ', ' order by edition) as editions,
           count(distinct edition) as editions_count
    from {{ ref('fct_drug_seizures') }}
    group by all
)

select
    f.country_iso3,
    f.year,
    f.drug_group,
    f.kg,
    f.is_reported_total,
    f.basis,
    f.note,
    f.parts_kg,
    f.snapshot_id,
    f.edition,
    'table 7.1, edition ' || f.edition || case when e.editions_count > 1
        then ', the newest of the editions that cover ' || f.year || ' (' || e.editions || ')'
        else ', the only edition that covers ' || f.year end as edition_rule,
    f.source_rows
from figures as f
left join editions_covering as e on e.dataset = f.dataset and e.year = f.year
