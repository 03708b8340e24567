{# A family's files table of the common shape: one line per source file read, with its counts. #}
{% macro stg_files(table) %}
select
    snapshot_id,
    dataset,
    format as source_format,
    source_file,
    header_fingerprint,
    rows_in,
    rows_accepted,
    rows_rejected,
    rows_not_available,
    cast(facts as json) as facts,
    cast(warnings as json) as warnings
from {{ source('raw', table) }}
{% endmacro %}
