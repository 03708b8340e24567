{# The staging of one UNTC format's action events: both parsers emit the same event layout, so the
   two staging models differ only in the format they keep. #}
{% macro stg_untc_actions(source_format) %}
with source as (
    select * from {{ source('raw', 'untc_treaty_actions') }}
    where source_format = '{{ source_format }}'
),

renamed as (
    select
        -- ids
        snapshot_id,
        instrument as mtdsg_no,
        participant_iso3,
        -- participant as printed
        participant as participant_name,
        participant_raw,
        footnotes,
        name_match,
        -- the action
        action_kind,
        action_letter,
        action_date,
        action_kind in ('ratification', 'accession', 'acceptance', 'approval', 'succession',
                        'formal_confirmation', 'definitive_signature', 'participation') as is_party_action,
        action_kind in ('signature', 'succession_to_signature') as is_signature_action,
        raw_cell,
        -- provenance
        source_format,
        source_file,
        source_row,
        source_column
    from source
)

select * from renamed
{% endmacro %}
