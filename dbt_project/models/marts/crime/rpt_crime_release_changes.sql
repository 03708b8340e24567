-- What changed between consecutive releases of each UN-CTS dataset: values added, removed and
-- revised. Rows that share a natural key are matched by their order within the key.
-- Releases come from the list of files, one snapshot each (int_cts__release_snapshots: a release
-- downloaded twice is read once, from its later download), and only the rows of datasets with two
-- releases or more are numbered: a dataset with one release has nothing to compare (at ×100,
-- 19 million rows).
with releases as (
    select dataset, release_date, snapshot_id
    from {{ ref('int_cts__release_snapshots') }}
    where release_date is not null
),

pairs as (
    select
        dataset,
        lag(release_date) over (partition by dataset order by release_date) as old_release,
        release_date as new_release
    from releases
),

compared_datasets as (
    select dataset from pairs where old_release is not null
),

observations as (
    select
        *,
        row_number() over (
            partition by dataset, release_date, reporting_unit, indicator, dimension, category, sex, age, year, unit
            order by source_row, snapshot_id
        ) as occurrence
    from {{ ref('stg_cts__observations') }}
    where dataset in (select dataset from compared_datasets)
      and snapshot_id in (select snapshot_id from releases)
),

old_rows as (
    select o.*, p.new_release
    from observations as o inner join pairs as p on p.dataset = o.dataset and p.old_release = o.release_date
),

new_rows as (
    select o.*, p.old_release
    from observations as o inner join pairs as p on p.dataset = o.dataset and p.new_release = o.release_date
    where p.old_release is not null
),

compared as (
    select
        coalesce(n.dataset, o.dataset) as dataset,
        coalesce(o.release_date, n.old_release) as old_release,
        coalesce(n.release_date, o.new_release) as new_release,
        coalesce(n.reporting_unit, o.reporting_unit) as reporting_unit,
        coalesce(n.indicator, o.indicator) as indicator,
        coalesce(n.dimension, o.dimension) as dimension,
        coalesce(n.category, o.category) as category,
        coalesce(n.sex, o.sex) as sex,
        coalesce(n.age, o.age) as age,
        coalesce(n.year, o.year) as year,
        coalesce(n.unit, o.unit) as unit,
        coalesce(n.occurrence, o.occurrence) as occurrence,
        o.value_text as old_value_text,
        n.value_text as new_value_text,
        o.value_numeric as old_value,
        n.value_numeric as new_value,
        o.source_row as old_source_row,
        n.source_row as new_source_row,
        case
            when o.value_text is null then 'added'
            when n.value_text is null then 'removed'
            when o.value_text is distinct from n.value_text then 'revised'
        end as change
    from old_rows as o
    full outer join new_rows as n
        on n.dataset = o.dataset
       and n.old_release = o.release_date
       and n.reporting_unit = o.reporting_unit
       and n.indicator is not distinct from o.indicator
       and n.dimension = o.dimension
       and n.category = o.category
       and n.sex = o.sex
       and n.age = o.age
       and n.year = o.year
       and n.unit = o.unit
       and n.occurrence = o.occurrence
)

select * from compared where change is not null
