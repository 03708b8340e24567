-- Every source file the warehouse was built from: checksum, URL, access date, licence.
select * from {{ ref('stg_untc__snapshots') }}
union all by name
select * from {{ ref('stg_registry__snapshots') }}
union all by name
select * from {{ ref('stg_crime__snapshots') }}
union all by name
select * from {{ ref('stg_crop__snapshots') }}
union all by name
select * from {{ ref('stg_project__snapshots') }}
