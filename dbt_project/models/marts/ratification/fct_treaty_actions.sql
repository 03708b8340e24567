-- One row per action (signature, ratification, accession, …) in the current participant table of
-- each instrument, traceable to its snapshot, file, row and column.
with actions as (
    select * from {{ ref('int_untc__actions') }}
),

current_tables as (
    select snapshot_id, mtdsg_no, snapshot_as_of from {{ ref('int_untc__current_tables') }}
),

instruments as (
    select instrument_code, mtdsg_no from {{ ref('stg_untc__instruments') }}
)

select
    md5(actions.snapshot_id || ':' || actions.source_row || ':' || actions.source_column) as action_id,
    instruments.instrument_code,
    actions.mtdsg_no,
    actions.participant_iso3,
    -- The name the UN uses today (dim_country); the table's own name of that time stays beside it
    -- ("Swaziland" in a 2015 table, Eswatini since 2018).
    countries.country_name as participant_name,
    actions.participant_name as participant_name_in_source,
    actions.action_kind,
    actions.is_party_action,
    actions.is_signature_action,
    actions.action_date,
    actions.action_letter,
    actions.footnotes,
    actions.raw_cell,
    actions.snapshot_id,
    current_tables.snapshot_as_of,
    actions.source_file,
    actions.source_row,
    actions.source_column
from actions
inner join current_tables
    on current_tables.snapshot_id = actions.snapshot_id
   and current_tables.mtdsg_no = actions.mtdsg_no
inner join instruments on instruments.mtdsg_no = actions.mtdsg_no
left join {{ ref('dim_country') }} as countries on countries.iso3 = actions.participant_iso3
