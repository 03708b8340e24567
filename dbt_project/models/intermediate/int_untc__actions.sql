-- The events of both UNTC formats in one layout.
select * from {{ ref('stg_untc__xml_actions') }}
union all by name
select * from {{ ref('stg_untc__table_actions') }}
