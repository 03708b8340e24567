-- The rows of the newest release of each UN-CTS dataset. Older releases stay in the raw layer as
-- vintages (rpt_crime_release_changes compares them).
with observations as (
    select * from {{ ref('stg_cts__observations') }}
),

latest as (
    select dataset, max(release_date) as release_date
    from observations
    group by dataset
)

select observations.*
from observations
inner join latest using (dataset, release_date)
