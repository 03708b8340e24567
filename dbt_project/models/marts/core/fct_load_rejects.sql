-- Every row a parser refused, with its file, row, column and reason.
select * from {{ ref('stg_untc__rejects') }}
