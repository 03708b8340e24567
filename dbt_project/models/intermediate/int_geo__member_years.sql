-- UN Member States of each year with their M49 region: the denominators of every aggregate.
with countries as (
    select * from {{ ref('dim_country') }} where un_admission_year is not null
),

years as (
    select cast(unnest(range(1945, year(current_date) + 1)) as integer) as year
)

select years.year, countries.iso3, countries.m49_region_code
from years
inner join countries
    on countries.un_admission_year <= years.year
   and (countries.un_exit_year is null or countries.un_exit_year > years.year)
