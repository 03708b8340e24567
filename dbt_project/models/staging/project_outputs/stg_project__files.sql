select snapshot_id, dataset, format as source_format, source_file, rows_in, rows_accepted, rows_rejected, rows_not_available,
       is_illustrative, cast(facts as json) as facts
from {{ source('raw', 'project_files') }}
