select snapshot_id, dataset, source_file, sheet as source_sheet, source_row, area_code, country_iso3,
       indicator_code, year, value, value_text, activity_id, comment, is_illustrative
from {{ source('raw', 'template_values') }}
