{{ config(severity='warn', meta={'dagster': {'asset_key': ['rpt_sdg_crosscheck_homicide']}}) }}
-- Reported, never blocking: a homicide rate the SDG Global Database publishes that differs from the
-- UN-CTS rate of the same country and year beyond rounding (the two releases are of different
-- dates; the README's "SDG Global Database" explains the differences found).
select country_iso3, year, sdg_rate, uncts_rate, difference, revision_explained
from {{ ref('rpt_sdg_crosscheck_homicide') }}
where classification = 'revised'
