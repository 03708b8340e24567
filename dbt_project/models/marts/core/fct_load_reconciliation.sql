-- Rows in = rows accepted + rows rejected, per source file.
with files as (
    select 'untc_status' as dataset, snapshot_id, source_file, rows_in, rows_accepted, rows_rejected
    from {{ ref('stg_untc__treaty_status') }}
    union all
    select dataset, snapshot_id, source_file, rows_in, rows_accepted, rows_rejected
    from {{ ref('stg_crime__files') }}
    union all
    select dataset, snapshot_id, source_file, rows_in, rows_accepted, rows_rejected
    from {{ ref('stg_crop__files') }}
    union all
    select dataset, snapshot_id, source_file, rows_in, rows_accepted, rows_rejected
    from {{ ref('stg_project__files') }}
)

select *, rows_in = rows_accepted + rows_rejected as reconciles
from files
