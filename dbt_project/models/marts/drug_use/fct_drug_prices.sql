-- Drug prices (WDR table 8.1) of the current snapshots, as published: every figure in its own unit and
-- currency, never converted (prices in different currencies or units are not comparable, and are
-- never aggregated across them); the country placed in dim_country.
{{ drug_market_rows('stg_drug_use__prices') }}
