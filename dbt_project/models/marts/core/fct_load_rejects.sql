-- Every row a parser refused, with its file, sheet, row, column and reason.
select * from {{ ref('stg_untc__rejects') }}
union all by name
select * from {{ ref('stg_crime__rejects') }}
union all by name
select * from {{ ref('stg_crop__rejects') }}
union all by name
select * from {{ ref('stg_project__rejects') }}
