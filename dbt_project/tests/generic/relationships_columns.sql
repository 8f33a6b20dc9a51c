{#- Each listed column's values exist in its parent (references: {column: {to: ref(...),
    field: ...}}); NULL passes, as in dbt's relationships. One test per model instead of
    one per column: a daily build's cost is mostly dbt's per-test overhead. The parent is
    read whole; the model's rows are the test's scope (macros/test_scope.sql). Each failing
    row names a column, a value its parent lacks and how many rows hold it. -#}
{% test relationships_columns(model, references) %}

with tested_rows as (

    select * from {{ model }}

)

{% for column, parent in references.items() %}
select
    '{{ column }}'                                                  as column_name,
    cast(tested_rows.{{ column }} as varchar)                       as missing_value,
    count(*)                                                        as rows_with_it
from tested_rows
where tested_rows.{{ column }} is not null
  and tested_rows.{{ column }} not in (
      select parent_rows.{{ parent['field'] }} from {{ parent['to'] }} as parent_rows
      where parent_rows.{{ parent['field'] }} is not null
  )
group by tested_rows.{{ column }}
{{ "union all" if not loop.last }}
{% endfor %}

{% endtest %}
