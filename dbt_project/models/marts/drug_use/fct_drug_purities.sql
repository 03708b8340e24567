-- Drug purities (WDR table 8.1) of the current snapshots, as published: every figure in its own unit, with the
-- scale each row is read in and its fractions (a purity in mg per tablet has none); the country placed in dim_country.
{{ drug_market_rows('stg_drug_use__purities') }}
