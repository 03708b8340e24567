-- The results framework: theme -> main objectives -> result area -> result.
select * from {{ ref('stg_registry__results') }}
