{{ config(meta={'dagster': {'asset_key': ['fct_crime_statistics']}}) }}
-- Every accepted row of the newest release of each UN-CTS dataset is a row of the mart: a release
-- whose date is missing, or that the newest-release join drops, shows here with its counts.
with files as (
    select dataset, release_date, rows_accepted
    from {{ ref('stg_crime__files') }}
    where source_format = 'cts'
),

newest as (
    select dataset, max(release_date) as release_date
    from files
    group by dataset
),

expected as (
    select files.dataset, sum(files.rows_accepted) as rows_accepted
    from files
    inner join newest on files.dataset = newest.dataset
        and files.release_date is not distinct from newest.release_date
    group by files.dataset
),

landed as (
    select dataset, count(*) as rows_in_mart
    from {{ ref('fct_crime_statistics') }}
    group by dataset
)

select expected.dataset, expected.rows_accepted, coalesce(landed.rows_in_mart, 0) as rows_in_mart
from expected
left join landed using (dataset)
where expected.rows_accepted != coalesce(landed.rows_in_mart, 0)
