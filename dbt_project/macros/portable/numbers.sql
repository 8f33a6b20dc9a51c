{# Arithmetic that DuckDB and Spark spell differently (docs: _portable.yml). #}

{# Integer division of two non-negative integers: DuckDB //; Spark div (which truncates
   toward zero, as // floors: the same for non-negative operands). #}
{% macro integer_divide(dividend, divisor) -%}
    {{ return(adapter.dispatch('integer_divide', 'leadflow')(dividend, divisor)) }}
{%- endmacro %}
{% macro default__integer_divide(dividend, divisor) -%}
    {{ dividend }} // {{ divisor }}
{%- endmacro %}
{% macro spark__integer_divide(dividend, divisor) -%}
    ({{ dividend }} div {{ divisor }})
{%- endmacro %}
