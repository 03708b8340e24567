select
    country_iso3,
    year,
    area_code,
    list(distinct activity_id order by activity_id) as activity_ids,
    bool_or(is_illustrative) as is_illustrative
from {{ ref('assistance_country_year') }}
group by all
