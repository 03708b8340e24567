select
    result_code,
    result_text,
    result_order,
    area_code,
    area_name,
    theme_code,
    theme_name,
    main_objectives
from {{ source('raw', 'registry_results') }}
