{# Lists (Spark: arrays) that DuckDB and Spark spell differently (docs: _portable.yml). #}

{# A list of the given SQL expressions: DuckDB [a, b]; Spark array(a, b). #}
{% macro list_of(items) -%}
    {{ return(adapter.dispatch('list_of', 'leadflow')(items)) }}
{%- endmacro %}
{% macro default__list_of(items) -%}
    [{{ items | join(', ') }}]
{%- endmacro %}
{% macro spark__list_of(items) -%}
    array({{ items | join(', ') }})
{%- endmacro %}

{# A list of text literals, from a list of Python strings. #}
{% macro list_of_strings(values) -%}
    {%- set items = [] -%}
    {%- for value in values -%}{%- do items.append(leadflow.text_literal(value)) -%}{%- endfor -%}
    {{ leadflow.list_of(items) }}
{%- endmacro %}

{# True when the list `list` holds `value`. #}
{% macro list_contains(list, value) -%}
    {{ return(adapter.dispatch('list_contains', 'leadflow')(list, value)) }}
{%- endmacro %}
{% macro default__list_contains(list, value) -%}
    list_contains({{ list }}, {{ value }})
{%- endmacro %}
{% macro spark__list_contains(list, value) -%}
    array_contains({{ list }}, {{ value }})
{%- endmacro %}

{# A row source of the values start, start + step, ... before `stop` (excluded, as DuckDB's
   range): integers, or timestamps with an interval step; as column `column_name` of `alias`.
   With lateral=true it may read columns of the tables joined before it (DuckDB does so
   always). `stop` must not be before `start` (Spark's sequence would count down). #}
{% macro series(start, stop, step, alias, column_name, lateral=false) -%}
    {{ return(adapter.dispatch('series', 'leadflow')(start, stop, step, alias, column_name, lateral)) }}
{%- endmacro %}
{% macro default__series(start, stop, step, alias, column_name, lateral=false) -%}
    range({{ start }}, {{ stop }}, {{ step }}) as {{ alias }}({{ column_name }})
{%- endmacro %}
{% macro spark__series(start, stop, step, alias, column_name, lateral=false) -%}
    {{ 'lateral ' if lateral }}explode(sequence({{ start }}, {{ stop }} - {{ step }}, {{ step }})) as {{ alias }}({{ column_name }})
{%- endmacro %}
