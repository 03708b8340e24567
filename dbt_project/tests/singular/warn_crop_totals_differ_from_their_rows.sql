{{ config(severity='warn', meta={'dagster': {'asset_key': ['rpt_crop_total_checks']}}) }}
-- Reported, not blocking: a published total that is not the sum of its table's rows.
select * from {{ ref('rpt_crop_total_checks') }} where not agrees
