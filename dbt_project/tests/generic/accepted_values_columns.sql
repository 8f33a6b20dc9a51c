{#- Each listed column holds only its listed values (values: {column: [value, ...]}; a
    number is compared as a number, anything else as text); NULL passes, as in dbt's
    accepted_values (not_null_columns checks presence). One test (one query, one scan) per
    model instead of one per column: a daily build's cost is mostly dbt's per-test
    overhead. Each failing row names a column, a value outside its list and how many rows
    hold it (macros/values_outside.sql). -#}
{% test accepted_values_columns(model, values) %}

{%- set allowed = {} -%}
{%- for column, accepted in values.items() -%}
    {%- set literals = [] -%}
    {%- for value in accepted -%}
        {%- do literals.append(value if value is number
                               else "'" ~ (value | string | replace("'", "''")) ~ "'") -%}
    {%- endfor -%}
    {%- do allowed.update({column: literals | join(', ')}) -%}
{%- endfor -%}
{{ values_outside(model, allowed, 'unexpected_value') }}

{% endtest %}
