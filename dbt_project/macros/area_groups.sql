{# The groups a country's fact counts in: its M49 region and the world (M49 001). Used as
   `cross join lateral ({{ area_groups('c.m49_region_code') }}) as g` -> g.group_type, g.group_code. #}
{% macro area_groups(region_code) %}
    select 'm49_region' as group_type, {{ region_code }} as group_code
    union all select 'world', '001'
{% endmacro %}
