-- UN Member States per M49 region and in the world (001), each year: the coverage base of every
-- aggregate counted in Member States.
with members as (
    select * from {{ ref('int_geo__member_years') }}
)

select year, m49_region_code as ref_area_code, count(*) as members_in_group from members group by all
union all
select year, '001', count(*) from members group by all
