-- The latest real value of each indicator per reference area and disaggregation: the newest year
-- with a stated value (not withheld, not suppressed) that rests on real data (not the illustrative
-- sample), with its coverage and status. Materialized as a table: publish copies tables.
select
    f.indicator_code,
    i.indicator_text,
    f.ref_area_type,
    f.ref_area_code,
    f.ref_area_name,
    f.disaggregation_dimension,
    f.disaggregation,
    f.year,
    f.value,
    f.unit_measure,
    f.obs_status,
    f.lower_bound,
    f.upper_bound,
    f.members_reporting,
    f.members_in_group,
    f.coverage_share,
    f.aggregation_method,
    f.note,
    f.level_of_influence,
    f.influence_is_illustrative,
    f.source_family,
    f.snapshot_ids
from {{ ref('fct_indicator_values') }} as f
inner join {{ ref('dim_indicator') }} as i using (indicator_code)
where f.value is not null and f.withheld_reason is null and not f.is_illustrative
qualify row_number() over (
    partition by f.indicator_code, f.ref_area_type, f.ref_area_code, f.disaggregation
    order by f.year desc
) = 1
order by f.indicator_code, f.ref_area_type desc, f.ref_area_code, f.disaggregation
