select
    dataset,
    snapshot_id,
    file as source_file,
    sheet as source_sheet,
    "row" as source_row,
    "column" as source_column,
    value as rejected_value,
    reason
from {{ source('raw', 'crop_rejects') }}
