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
