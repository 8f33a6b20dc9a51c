{#
    A column that only some inbox files carry (schema drift adds it to the raw table as
    VARCHAR the first time a file has it): the typed column when the raw table has it,
    else a typed NULL, so a model compiles against any warehouse.
#}
{% macro optional_column(source_table, column_name, data_type=none) -%}
    {%- set data_type = data_type or leadflow.type_text() -%}
    {%- set found = [] -%}
    {%- if execute -%}
        {#- a unit test's graph has no sources: the raw schema is then taken as is -#}
        {%- set node = graph.get('sources', {}).get('source.' ~ project_name ~ '.raw.' ~ source_table) -%}
        {%- set relation = adapter.get_relation(
                database=target.get('database'),
                schema=node.schema if node else 'raw',
                identifier=source_table) -%}
        {%- if relation is not none -%}
            {%- for col in adapter.get_columns_in_relation(relation) -%}
                {%- if col.name | lower == column_name | lower -%}{%- do found.append(col.name) -%}{%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endif -%}
    {%- if found -%}
        try_cast({{ adapter.quote(found[0]) }} as {{ data_type }})
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}
