select
    snapshot_id,
    source_file,
    crop,
    measure,
    edition,
    total as total_label,
    band,
    year,
    published,
    rows_sum,
    difference,
    agrees,
    source_row
from {{ source('raw', 'crop_total_checks') }}
