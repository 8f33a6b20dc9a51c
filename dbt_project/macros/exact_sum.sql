{# The sum of a DOUBLE column that does not depend on the order its rows are added in:
   each value is made a decimal with `scale` decimals, summed exactly, and the sum made a
   DOUBLE again. A plain sum of doubles differs in its last bits from one build to the next
   (the engine adds rows in parallel, in a varying order), and a figure rounded afterwards
   then moves by a cent when it sits on the rounding boundary (an attributed revenue of
   942.975 came out 942.97 or 942.98 in two builds of the same data). For fractional
   amounts (credit-weighted revenue, converted spend) that are rounded for a report.
   The same SQL on DuckDB and Spark. #}
{% macro exact_sum(expression, scale=10) -%}
    cast(sum(cast({{ expression }} as decimal(38, {{ scale }}))) as double)
{%- endmacro %}
