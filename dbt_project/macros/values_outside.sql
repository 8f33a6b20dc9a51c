{#- The failing rows of the per-model value tests (tests/generic/accepted_values_columns,
    relationships_columns): for each column, every value of the tested rows that is not in
    the column's allowed set, with how many rows hold it. `allowed` maps a column to the
    SQL of its set (a list of literals, or a subquery of a parent's keys); NULL passes, as
    in dbt's accepted_values and relationships. `value_name` names the value column of the
    failing rows. -#}
{% macro values_outside(model, allowed, value_name) -%}

with tested_rows as (

    select * from {{ model }}

)

{% for column, allowed_set in allowed.items() %}
select
    '{{ column }}'                                                  as column_name,
    cast({{ column }} as {{ leadflow.type_text() }})                                   as {{ value_name }},
    count(*)                                                        as rows_with_it
from tested_rows
where {{ column }} is not null
  and {{ column }} not in ({{ allowed_set }})
group by {{ column }}
{{ "union all" if not loop.last }}
{% endfor %}

{%- endmacro %}
