-- Every column a family's indicator model emits is a column of fct_indicator_values' contract,
-- with the contract's type: the union by name would otherwise widen a type (a BIGINT year) or
-- carry a column the fact does not declare. The models are those the family declarations name
-- (macros/families.sql).
{%- set members = family_members('indicator_values') %}
{%- for model in members %}
-- depends_on: {{ ref(model) }}
{%- endfor %}
-- depends_on: {{ ref('fct_indicator_values') }}
{%- set columns = {} %}
{%- if execute %}
{%- set columns = graph.nodes['model.unodc_indicators.fct_indicator_values'].columns %}
{%- endif %}
with contract (column_name, data_type) as (
    values {% for name, column in columns.items() %}('{{ name }}', upper('{{ column.data_type }}')){{ ", " if not loop.last }}{% endfor %}
    {%- if not columns %}('', ''){% endif %}
),

members (table_schema, table_name) as (
    values {% for model in members %}{% set relation = ref(model) %}('{{ relation.schema }}', '{{ relation.identifier }}'){{ ", " if not loop.last }}{% endfor %}
),

family as (
    select table_name, column_name, data_type
    from information_schema.columns
    inner join members using (table_schema, table_name)
    where table_catalog = current_database()
)

select family.table_name, family.column_name, family.data_type, contract.data_type as contract_type
from family
left join contract using (column_name)
where contract.data_type is null or family.data_type != contract.data_type
union all
-- A declared model the query cannot see would otherwise pass unchecked.
select members.table_name, null, null, 'the model is not in the build database'
from members
where not exists (select 1 from family where family.table_name = members.table_name)
