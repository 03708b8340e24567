{#- Every value of a coded column is a code of its list(s) in dim_code_list: a new code in a source
    fails here until it is reviewed into the seed code_lists. `code_list` is one name or a list. -#}
{% test in_code_list(model, column_name, code_list) %}
{%- set lists = [code_list] if code_list is string else code_list %}
select {{ column_name }} as value, count(*) as rows_with_value
from {{ model }}
where {{ column_name }} is not null
  and {{ column_name }} not in (
      select code from {{ ref('dim_code_list') }}
      where code_list in ({% for l in lists %}'{{ l }}'{{ ", " if not loop.last }}{% endfor %})
  )
group by 1
{% endtest %}
