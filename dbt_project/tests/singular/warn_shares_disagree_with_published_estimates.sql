{{ config(severity='warn', meta={'dagster': {'asset_key': ['rpt_crime_share_reconciliation']}}) }}
-- Reported, not blocking: a share computed from the reporting countries differs by more than one
-- percentage point from the share UNODC publishes (a modelled estimate over all countries).
select * from {{ ref('rpt_crime_share_reconciliation') }}
where computed_value is not null and not agrees_within_one_point
