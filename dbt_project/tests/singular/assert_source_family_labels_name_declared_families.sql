-- The seed code_lists labels source families, but the list of them is the family declarations
-- (dim_code_list): a label of a family no longer declared, or renamed, would vanish unseen.
{%- set answering = family_names('indicator_values') %}
select code_list, code, label
from {{ ref('code_lists') }}
where code_list = 'source_family'
  and code not in ({% for name in answering %}'{{ name }}'{{ ", " if not loop.last }}{% endfor %}{% if not answering %}''{% endif %})
