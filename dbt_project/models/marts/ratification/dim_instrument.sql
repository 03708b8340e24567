with instruments as (
    select * from {{ ref('stg_untc__instruments') }}
),

current_tables as (
    select * from {{ ref('int_untc__current_tables') }}
),

latest_status as (
    select * from {{ ref('int_untc__latest_status') }}
)

select
    instruments.instrument_code,
    instruments.mtdsg_no,
    instruments.chapter,
    instruments.instrument_family,
    instruments.title,
    instruments.adopted_at,
    instruments.adopted_on,
    instruments.entry_into_force_on,
    instruments.parent_instrument_code,
    current_tables.snapshot_id as participants_snapshot_id,
    current_tables.snapshot_as_of as participants_as_of,
    current_tables.source_format as participants_format,
    latest_status.snapshot_id as status_snapshot_id,
    latest_status.snapshot_as_of as status_as_of,
    latest_status.declared_signatories,
    latest_status.declared_parties
from instruments
left join current_tables on current_tables.mtdsg_no = instruments.mtdsg_no
left join latest_status on latest_status.mtdsg_no = instruments.mtdsg_no
