-- The rows of the newest UN-CTS releases that each crime indicator of the registry reads, by part:
--   series       the one series of a cts_series indicator
--   numerator,   the two counts of a cts_share indicator
--   denominator
--   published    UNODC's own regional and world estimate of the indicator, where the file has one
-- Every reporting unit is kept (countries, subnational units, aggregates); the models that use the
-- parts decide which kind they may add up.
-- A table, not a view: the crime models after it read the parts about ten times in one build
-- (country values, unit sums, pooled aggregates, the reconciliation, each through the others),
-- and as a view each reading scanned the newest releases again (19 million rows at ×100).
{{ config(materialized='table') }}
with specs as (
    select indicator_code, computation_rule, computation_spec as spec
    from {{ ref('dim_indicator') }}
    where computation_rule in ('cts_series', 'cts_share')
),

part_specs as (
    select
        specs.indicator_code,
        specs.computation_rule,
        parts.part,
        json_extract_string(specs.spec, '$.dataset') as dataset,
        json_extract_string(specs.spec, '$.' || parts.part || '.indicator') as indicator,
        json_extract_string(specs.spec, '$.' || parts.part || '.dimension') as dimension,
        json_extract_string(specs.spec, '$.' || parts.part || '.category') as category,
        json_extract_string(specs.spec, '$.' || parts.part || '.sex') as sex,
        json_extract_string(specs.spec, '$.' || parts.part || '.age') as age,
        json_extract_string(specs.spec, '$.' || parts.part || '.unit') as unit
    from specs
    cross join (select unnest(['series', 'numerator', 'denominator', 'published']) as part) as parts
    where json_extract_string(specs.spec, '$.' || parts.part || '.indicator') is not null
),

-- The rows of the newest releases are narrowed to the (dataset, indicator) pairs a part reads once,
-- instead of every part scanning every row (19 million at ×100).
observations as (
    select latest.*
    from {{ ref('int_cts__latest_release') }} as latest
    semi join (select distinct dataset, indicator from part_specs) as wanted using (dataset, indicator)
)

select
    part_specs.indicator_code,
    part_specs.computation_rule,
    part_specs.part,
    observations.*
from part_specs
inner join observations
    on observations.dataset = part_specs.dataset
   and observations.indicator = part_specs.indicator
   and observations.dimension = part_specs.dimension
   and observations.category = part_specs.category
   and observations.sex = part_specs.sex
   and observations.age = part_specs.age
   and observations.unit = part_specs.unit
