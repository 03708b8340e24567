with source as (
    select * from {{ source('raw', 'untc_treaty_status') }}
),

renamed as (
    select
        snapshot_id,
        instrument as mtdsg_no,
        format as source_format,
        source_file,
        as_of as snapshot_as_of,
        has_participant_table,
        title,
        conclusion,
        entry_into_force_text,
        declared_signatories,
        declared_parties,
        counted_signatories,
        counted_parties,
        -- The family's files model (fct_load_reconciliation): every status file is of the dataset
        -- untc_status, and the UNTC parsers count no row as not available.
        'untc_status' as dataset,
        rows_in,
        rows_accepted,
        rows_rejected,
        cast(0 as bigint) as rows_not_available,
        header_fingerprint
    from source
)

select * from renamed
