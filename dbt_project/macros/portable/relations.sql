{# Select lists that DuckDB and Spark spell differently (docs: _portable.yml). #}

{# Every column of `relation` (an alias, or empty for all) but `columns` (a list of names):
   DuckDB * exclude (...); Spark 4 * except (...). #}
{% macro star_except(columns, relation=none) -%}
    {{ return(adapter.dispatch('star_except', 'leadflow')(columns, relation)) }}
{%- endmacro %}
{% macro default__star_except(columns, relation=none) -%}
    {{ relation ~ '.' if relation }}* exclude ({{ columns | join(', ') }})
{%- endmacro %}
{% macro spark__star_except(columns, relation=none) -%}
    {{ relation ~ '.' if relation }}* except ({{ columns | join(', ') }})
{%- endmacro %}

{# A struct (one value holding named fields) of the given columns: DuckDB {'a': a};
   Spark named_struct('a', a). #}
{% macro struct_of(columns) -%}
    {{ return(adapter.dispatch('struct_of', 'leadflow')(columns)) }}
{%- endmacro %}
{% macro default__struct_of(columns) -%}
    { {%- for column in columns %}'{{ column }}': {{ column }}{{ ", " if not loop.last }}{% endfor -%} }
{%- endmacro %}
{% macro spark__struct_of(columns) -%}
    named_struct({%- for column in columns %}'{{ column }}', {{ column }}{{ ", " if not loop.last }}{% endfor -%})
{%- endmacro %}

{# The columns of a one-row relation as rows (name, value), for the tests that count
   failures of several columns in one scan: DuckDB unpivot, Spark stack. #}
{% macro unpivot_columns(relation_name, columns, name_column, value_column) -%}
    {{ return(adapter.dispatch('unpivot_columns', 'leadflow')(relation_name, columns, name_column, value_column)) }}
{%- endmacro %}
{% macro default__unpivot_columns(relation_name, columns, name_column, value_column) -%}
    (unpivot {{ relation_name }} on columns(*) into name {{ name_column }} value {{ value_column }})
{%- endmacro %}
{% macro spark__unpivot_columns(relation_name, columns, name_column, value_column) -%}
    (select stack({{ columns | length }}
        {%- for column in columns %}, '{{ column }}', {{ adapter.quote(column) }}{% endfor %})
        as ({{ name_column }}, {{ value_column }})
     from {{ relation_name }})
{%- endmacro %}
