{#- Each listed column holds only its listed values (values: {column: [value, ...]}); NULL
    passes, as in dbt's accepted_values (not_null_columns checks presence). One test (one
    query, one scan) per model instead of one per column: a daily build's cost is mostly
    dbt's per-test overhead. Each failing row names a column, a value outside its list and
    how many rows hold it. -#}
{% test accepted_values_columns(model, values) %}

with tested_rows as (

    select * from {{ model }}

)

{% for column, accepted in values.items() %}
select
    '{{ column }}'                                                  as column_name,
    cast({{ column }} as varchar)                                   as unexpected_value,
    count(*)                                                        as rows_with_it
from tested_rows
where {{ column }} is not null
  and cast({{ column }} as varchar) not in (
      {%- for value in accepted %}'{{ value | string | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
  )
group by {{ column }}
{{ "union all" if not loop.last }}
{% endfor %}

{% endtest %}
