{#- Each listed column's values exist in its parent (references: {column: {to: ref(...),
    field: ...}}); NULL passes, as in dbt's relationships. One test per model instead of
    one per column: a daily build's cost is mostly dbt's per-test overhead. The parent is
    read whole; the model's rows are the test's scope (macros/test_scope.sql). Each failing
    row names a column, a value its parent lacks and how many rows hold it
    (macros/values_outside.sql). -#}
{% test relationships_columns(model, references) %}

{%- set allowed = {} -%}
{%- for column, parent in references.items() -%}
    {%- do allowed.update({column: 'select ' ~ parent['field'] ~ ' from ' ~ parent['to']
                                   ~ ' where ' ~ parent['field'] ~ ' is not null'}) -%}
{%- endfor -%}
{{ values_outside(model, allowed, 'missing_value') }}

{% endtest %}
