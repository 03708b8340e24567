-- Rows in = rows accepted + rows rejected + rows not available, per source file. A row that holds
-- only the not-available marker `..` is neither a figure nor an error: it is counted apart.
-- Each source family's files model (macros/families.sql) gives these columns.
with files as (
{{- union_families('files', columns=['dataset', 'snapshot_id', 'source_file', 'rows_in', 'rows_accepted',
                                      'rows_rejected', 'rows_not_available']) }}
)

select *, rows_in = rows_accepted + rows_rejected + rows_not_available as reconciles
from files
