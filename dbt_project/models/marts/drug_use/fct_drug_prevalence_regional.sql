-- UNODC's regional and global estimates of drug use (WDR table 1.1) of the current snapshots: per
-- UNODC region, subregion or the world, drug and measure (users in persons, prevalence in percent),
-- the best estimate and its bounds. UNODC's regions are kept by name: they are not M49's.
select
    r.snapshot_id, r.dataset, r.source_file, r.sheet, r.source_row, r.edition, r.year,
    r.region_name, r.region_level, r.region as unodc_region, r.drug, r.drug_text, r.measure, r.unit,
    r.best, r.low, r.high
from {{ ref('stg_drug_use__regional_prevalence') }} as r
inner join {{ ref('int_drug_use__current_snapshots') }} as c on c.snapshot_id = r.snapshot_id
