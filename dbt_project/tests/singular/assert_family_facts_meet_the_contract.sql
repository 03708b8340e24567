-- Every column a family's intermediate model emits is a column of fct_indicator_values' contract,
-- with the contract's type: the union by name would otherwise widen a type (a BIGINT year) or
-- carry a column the fact does not declare.
-- depends_on: {{ ref('int_indicator_values__ratification') }}
-- depends_on: {{ ref('int_indicator_values__crime') }}
-- depends_on: {{ ref('int_indicator_values__seizures') }}
-- depends_on: {{ ref('int_indicator_values__crops') }}
-- depends_on: {{ ref('int_indicator_values__outputs') }}
-- depends_on: {{ ref('fct_indicator_values') }}
{%- set columns = {} %}
{%- if execute %}
{%- set columns = graph.nodes['model.unodc_indicators.fct_indicator_values'].columns %}
{%- endif %}
with contract (column_name, data_type) as (
    values {% for name, column in columns.items() %}('{{ name }}', upper('{{ column.data_type }}')){{ ", " if not loop.last }}{% endfor %}
    {%- if not columns %}('', ''){% endif %}
),

family as (
    select table_name, column_name, data_type
    from information_schema.columns
    where table_catalog = current_database() and table_name like 'int_indicator_values__%'
)

select family.table_name, family.column_name, family.data_type, contract.data_type as contract_type
from family
left join contract using (column_name)
where contract.data_type is null or family.data_type != contract.data_type
