{#
    Sources the Dagster assets write in Python (ml.* by the scoring assets, ops.* by
    routing: pipelines/assets/scoring.py, pipelines/assets/activation.py). The assets
    create their tables, empty, on their first run; a build of the project before that
    (a fresh warehouse, the test fixtures, the benchmark) reads an empty relation with the
    columns and types the source declares, so that every model builds either way.
    The source() call is made first, so that parsing records the dependency (lineage).
#}
{% macro python_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if execute and load_relation(relation) is none -%}
        {%- set node = graph.sources.values()
                       | selectattr('source_name', 'equalto', source_name)
                       | selectattr('name', 'equalto', table_name) | first -%}
        {%- set columns = node.columns.values() | list -%}
        {%- if not columns -%}
            {{ exceptions.raise_compiler_error("source " ~ source_name ~ "." ~ table_name
               ~ " declares no columns: python_source needs their data_type") }}
        {%- endif -%}
        (select
        {%- for column in columns %}
            cast(null as {{ leadflow.portable_type(column.data_type) }}) as {{ column.name }}{{ "," if not loop.last }}
        {%- endfor %}
        where false)
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}
