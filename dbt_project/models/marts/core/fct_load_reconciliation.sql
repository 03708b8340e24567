-- Rows in = rows accepted + rows rejected + rows not available, per source file. A row that holds
-- only the not-available marker `..` is neither a figure nor an error: it is counted apart.
with files as (
    select 'untc_status' as dataset, snapshot_id, source_file, rows_in, rows_accepted, rows_rejected,
           0 as rows_not_available
    from {{ ref('stg_untc__treaty_status') }}
    union all
    select dataset, snapshot_id, source_file, rows_in, rows_accepted, rows_rejected, rows_not_available
    from {{ ref('stg_crime__files') }}
    union all
    select dataset, snapshot_id, source_file, rows_in, rows_accepted, rows_rejected, rows_not_available
    from {{ ref('stg_crop__files') }}
    union all
    select dataset, snapshot_id, source_file, rows_in, rows_accepted, rows_rejected, rows_not_available
    from {{ ref('stg_project__files') }}
)

select *, rows_in = rows_accepted + rows_rejected + rows_not_available as reconciles
from files
