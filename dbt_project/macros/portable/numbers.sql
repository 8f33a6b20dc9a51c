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

{# The integer whose hexadecimal digits are the text `hex` (at most 15 digits, no prefix):
   DuckDB reads '0x...' as an integer; Spark converts with conv. #}
{% macro hex_to_bigint(hex) -%}
    {{ return(adapter.dispatch('hex_to_bigint', 'leadflow')(hex)) }}
{%- endmacro %}
{% macro default__hex_to_bigint(hex) -%}
    cast(('0x' || {{ hex }}) as bigint)
{%- endmacro %}
{% macro spark__hex_to_bigint(hex) -%}
    cast(conv({{ hex }}, 16, 10) as bigint)
{%- endmacro %}
