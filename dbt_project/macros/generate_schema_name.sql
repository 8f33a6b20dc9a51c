{#
    Models land in exactly the schema their folder names (staging, intermediate, marts,
    seeds), not dbt's default "<target schema>_<custom schema>" (main_staging).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
