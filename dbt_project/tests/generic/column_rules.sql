{#- The rules of a model's columns, each declared beside its column in the schema file
    (`config: {meta: {rules: [...]}}`), checked in one test of the model:

      not_null                      no empty value
      {not_null: "<condition>"}     no empty value in the rows that meet the condition
      unique                        no value twice (empty values aside)
      {in_code_list: <list(s)>}     every value a code of that list (or lists) in dim_code_list
      {accepted_values: [...]}      every value one of these

    One row per rule broken: the column, the rule, how many rows break it and one of their values
    (for `unique`: the rows that share a value with another).
    One dbt node per model instead of one per rule (dbt's own work is about 31 ms a test node; the
    rules were 118 nodes). A rule this macro does not know stops the build, so that no rule is
    declared and silently left unchecked. -#}
{% test column_rules(model) %}
{#- Called unconditionally, so that dbt knows at parse time that the test reads the code lists. -#}
{%- set code_lists = ref('dim_code_list') %}
{%- set parts = [] %}
{%- if execute %}
  {%- set nodes = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                  | selectattr('alias', 'equalto', model.identifier) | list %}
  {%- if nodes | length != 1 %}
    {{ exceptions.raise_compiler_error("column_rules: no single model is stored as " ~ model.identifier) }}
  {%- endif %}
  {%- for column in nodes[0].columns.values() %}
    {%- set rules = (column.config.meta if column.config is defined and column.config.meta else column.meta).get('rules', []) %}
    {%- set col = column.name %}
    {%- if rules and not modules.re.fullmatch('[a-z_][a-z0-9_]*', col) %}
      {{ exceptions.raise_compiler_error("column_rules on " ~ model.identifier ~ ": a column name this test does not quote: " ~ col) }}
    {%- endif %}
    {%- for rule in rules %}
      {%- set name = rule if rule is string else (rule.keys() | list | first) %}
      {%- set arg = none if rule is string else rule[name] %}
      {%- set failing, example = "count(*)", "min(" ~ col ~ "::varchar)" %}
      {%- set rows = model ~ " where " ~ col ~ " is not null and " ~ col %}
      {%- if rule is not string and rule | length != 1 %}
        {{ exceptions.raise_compiler_error("column_rules on " ~ model.identifier ~ "." ~ col ~ ": one rule per item, not " ~ rule) }}
      {%- elif name == 'not_null' %}
        {%- set label = ("not_null where " ~ arg) if arg else "not_null" %}
        {%- set example = "null::varchar" %}
        {%- set rows = model ~ " where " ~ col ~ " is null" ~ ((" and (" ~ arg ~ ")") if arg else "") %}
      {%- elif name == 'unique' and arg is none %}
        {%- set label, failing, example = "unique", "coalesce(sum(n), 0)", "min(value::varchar)" %}
        {%- set rows = "(select " ~ col ~ " as value, count(*) as n from " ~ model ~ " where " ~ col
                       ~ " is not null group by 1 having count(*) > 1)" %}
      {%- elif name == 'in_code_list' and arg %}
        {%- set lists = [arg] if arg is string else arg %}
        {%- set quoted = [] %}
        {%- for l in lists %}{% do quoted.append("'" ~ (l | replace("'", "''")) ~ "'") %}{% endfor %}
        {%- set label = "in_code_list " ~ (lists | join(', ')) %}
        {%- set rows = rows ~ " not in (select code from " ~ code_lists ~ " where code_list in (" ~ (quoted | join(', ')) ~ "))" %}
      {%- elif name == 'accepted_values' and arg %}
        {%- set values = [] %}
        {%- for v in arg %}
          {%- do values.append(("'" ~ (v | replace("'", "''")) ~ "'") if v is string else (v | string | lower)) %}
        {%- endfor %}
        {%- set label = "accepted_values " ~ (values | join(', ')) %}
        {%- set rows = rows ~ " not in (" ~ (values | join(', ')) ~ ")" %}
      {%- else %}
        {{ exceptions.raise_compiler_error("column_rules on " ~ model.identifier ~ "." ~ col ~ ": unknown rule " ~ rule
              ~ " (the rules: not_null, {not_null: condition}, unique, {in_code_list: list}, {accepted_values: [...]})") }}
      {%- endif %}
      {#- One row per rule: its failing rows counted in `rows` (the model's rows that break it). -#}
      {%- do parts.append("select '" ~ col ~ "' as column_name, '" ~ (label | replace("'", "''")) ~ "' as rule, "
            ~ failing ~ " as failing_rows, " ~ example ~ " as example from " ~ rows) %}
    {%- endfor %}
  {%- endfor %}
{%- endif %}
select * from (
{%- for part in parts %}
    {{ part }}{{ "\n    union all" if not loop.last }}
{%- endfor %}
{%- if not parts %}
    select null::varchar as column_name, null::varchar as rule, 0 as failing_rows, null::varchar as example
{%- endif %}
) as rules
where failing_rows > 0
{% endtest %}
