{#- The source families are declared once, in sources/<package>/family.py; every dbt invocation gets
    them as the variable `families` ({name: {snapshots, rejects, files, indicator_values}}), so the
    unions over families read that declaration and a new family joins them without an edit here.
    The refs are made while dbt parses, so the manifest knows every family's member. -#}

{% macro families() %}
    {%- set declared = var('families', none) -%}
    {%- if declared is none -%}
        {{ exceptions.raise_compiler_error(
            "dbt needs --vars from the family declarations: run through unodc-indicators, make, "
            ~ "or `python -m orchestration.dbt_project vars`") }}
    {%- endif -%}
    {%- if declared is not mapping or not declared -%}
        {{ exceptions.raise_compiler_error(
            "the dbt variable `families` must map each family's name to its dbt members, not "
            ~ declared ~ ": take it from `python -m orchestration.dbt_project vars`") }}
    {%- endif -%}
    {{ return(declared) }}
{% endmacro %}


{#- The models the families declare as `member` (snapshots, rejects, files: one model or none;
    indicator_values: a list), in the families' declared order. -#}
{% macro family_members(member) %}
    {%- set models = [] -%}
    {%- for name, members in families().items() -%}
        {%- if members is not mapping -%}
            {{ exceptions.raise_compiler_error("family " ~ name ~ ": its dbt members must be a mapping, not " ~ members) }}
        {%- endif -%}
        {%- set declared = members.get(member) -%}
        {%- if declared is string -%}
            {%- do models.append(declared) -%}
        {%- elif declared -%}
            {%- for model in declared -%}{%- do models.append(model) -%}{%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(models) }}
{% endmacro %}


{#- The names of the families that declare a `member` model (indicator_values: those that answer
    annex lines; their names are the code list source_family). -#}
{% macro family_names(member) %}
    {%- set names = [] -%}
    {%- for name, members in families().items() -%}
        {%- if members is mapping and members.get(member) -%}{%- do names.append(name) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}


{#- One select per family member, stacked: `union all by name` where the members share their column
    names, or the given columns in order (members with columns of their own beside them). -#}
{% macro union_families(member, columns=none) %}
    {%- set models = family_members(member) -%}
    {%- if not models -%}
        {{ exceptions.raise_compiler_error("no source family declares a " ~ member ~ " model") }}
    {%- endif -%}
    {%- for model in models %}
    select {{ columns | join(', ') if columns else '*' }} from {{ ref(model) }}
    {%- if not loop.last %}
    union all{{ ' by name' if not columns }}
    {%- endif %}
    {%- endfor %}
{% endmacro %}
