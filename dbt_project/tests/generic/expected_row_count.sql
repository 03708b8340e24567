{% test expected_row_count(model, expected, where=none) %}
select count(*) as actual, {{ expected }} as expected
from {{ model }}
{% if where %}where {{ where }}{% endif %}
having count(*) != {{ expected }}
{% endtest %}
