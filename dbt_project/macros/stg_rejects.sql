{# Every family's rejects table has the same columns: file, sheet, row, column, value, reason. #}
{% macro stg_rejects(table) %}
select
    dataset,
    snapshot_id,
    file as source_file,
    sheet as source_sheet,
    "row" as source_row,
    "column" as source_column,
    value as rejected_value,
    reason
from {{ source('raw', table) }}
{% endmacro %}
