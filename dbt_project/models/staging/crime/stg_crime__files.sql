select
    snapshot_id,
    dataset,
    format as source_format,
    source_file,
    sheet as source_sheet,
    header_row,
    header_fingerprint,
    cast(header as json) as header,
    cast(release_date as date) as release_date,
    rows_in,
    rows_accepted,
    rows_rejected,
    rows_not_available,
    cast(facts as json) as facts,
    cast(warnings as json) as warnings
from {{ source('raw', 'crime_files') }}
