-- Events from the status-table layout (Participant, Signature, <action header>; no footnotes).
{{ stg_untc_actions('untc_table') }}
