select * replace (cast(year as integer) as year)
from {{ source('raw', 'drug_use_prevalence') }}
