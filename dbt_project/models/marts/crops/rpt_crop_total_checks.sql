-- Every published total of an annex table against the sum of its rows; `agrees = false` rows are
-- the discrepancies (WDR 2022 table 6.1.1: 2020 total 234,200 ha, rows 234,000 ha).
select * from {{ ref('stg_crop__total_checks') }}
