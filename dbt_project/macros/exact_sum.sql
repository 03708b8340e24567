{#- A sum of doubles that does not depend on the order its rows are read in. An incremental build
    writes a new snapshot's rows after the others (a full build writes them in snapshot order), and
    DuckDB adds the partial sums of its threads in any order; a double's sum then differs in its last
    digits, and so would a figure printed from it. Summed exactly, as decimals to 10 places (every
    figure summed here, counts, kilograms, hectares, tonnes, rates, has fewer), then a double again. -#}
{% macro exact_sum(expression) -%}
cast(sum(cast({{ expression }} as decimal(38, 10))) as double)
{%- endmacro %}
