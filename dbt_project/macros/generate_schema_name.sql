{# Custom schemas are used as named (staging, intermediate, reference); marts land in main so that
   researchers reach them by their plain names. #}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
