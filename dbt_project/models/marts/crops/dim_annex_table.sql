-- One row per WDR annex workbook loaded: the table as the World Drug Report prints it (title with
-- its year range, unit, footnote texts, the Sources and Note text) and where each text stands in
-- the workbook (`layout`), so that an export can lay the table out as the WDR does.
select
    snapshot_id,
    source_file,
    json_extract_string(facts, '$.title') as title,
    json_extract_string(facts, '$.unit') as unit,
    json_extract_string(facts, '$.edition') as edition,
    facts -> '$.footnotes' as footnotes,
    array_to_string(cast(facts -> '$.sources' as varchar[]), '\n') as sources_text,
    array_to_string(cast(facts -> '$.notes' as varchar[]), '\n') as notes_text,
    facts -> '$.layout' as layout
from {{ ref('stg_crop__files') }}
where source_format = 'wdr_annex'
