-- Events from the MTDSG XML status files (footnote numbers kept from their markup).
{{ stg_untc_actions('untc_xml') }}
