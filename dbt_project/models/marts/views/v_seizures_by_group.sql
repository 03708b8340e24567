-- Kilograms seized by drug group and year, for the world, each M49 region and each country, from
-- indicator TRA.R1.D2: a country counts its reported total of a group where it gives one, else the
-- sum of its detailed rows, never both; a region or the world adds each country once. Withheld
-- aggregates stay as rows with no kilograms and the reason. Materialized as a table.
select
    f.ref_area_type,
    f.ref_area_code,
    f.ref_area_name,
    f.disaggregation as drug_group,
    f.year,
    f.value as kilograms,
    f.obs_status,
    f.withheld_reason,
    f.members_reporting,
    f.members_in_group,
    f.coverage_share,
    f.aggregation_method,
    f.aggregation_rule as how_counted,
    f.note,
    f.snapshot_ids,
    f.vintage,
    f.source_rows
from {{ ref('fct_indicator_values') }} as f
where f.indicator_code = 'TRA.R1.D2'
order by
    case f.ref_area_type when 'world' then 0 when 'm49_region' then 1 else 2 end,
    f.ref_area_code, drug_group, f.year
